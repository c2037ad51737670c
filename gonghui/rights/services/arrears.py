"""Wage arrears: the workers owed on a case and what was recovered for each, the construction
chain, special inspection campaigns, and joint meetings with government departments.

Rules (DOMAIN-RULES "Migrant workers' wages", Regulations on Guaranteeing Payment of Wages 2020):
wages are paid in money to each worker, so arrears and recoveries are kept per worker
(``CaseParty``); in construction the general contractor answers for its subcontractors'
arrears (art. 30), so a case keeps the project and the chain from the top down. Money is
``Decimal`` yuan with two places; nothing recovered may exceed what is owed unless the user
confirms it (interest, compensation) explicitly.

Every write: right and scope checked first, every field checked before anything is written
(``ValidationError`` naming the field), one transaction, the case row locked so that two staff
recording at once on one case are serialized (the second sees the first's amounts), an event on
the case timeline through part A's ``case_event_add`` and a row in the audit log.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.accounts.roles import DISPATCH_CASES, HANDLE_CASES
from gonghui.audit.models import AuditAction
from gonghui.audit.services import audit_create, audit_record, audit_update, diff, snapshot
from gonghui.core import identifiers as ids
from gonghui.core.fields import hash_for
from gonghui.members.models import Worker
from gonghui.organizations.models import Employer, Organization

from ..catalog import WAGE_ARREARS_CATEGORIES
from ..models import (
    ZERO,
    ActionItem,
    Case,
    CaseParty,
    CaseStatus,
    EventKind,
    Inspection,
    InspectionTarget,
    JointMeeting,
    TargetStatus,
)

MAX_AMOUNT = Decimal("999999999999.99")
CENT = Decimal("0.01")
# A case that was merged or declined is no longer where the money is tracked.
FROZEN_STATUSES = (CaseStatus.MERGED, CaseStatus.DECLINED)


# --- small checks shared by the services ------------------------------------------------------


def parse_money(value, field: str, errors: dict, *, required: bool = False) -> Decimal:
    """Yuan as Decimal with two places; a wrong value puts a message on ``errors[field]``."""
    if value in (None, ""):
        if required:
            errors[field] = _("Enter an amount in yuan.")
        return ZERO
    if isinstance(value, float):
        # Floats cannot hold fen exactly (DESIGN: money as decimals); take their text form.
        value = repr(value)
    try:
        amount = Decimal(str(value).replace(",", "").replace("，", "").strip())
    except InvalidOperation:
        errors[field] = _("Enter an amount in yuan, such as 3500 or 3500.50.")
        return ZERO
    if not amount.is_finite():
        errors[field] = _("Enter an amount in yuan, such as 3500 or 3500.50.")
        return ZERO
    if amount < 0:
        errors[field] = _("The amount cannot be negative.")
        return ZERO
    if amount > MAX_AMOUNT:
        errors[field] = _("The amount is too large.")
        return ZERO
    if amount != amount.quantize(CENT):
        errors[field] = _("Amounts have at most two decimal places (fen).")
        return ZERO
    return amount.quantize(CENT)


def _require(by, permission: str, message: str) -> None:
    if by is None or not by.can(permission):
        raise PermissionDenied(message)


def _in_scope(by, organization: Organization) -> None:
    if by.is_superuser:
        return
    prefix = by.scope_prefix
    if not prefix or not organization.path.startswith(prefix):
        raise PermissionDenied(_("This organization is outside your scope."))


def _event(**kwargs):
    # Part A's one way to write a timeline event (contract: services/cases.py).
    from .cases import case_event_add

    return case_event_add(**kwargs)


def _today() -> dt.date:
    return timezone.localdate()


def _money_text(amount: Decimal) -> str:
    return f"{amount:,.2f}"


# --- wage-arrears details on a case -----------------------------------------------------------


def is_arrears_case(case: Case) -> bool:
    """Cases that carry wage-arrears details: the category says so, or workers with amounts
    are listed on it."""
    if case.category in WAGE_ARREARS_CATEGORIES:
        return True
    return case.parties.filter(Q(amount_claimed__gt=0) | Q(amount_recovered__gt=0)).exists()


def case_totals(case: Case) -> dict:
    """Workers listed, owed and recovered on a case (from its parties)."""
    row = case.parties.aggregate(
        workers=Count("id"), claimed=Sum("amount_claimed"), recovered=Sum("amount_recovered")
    )
    # SQLite sums decimals as floats: back to yuan and fen.
    claimed = (row["claimed"] or ZERO).quantize(CENT)
    recovered = (row["recovered"] or ZERO).quantize(CENT)
    return {
        "workers": row["workers"],
        "claimed": claimed,
        "recovered": recovered,
        "outstanding": max(claimed - recovered, ZERO),
    }


def _lock_case(by, case: Case) -> Case:
    """The case row, locked, after the right and scope checks (inside the transaction)."""
    _require(by, HANDLE_CASES, _("Your role may not work on cases."))
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if not Case.objects.visible_to(by).filter(pk=case.pk).exists():
        raise PermissionDenied(_("This case is outside your scope."))
    if locked.status in FROZEN_STATUSES:
        raise ValidationError(
            {
                "case": _("This case is %(status)s; record the wages on the case that continues.")
                % {"status": locked.get_status_display().lower()}
            }
        )
    return locked


def _sync_case_amounts(case: Case) -> None:
    """Keep the case's totals equal to its workers' (issue: amounts per worker)."""
    totals = case_totals(case)
    if not totals["workers"]:
        return
    case.amount_claimed = totals["claimed"]
    case.amount_recovered = totals["recovered"]
    if totals["workers"] > case.workers_affected:
        case.workers_affected = totals["workers"]
    case.collective = case.workers_affected > 1
    Case.objects.filter(pk=case.pk).update(
        amount_claimed=case.amount_claimed,
        amount_recovered=case.amount_recovered,
        workers_affected=case.workers_affected,
        collective=case.collective,
        updated_at=timezone.now(),
    )


def _clean_party_fields(by, data: dict, errors: dict, *, partial: bool) -> dict:
    """Checks what a form or the API gives for one worker; returns only the fields given."""
    clean: dict = {}
    if "name" in data and data["name"] is not None:
        name = str(data["name"]).strip()
        if name:
            clean["name"] = name[:64]
        elif not partial:
            errors["name"] = _("Enter the worker's name.")
    elif not partial:
        errors["name"] = _("Enter the worker's name.")
    if data.get("phone"):
        try:
            clean["phone"] = ids.normalize_mobile(str(data["phone"]))
        except ids.IdentifierError as exc:
            errors["phone"] = str(exc.message)
    if data.get("id_number"):
        try:
            clean["id_number"] = ids.parse_resident_id(str(data["id_number"])).number
        except ids.IdentifierError as exc:
            errors["id_number"] = str(exc.message)
    if data.get("months") is not None:
        clean["months"] = str(data["months"]).strip()[:200]
    for field in ("amount_claimed", "amount_recovered"):
        if field in data and data[field] is not None:
            clean[field] = parse_money(data[field], field, errors)
    return clean


def _registry_worker(by, id_number: str) -> Worker | None:
    """The registry's worker with this id number, if the user may see them (link by id)."""
    if not id_number:
        return None
    return (
        Worker.objects.visible_to(by)
        .filter(id_number_hash=hash_for("id_number", id_number))
        .first()
    )


def _over_message(claimed: Decimal, recovered: Decimal) -> str:
    return _(
        "%(recovered)s yuan recovered is more than the %(claimed)s yuan owed; "
        "confirm it if that is right (interest or compensation)."
    ) % {"recovered": _money_text(recovered), "claimed": _money_text(claimed)}


def _audit_party(by, action: str, party: CaseParty, case: Case, changes: dict, detail: str):
    # A listed worker belongs to the case's organization: file the entry there so that the
    # subtree's audit log shows it (CaseParty has no scope path of its own).
    audit_record(
        by=by,
        action=action,
        obj=party,
        changes=changes,
        detail=detail,
        organization_path=case.organization.path,
    )


def party_add(
    *,
    by,
    case: Case,
    name: str,
    months: str = "",
    amount_claimed=None,
    amount_recovered=None,
    phone: str = "",
    id_number: str = "",
    confirm_over: bool = False,
) -> CaseParty:
    """List one more worker owed wages on a case; linked to the registry by id number."""
    errors: dict[str, str] = {}
    clean = _clean_party_fields(
        by,
        {
            "name": name,
            "months": months,
            "amount_claimed": amount_claimed,
            "amount_recovered": amount_recovered,
            "phone": phone,
            "id_number": id_number,
        },
        errors,
        partial=False,
    )
    claimed = clean.get("amount_claimed", ZERO)
    recovered = clean.get("amount_recovered", ZERO)
    if "amount_recovered" not in errors and recovered > claimed and not confirm_over:
        errors["amount_recovered"] = _over_message(claimed, recovered)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _lock_case(by, case)
        party = CaseParty.objects.create(
            case=locked, worker=_registry_worker(by, clean.get("id_number", "")), **clean
        )
        _sync_case_amounts(locked)
        after = snapshot(party)
        _audit_party(
            by,
            AuditAction.CREATE,
            party,
            locked,
            {k: [None, v] for k, v in after.items()},
            f"case={locked.number}",
        )
        _event(
            case=locked,
            kind=EventKind.CHANGED,
            by=by,
            internal_note=_("Worker added to the wage arrears: %(owed)s yuan owed.")
            % {"owed": _money_text(claimed)},
            data={"arrears": "party_add", "party": party.pk, "amount_claimed": str(claimed)},
        )
    return party


def party_update(*, by, party: CaseParty, confirm_over: bool = False, **fields) -> CaseParty:
    """Change a listed worker's details or amounts (only the fields given; an empty name or id
    number keeps the one on file, so editing never needs to show it in full)."""
    unknown = set(fields) - {
        "name",
        "months",
        "amount_claimed",
        "amount_recovered",
        "phone",
        "id_number",
    }
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    errors: dict[str, str] = {}
    clean = _clean_party_fields(by, fields, errors, partial=True)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _lock_case(by, party.case)
        current = CaseParty.objects.select_for_update().filter(pk=party.pk, case=locked).first()
        if current is None:
            raise ValidationError({"party": _("This worker is no longer listed on the case.")})
        claimed = clean.get("amount_claimed", current.amount_claimed)
        recovered = clean.get("amount_recovered", current.amount_recovered)
        changed = (claimed, recovered) != (current.amount_claimed, current.amount_recovered)
        if recovered > claimed and changed and not confirm_over:
            field = "amount_recovered" if "amount_recovered" in clean else "amount_claimed"
            raise ValidationError({field: _over_message(claimed, recovered)})
        before = snapshot(current)
        for key, value in clean.items():
            setattr(current, key, value)
        if "id_number" in clean:
            current.worker = _registry_worker(by, clean["id_number"]) or current.worker
        current.save()
        _sync_case_amounts(locked)
        _audit_party(
            by,
            AuditAction.UPDATE,
            current,
            locked,
            diff(before, snapshot(current)),
            f"case={locked.number}",
        )
        _event(
            case=locked,
            kind=EventKind.CHANGED,
            by=by,
            internal_note=_("Wage arrears of a listed worker changed."),
            data={
                "arrears": "party_update",
                "party": current.pk,
                "fields": sorted(clean),
            },
        )
    return current


def party_remove(*, by, party: CaseParty) -> None:
    """Take a worker listed by mistake off the case (the totals follow)."""
    with transaction.atomic():
        locked = _lock_case(by, party.case)
        current = CaseParty.objects.select_for_update().filter(pk=party.pk, case=locked).first()
        if current is None:
            raise ValidationError({"party": _("This worker is no longer listed on the case.")})
        _audit_party(
            by,
            AuditAction.DELETE,
            current,
            locked,
            {k: [v, None] for k, v in snapshot(current).items()},
            f"case={locked.number}",
        )
        pk = current.pk
        current.delete()
        if locked.parties.exists():
            _sync_case_amounts(locked)
        _event(
            case=locked,
            kind=EventKind.CHANGED,
            by=by,
            internal_note=_("A worker was taken off the wage arrears list."),
            data={"arrears": "party_remove", "party": pk},
        )


def recovery_record(
    *,
    by,
    party: CaseParty,
    amount,
    on: dt.date | None = None,
    note: str = "",
    confirm_over: bool = False,
) -> CaseParty:
    """Money recovered for one worker on one day: added to the worker's total, the case's total
    follows, and the worker reads it on the status page (the amount, no names)."""
    errors: dict[str, str] = {}
    value = parse_money(amount, "amount", errors, required=True)
    if "amount" not in errors and value <= 0:
        errors["amount"] = _("Enter the amount recovered (more than zero).")
    today = _today()
    on = on or today
    if on > today:
        errors["on"] = _("The date cannot be in the future.")
    elif on < timezone.localdate(party.case.received_at):
        errors["on"] = _("The date is before the case was received.")
    note = (note or "").strip()
    if len(note) > 1000:
        errors["note"] = _("At most 1,000 characters.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _lock_case(by, party.case)
        current = CaseParty.objects.select_for_update().filter(pk=party.pk, case=locked).first()
        if current is None:
            raise ValidationError({"party": _("This worker is no longer listed on the case.")})
        total = current.amount_recovered + value
        if total > MAX_AMOUNT:
            raise ValidationError({"amount": _("The amount is too large.")})
        if total > current.amount_claimed and not confirm_over:
            raise ValidationError(
                {
                    "amount": _(
                        "With this, %(total)s yuan would be recovered for this worker, more than "
                        "the %(claimed)s yuan owed (%(already)s already recovered); confirm it if "
                        "that is right."
                    )
                    % {
                        "total": _money_text(total),
                        "claimed": _money_text(current.amount_claimed),
                        "already": _money_text(current.amount_recovered),
                    }
                }
            )
        before = snapshot(current)
        current.amount_recovered = total
        current.save(update_fields=["amount_recovered"])
        _sync_case_amounts(locked)
        _audit_party(
            by,
            AuditAction.UPDATE,
            current,
            locked,
            diff(before, snapshot(current)),
            f"recovery {value} on {on}",
        )
        _event(
            case=locked,
            kind=EventKind.CHANGED,
            by=by,
            public_text=_("%(amount)s yuan of unpaid wages was recovered on %(on)s.")
            % {"amount": _money_text(value), "on": on.isoformat()},
            internal_note=note,
            data={
                "arrears": "recovery",
                "party": current.pk,
                "amount": str(value),
                "on": on.isoformat(),
                "total": str(total),
            },
        )
    return current


def construction_update(
    *,
    by,
    case: Case,
    project_name: str,
    general_contractor: str = "",
    subcontractors: list[str] | None = None,
    arrears_months: str | None = None,
) -> Case:
    """The construction project and its contractor chain, from the general contractor down (the
    general contractor answers for its subcontractors' arrears, Wage Payment Regulations art. 30)."""
    errors: dict[str, str] = {}
    project_name = (project_name or "").strip()
    general_contractor = (general_contractor or "").strip()
    chain = [str(s).strip() for s in (subcontractors or []) if s and str(s).strip()]
    if len(project_name) > 200:
        errors["project_name"] = _("At most 200 characters.")
    if len(general_contractor) > 200:
        errors["general_contractor"] = _("At most 200 characters.")
    if any(len(s) > 200 for s in chain):
        errors["subcontractors"] = _("At most 200 characters for each subcontractor.")
    elif len(chain) > 20:
        errors["subcontractors"] = _("At most 20 subcontractors.")
    if (general_contractor or chain) and not project_name:
        errors["project_name"] = _("Name the construction project.")
    if arrears_months is not None and len(arrears_months.strip()) > 200:
        errors["arrears_months"] = _("At most 200 characters.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _lock_case(by, case)
        before = snapshot(locked)
        locked.project_name = project_name
        locked.general_contractor = general_contractor
        locked.subcontractors = chain
        fields = ["project_name", "general_contractor", "subcontractors", "updated_at"]
        if arrears_months is not None:
            locked.arrears_months = arrears_months.strip()
            fields.append("arrears_months")
        locked.save(update_fields=fields)
        audit_update(by=by, obj=locked, before=before, detail="construction")
        _event(
            case=locked,
            kind=EventKind.CHANGED,
            by=by,
            internal_note=_("Construction project and contractors: %(chain)s")
            % {"chain": " → ".join([p for p in [project_name, general_contractor, *chain] if p])},
            data={"arrears": "construction"},
        )
    return locked


# --- special inspection campaigns --------------------------------------------------------------


def inspection_create(
    *,
    by,
    organization: Organization,
    name: str,
    starts_on: dt.date,
    ends_on: dt.date,
    description: str = "",
) -> Inspection:
    """A special inspection campaign (专项检查) organized by one organization of the user's
    subtree."""
    _require(by, DISPATCH_CASES, _("Your role may not organize inspections."))
    errors: dict[str, str] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = _("Name the campaign.")
    elif len(name) > 200:
        errors["name"] = _("At most 200 characters.")
    if starts_on is None:
        errors["starts_on"] = _("Enter the first day.")
    if ends_on is None:
        errors["ends_on"] = _("Enter the last day.")
    elif starts_on is not None and ends_on < starts_on:
        errors["ends_on"] = _("The last day cannot be before the first.")
    if errors:
        raise ValidationError(errors)
    _in_scope(by, organization)
    with transaction.atomic():
        inspection = Inspection.objects.create(
            organization=organization,
            name=name,
            starts_on=starts_on,
            ends_on=ends_on,
            description=(description or "").strip(),
            created_by=by,
        )
        audit_create(by=by, obj=inspection)
    return inspection


def _check_inspection(by, inspection: Inspection, permission: str = DISPATCH_CASES) -> None:
    _require(by, permission, _("Your role may not work on inspections."))
    if not Inspection.objects.visible_to(by).filter(pk=inspection.pk).exists():
        raise PermissionDenied(_("This inspection is outside your scope."))


def target_add(*, by, inspection: Inspection, employer: Employer) -> InspectionTarget:
    """Put one employer on a campaign's list."""
    _check_inspection(by, inspection)
    if not Employer.objects.visible_to(by).filter(pk=employer.pk).exists():
        raise ValidationError({"employer": _("This employer is outside your scope.")})
    with transaction.atomic():
        Inspection.objects.select_for_update().get(pk=inspection.pk)
        if inspection.targets.filter(employer=employer).exists():
            raise ValidationError({"employer": _("This employer is already on the list.")})
        target = InspectionTarget.objects.create(inspection=inspection, employer=employer)
        audit_create(by=by, obj=target)
    return target


def targets_add_filtered(
    *,
    by,
    inspection: Inspection,
    industry: str = "",
    organization: Organization | None = None,
    limit: int = 5000,
) -> int:
    """Put every employer of a filter on the list (industry such as construction "E", an
    organization's subtree); employers already on it are skipped. Returns how many were added."""
    _check_inspection(by, inspection)
    if not industry and organization is None:
        raise ValidationError(
            {"industry": _("Choose an industry or an organization to add employers from.")}
        )
    employers = Employer.objects.visible_to(by)
    if industry:
        employers = employers.filter(industry=industry)
    if organization is not None:
        if not Organization.objects.visible_to(by).filter(pk=organization.pk).exists():
            raise ValidationError({"organization": _("This organization is outside your scope.")})
        employers = employers.filter(organization__path__subtree=organization.path)
    with transaction.atomic():
        Inspection.objects.select_for_update().get(pk=inspection.pk)
        ids_ = list(
            employers.exclude(inspection_targets__inspection=inspection)
            .order_by("name", "pk")
            .values_list("pk", flat=True)[: limit + 1]
        )
        if len(ids_) > limit:
            raise ValidationError(
                {
                    "industry": _(
                        "More than %(n)s employers match; narrow the filter (an organization)."
                    )
                    % {"n": limit}
                }
            )
        InspectionTarget.objects.bulk_create(
            [InspectionTarget(inspection=inspection, employer_id=pk) for pk in ids_]
        )
        audit_record(
            by=by,
            action=AuditAction.CREATE,
            obj=inspection,
            detail=f"targets added: {len(ids_)} (industry={industry or '-'}, "
            f"organization={organization.pk if organization else '-'})",
        )
    return len(ids_)


def _lock_target(by, target: InspectionTarget, permission: str = HANDLE_CASES):
    _require(by, permission, _("Your role may not record inspections."))
    if not InspectionTarget.objects.visible_to(by).filter(pk=target.pk).exists():
        raise PermissionDenied(_("This inspection is outside your scope."))
    return (
        InspectionTarget.objects.select_for_update().select_related("inspection").get(pk=target.pk)
    )


def target_record(
    *,
    by,
    target: InspectionTarget,
    inspected_on: dt.date,
    inspectors: str,
    findings: str,
    arrears_found=None,
    workers_owed: int = 0,
    amount_recovered=None,
    followup_due: dt.date | None = None,
    confirm_over: bool = False,
) -> InspectionTarget:
    """What an inspection of one employer found. With a follow-up date the employer stays on
    the list of follow-up visits due."""
    errors: dict[str, str] = {}
    today = _today()
    if inspected_on is None:
        errors["inspected_on"] = _("Enter the day of the inspection.")
    elif inspected_on > today:
        errors["inspected_on"] = _("The date cannot be in the future.")
    inspectors = (inspectors or "").strip()
    if not inspectors:
        errors["inspectors"] = _("Name who inspected.")
    elif len(inspectors) > 200:
        errors["inspectors"] = _("At most 200 characters.")
    findings = (findings or "").strip()
    if not findings:
        errors["findings"] = _("Say what was found (or that nothing was owed).")
    found = parse_money(arrears_found, "arrears_found", errors)
    recovered = parse_money(amount_recovered, "amount_recovered", errors)
    try:
        workers = int(workers_owed or 0)
        if workers < 0 or workers > 100_000:
            raise ValueError
    except (TypeError, ValueError):
        errors["workers_owed"] = _("Enter a whole number, 0 or more.")
        workers = 0
    if found > 0 and workers == 0 and "workers_owed" not in errors:
        errors["workers_owed"] = _("Arrears were found: say how many workers are owed.")
    if (
        "amount_recovered" not in errors
        and "arrears_found" not in errors
        and recovered > found
        and not confirm_over
    ):
        errors["amount_recovered"] = _over_message(found, recovered)
    if followup_due is not None and inspected_on is not None and followup_due <= inspected_on:
        errors["followup_due"] = _("The follow-up visit comes after the inspection.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _lock_target(by, target)
        before = snapshot(locked)
        locked.inspected_on = inspected_on
        locked.inspectors = inspectors
        locked.findings = findings
        locked.arrears_found = found
        locked.workers_owed = workers
        locked.amount_recovered = recovered
        locked.followup_due = followup_due
        locked.status = TargetStatus.FOLLOW_UP if followup_due else TargetStatus.INSPECTED
        locked.save()
        audit_update(by=by, obj=locked, before=before, detail="inspection recorded")
    return locked


def target_follow_up(
    *,
    by,
    target: InspectionTarget,
    followed_up_on: dt.date,
    notes: str,
    amount_recovered=None,
    next_due: dt.date | None = None,
    confirm_over: bool = False,
) -> InspectionTarget:
    """A follow-up visit: what was seen, money recovered since (added), and the next visit if
    one is still needed."""
    errors: dict[str, str] = {}
    today = _today()
    notes = (notes or "").strip()
    if not notes:
        errors["notes"] = _("Say what the follow-up visit found.")
    if followed_up_on is None:
        errors["followed_up_on"] = _("Enter the day of the visit.")
    elif followed_up_on > today:
        errors["followed_up_on"] = _("The date cannot be in the future.")
    more = parse_money(amount_recovered, "amount_recovered", errors)
    if next_due is not None and followed_up_on is not None and next_due <= followed_up_on:
        errors["next_due"] = _("The next visit comes after this one.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _lock_target(by, target)
        if locked.status == TargetStatus.PLANNED:
            raise ValidationError({"followed_up_on": _("Record the inspection first.")})
        if locked.inspected_on and followed_up_on < locked.inspected_on:
            raise ValidationError(
                {"followed_up_on": _("The visit cannot be before the inspection.")}
            )
        total = locked.amount_recovered + more
        if total > locked.arrears_found and not confirm_over:
            raise ValidationError({"amount_recovered": _over_message(locked.arrears_found, total)})
        before = snapshot(locked)
        locked.followed_up_on = followed_up_on
        stamp = followed_up_on.isoformat()
        locked.followup_notes = (
            f"{locked.followup_notes}\n{stamp}: {notes}"
            if locked.followup_notes
            else f"{stamp}: {notes}"
        )
        locked.amount_recovered = total
        locked.followup_due = next_due
        locked.status = TargetStatus.FOLLOW_UP if next_due else TargetStatus.DONE
        locked.save()
        audit_update(by=by, obj=locked, before=before, detail="follow-up visit")
    return locked


def target_open_case(*, by, target: InspectionTarget, description: str = "") -> Case:
    """Open a wage-arrears case from an inspection's finding and link it to the employer's
    line. The case is entered as a walk-in by the inspecting staff, with no complainant (the
    union found it)."""
    from .intake import case_create

    _require(by, DISPATCH_CASES, _("Your role may not take in cases."))
    with transaction.atomic():
        locked = _lock_target(by, target, permission=DISPATCH_CASES)
        if locked.case_id:
            raise ValidationError({"case": _("A case was already opened from this finding.")})
        if locked.status == TargetStatus.PLANNED:
            raise ValidationError({"case": _("Record the inspection first.")})
        employer = locked.employer
        text = (description or "").strip() or _(
            "Found in the special inspection “%(name)s” on %(on)s: %(findings)s"
        ) % {
            "name": locked.inspection.name,
            "on": locked.inspected_on.isoformat() if locked.inspected_on else "",
            "findings": locked.findings,
        }
        created = case_create(
            by=by,
            channel="walk_in",
            category="complaint.wage_arrears",
            title=_("Wage arrears found by inspection: %(employer)s") % {"employer": employer.name},
            description=text[:5000],
            employer=employer,
            workers_affected=max(1, locked.workers_owed),
            amount_claimed=max(locked.arrears_found - locked.amount_recovered, ZERO),
            anonymous=True,
            received_by=locked.inspection.organization,
            internal_note=_("Opened from the special inspection “%(name)s”.")
            % {"name": locked.inspection.name},
        )
        before = snapshot(locked)
        locked.case = created.case
        locked.save(update_fields=["case"])
        audit_update(by=by, obj=locked, before=before, detail="case opened")
    return created.case


def inspection_totals(inspection: Inspection, today: dt.date | None = None) -> dict:
    """The campaign's figures: employers inspected of planned, arrears found, recovered,
    workers owed, follow-up visits due and overdue."""
    today = today or _today()
    row = inspection.targets.aggregate(
        planned=Count("id"),
        inspected=Count("id", filter=~Q(status=TargetStatus.PLANNED)),
        with_arrears=Count("id", filter=Q(arrears_found__gt=0)),
        arrears_found=Sum("arrears_found"),
        recovered=Sum("amount_recovered"),
        workers_owed=Sum("workers_owed"),
        followups_due=Count("id", filter=Q(status=TargetStatus.FOLLOW_UP, followup_due__gte=today)),
        followups_overdue=Count(
            "id", filter=Q(status=TargetStatus.FOLLOW_UP, followup_due__lt=today)
        ),
        cases=Count("case"),
    )
    for key in ("arrears_found", "recovered"):
        row[key] = (row[key] or ZERO).quantize(CENT)  # SQLite sums decimals as floats
    row["workers_owed"] = row["workers_owed"] or 0
    row["outstanding"] = max(row["arrears_found"] - row["recovered"], ZERO)
    return row


# --- joint meetings ----------------------------------------------------------------------------


def _clean_meeting(data: dict, errors: dict) -> dict:
    clean = {}
    for field, required, limit in (
        ("title", True, 200),
        ("place", False, 200),
        ("attendees", True, 5000),
        ("issues", True, 10000),
        ("decisions", False, 10000),
    ):
        value = (data.get(field) or "").strip()
        if required and not value:
            errors[field] = {
                "title": _("Give the meeting a title."),
                "attendees": _("List the departments and people who attended."),
                "issues": _("List the issues raised."),
            }[field]
        elif len(value) > limit:
            errors[field] = _("At most %(n)s characters.") % {"n": limit}
        clean[field] = value
    held_on = data.get("held_on")
    if held_on is None:
        errors["held_on"] = _("Enter the day of the meeting.")
    clean["held_on"] = held_on
    return clean


def _meeting_cases(by, cases) -> list[Case]:
    cases = list(cases or [])
    visible = set(
        Case.objects.visible_to(by)
        .filter(pk__in=[c.pk for c in cases])
        .values_list("pk", flat=True)
    )
    if any(c.pk not in visible for c in cases):
        raise ValidationError({"cases": _("One of the cases is outside your scope.")})
    return cases


def meeting_create(*, by, organization: Organization, cases=(), **data) -> JointMeeting:
    """Record a joint meeting (联席会议): attendees, issues raised (linked to cases), decisions."""
    _require(by, DISPATCH_CASES, _("Your role may not record joint meetings."))
    errors: dict[str, str] = {}
    clean = _clean_meeting(data, errors)
    if errors:
        raise ValidationError(errors)
    _in_scope(by, organization)
    linked = _meeting_cases(by, cases)
    with transaction.atomic():
        meeting = JointMeeting.objects.create(organization=organization, created_by=by, **clean)
        meeting.cases.set(linked)
        audit_create(by=by, obj=meeting, detail=f"cases={[c.pk for c in linked]}")
    return meeting


def meeting_update(*, by, meeting: JointMeeting, cases=(), **data) -> JointMeeting:
    _require(by, DISPATCH_CASES, _("Your role may not record joint meetings."))
    if not JointMeeting.objects.visible_to(by).filter(pk=meeting.pk).exists():
        raise PermissionDenied(_("This meeting is outside your scope."))
    errors: dict[str, str] = {}
    clean = _clean_meeting(data, errors)
    if errors:
        raise ValidationError(errors)
    linked = _meeting_cases(by, cases)
    with transaction.atomic():
        locked = JointMeeting.objects.select_for_update().get(pk=meeting.pk)
        before = snapshot(locked)
        for key, value in clean.items():
            setattr(locked, key, value)
        locked.save()
        # Cases of other organizations linked by someone higher up stay linked.
        hidden = locked.cases.exclude(pk__in=Case.objects.visible_to(by).values("pk"))
        locked.cases.set([*linked, *hidden])
        audit_update(by=by, obj=locked, before=before, detail=f"cases={[c.pk for c in linked]}")
    return locked


def action_add(*, by, meeting: JointMeeting, text: str, owner: str, due_on: dt.date) -> ActionItem:
    """An action item decided at the meeting: what, who (department or person), by when."""
    _require(by, DISPATCH_CASES, _("Your role may not record joint meetings."))
    if not JointMeeting.objects.visible_to(by).filter(pk=meeting.pk).exists():
        raise PermissionDenied(_("This meeting is outside your scope."))
    errors: dict[str, str] = {}
    text = (text or "").strip()
    owner = (owner or "").strip()
    if not text:
        errors["text"] = _("Say what is to be done.")
    if not owner:
        errors["owner"] = _("Name the department or person responsible.")
    elif len(owner) > 200:
        errors["owner"] = _("At most 200 characters.")
    if due_on is None:
        errors["due_on"] = _("Enter the due date.")
    elif due_on < meeting.held_on:
        errors["due_on"] = _("The due date cannot be before the meeting.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        action = ActionItem.objects.create(meeting=meeting, text=text, owner=owner, due_on=due_on)
        audit_record(
            by=by,
            action=AuditAction.UPDATE,
            obj=meeting,
            changes={"action_item": [None, f"{owner}: {text[:80]} ({due_on})"]},
            detail="action item added",
        )
    return action


def action_done(*, by, action: ActionItem, done_on: dt.date, result: str) -> ActionItem:
    """Mark an action item done with its result (the result is required)."""
    _require(by, DISPATCH_CASES, _("Your role may not record joint meetings."))
    if not JointMeeting.objects.visible_to(by).filter(pk=action.meeting_id).exists():
        raise PermissionDenied(_("This meeting is outside your scope."))
    errors: dict[str, str] = {}
    result = (result or "").strip()
    if not result:
        errors["result"] = _("Say what was done.")
    if done_on is None:
        errors["done_on"] = _("Enter the day it was done.")
    elif done_on > _today():
        errors["done_on"] = _("The date cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = ActionItem.objects.select_for_update().select_related("meeting").get(pk=action.pk)
        if locked.done_on:
            raise ValidationError(
                {"done_on": _("Already marked done on %(on)s.") % {"on": locked.done_on}}
            )
        if done_on < locked.meeting.held_on:
            raise ValidationError({"done_on": _("The date cannot be before the meeting.")})
        locked.done_on = done_on
        locked.result = result
        locked.save(update_fields=["done_on", "result"])
        audit_record(
            by=by,
            action=AuditAction.UPDATE,
            obj=locked.meeting,
            changes={"action_item_done": [None, f"{locked.pk}: {result[:80]} ({done_on})"]},
            detail="action item done",
        )
    return locked


def open_action_items(user, today: dt.date | None = None):
    """Action items not done, of the meetings the user may see, earliest due first; each
    carries ``overdue``."""
    today = today or _today()
    items = list(
        ActionItem.objects.filter(
            meeting__in=JointMeeting.objects.visible_to(user), done_on__isnull=True
        )
        .select_related("meeting")
        .order_by("due_on", "id")
    )
    for item in items:
        item.overdue = item.due_on < today
    return items


__all__ = [
    "action_add",
    "action_done",
    "case_totals",
    "construction_update",
    "inspection_create",
    "inspection_totals",
    "is_arrears_case",
    "meeting_create",
    "meeting_update",
    "open_action_items",
    "parse_money",
    "party_add",
    "party_remove",
    "party_update",
    "recovery_record",
    "target_add",
    "target_follow_up",
    "target_open_case",
    "target_record",
    "targets_add_filtered",
]
