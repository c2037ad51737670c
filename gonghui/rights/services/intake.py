"""Intake: one function turns a complaint or help request from any channel into a case.

``case_create`` validates everything first (a wrong field raises ``ValidationError`` naming it,
and nothing is saved), then in one transaction saves the case, its parties and attachments,
links the worker and employer it recognizes, writes the first timeline event, and tells the
area (``signals.case_received``: early warning). After commit the worker gets an SMS with the
tracking code (never the PIN) when they left a phone number.

Matching (issue: "the same person or employer seen again is linked"):
- worker: by resident id (keyed hash), else by the phone when exactly one worker has it, else
  the worker bound to the signed-in portal account;
- employer: by unified social credit code, else exact name, else a former name; when nothing
  matches the name is kept as given for a person to match later;
- open cases of the same worker or phone about the same employer are listed by
  ``similar_open_cases`` so staff can merge duplicates.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.accounts.roles import DISPATCH_CASES
from gonghui.audit.services import audit_create
from gonghui.core import identifiers as ids
from gonghui.core import workdays
from gonghui.core.fields import hash_for
from gonghui.members.models import Worker
from gonghui.organizations.models import Employer, Organization

from .. import attachments as attachment_rules
from .. import codes, search, signals
from ..catalog import CATEGORY_LABELS, WAGE_ARREARS_CATEGORIES, kind_of
from ..models import (
    OPEN_STATUSES,
    Attachment,
    Case,
    CaseEvent,
    CaseParty,
    Channel,
    EventKind,
    RightsSettings,
)

MAX_WORKERS = 100_000
MAX_AMOUNT = Decimal("999999999999.99")


@dataclass(frozen=True)
class Created:
    case: Case
    pin: str  # shown once to the worker; only its hash is kept

    @property
    def tracking_code(self) -> str:
        return codes.format_code(self.case.tracking_code)


def _money(value, field: str, errors: dict) -> Decimal:
    if value in (None, ""):
        return Decimal("0.00")
    try:
        amount = Decimal(str(value).replace(",", "").replace("，", "").strip())
    except InvalidOperation:
        errors[field] = _("Enter an amount in yuan, such as 3500 or 3500.50.")
        return Decimal("0.00")
    if not amount.is_finite() or amount < 0:
        errors[field] = _("The amount cannot be negative.")
        return Decimal("0.00")
    if amount > MAX_AMOUNT:
        errors[field] = _("The amount is too large.")
        return Decimal("0.00")
    if amount != amount.quantize(Decimal("0.01")):
        errors[field] = _("Amounts have at most two decimal places (fen).")
        return Decimal("0.00")
    return amount.quantize(Decimal("0.01"))


def find_employer(text: str) -> Employer | None:
    """An employer by credit code, exact name, or a former name (None when unknown or
    ambiguous). The employer's organization comes with it (intake and early warning use it)."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        code = ids.parse_uscc(text)
    except ids.IdentifierError:
        code = ""
    employers = Employer.objects.select_related("organization")
    if code:
        return employers.filter(uscc=code).first()
    exact = list(employers.filter(name=text)[:2])
    if len(exact) == 1:
        return exact[0]
    if exact:
        return None
    former = list(_former_name(employers, text)[:2])
    return former[0] if len(former) == 1 else None


def _former_name(employers, text: str):
    """Employers with ``text`` among their former names, exactly. PostgreSQL: JSON containment
    (``former_names @> '["…"]'``; a GIN index on ``former_names`` spares reading every
    employer). SQLite stores the list with non-ASCII characters escaped (``\\u6d4b…``), so a
    LIKE on the text never finds a Chinese name there: the list's elements are compared with
    ``json_each``."""
    if connection.features.supports_json_field_contains:
        return employers.filter(former_names__contains=[text])
    table = Employer._meta.db_table
    return employers.extra(
        where=[f'EXISTS (SELECT 1 FROM json_each("{table}"."former_names") WHERE value = %s)'],  # noqa: S608 (the model's own table)
        params=[text],
    )


def intake_organization(employer: Employer | None, fallback: Organization | None) -> Organization:
    """Where a case is received: the nearest federation above the employer's organization (the
    county federation runs the platform), else the given fallback, else the only root."""
    if employer is not None:
        org = employer.organization
        chain = Organization.objects.filter(
            path__in=[org.path[:i] for i in range(len(org.path), 0, -1)], kind="federation"
        ).order_by("-depth")
        found = chain.first()
        if found:
            return found
    if fallback is not None:
        return fallback
    roots = list(Organization.objects.filter(parent__isnull=True)[:2])
    if len(roots) != 1:
        raise ValidationError({"received_by": _("Choose the federation that receives this case.")})
    return roots[0]


def _next_case_id() -> int | None:
    """PostgreSQL: the new case's id drawn from its sequence before the insert, so that the case
    number (which holds the id) goes in with the row instead of a second UPDATE, which would
    write a new version of the row into each of the table's indexes (the full-text one too).
    None elsewhere (SQLite: the number is set by an UPDATE after the insert)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [Case._meta.db_table])
        return cursor.fetchone()[0]


def _match_worker(id_number: str, phone: str, portal_account) -> Worker | None:
    if id_number:
        worker = Worker.objects.filter(id_number_hash=hash_for("id_number", id_number)).first()
        if worker:
            return worker
    if portal_account is not None and getattr(portal_account, "worker_id", None):
        return portal_account.worker
    if phone:
        found = list(Worker.objects.filter(phone_hash=hash_for("phone", phone))[:2])
        if len(found) == 1:
            return found[0]
    return None


def _clean_party(index: int, party: dict, errors: dict) -> dict:
    prefix = f"parties.{index}"
    name = (party.get("name") or "").strip()
    if not name:
        errors[f"{prefix}.name"] = _("Enter the worker's name.")
    phone = (party.get("phone") or "").strip()
    if phone:
        try:
            phone = ids.normalize_mobile(phone)
        except ids.IdentifierError as exc:
            errors[f"{prefix}.phone"] = str(exc.message)
    id_number = (party.get("id_number") or "").strip()
    if id_number:
        try:
            id_number = ids.parse_resident_id(id_number).number
        except ids.IdentifierError as exc:
            errors[f"{prefix}.id_number"] = str(exc.message)
    return {
        "name": name[:64],
        "phone": phone,
        "id_number": id_number,
        "months": (party.get("months") or "").strip()[:200],
        "amount_claimed": _money(party.get("amount_claimed"), f"{prefix}.amount_claimed", errors),
    }


def case_create(
    *,
    by=None,
    channel: str,
    category: str,
    title: str = "",
    description: str,
    employer: Employer | None = None,
    employer_text: str = "",
    workers_affected: int | str = 1,
    amount_claimed=None,
    anonymous: bool = False,
    complainant_name: str = "",
    complainant_phone: str = "",
    complainant_id_number: str = "",
    portal_account=None,
    received_by: Organization | None = None,
    received_at: dt.datetime | None = None,
    parties: list[dict] | None = None,
    project_name: str = "",
    general_contractor: str = "",
    subcontractors: list[str] | None = None,
    arrears_months: str = "",
    uploads=None,
    internal_note: str = "",
) -> Created:
    """Create a case from any channel; see the module docstring.

    ``by`` is the staff user entering it (hotline, walk-in, letter) or None for the portal and
    the public API. ``employer_text`` is what the worker typed (name or credit code), matched
    when ``employer`` is not given. ``uploads`` are Django uploaded files (type checked by
    content). Returns the case and the PIN, which is shown once and never stored in clear.
    """
    errors: dict[str, str] = {}
    if channel not in Channel.values:
        errors["channel"] = _("Choose a channel.")
    if by is not None:
        if not by.can(DISPATCH_CASES):
            raise PermissionDenied(_("Your role may not take in cases."))
    elif channel not in (Channel.PORTAL, Channel.API):
        errors["channel"] = _("Only staff enter cases from this channel.")
    if category not in CATEGORY_LABELS:
        errors["category"] = _("Choose a category from the list.")
    description = (description or "").strip()
    if len(description) < 5:
        errors["description"] = _("Say in a few words what happened (at least 5 characters).")
    elif len(description) > 5000:
        errors["description"] = _("At most 5,000 characters; attach documents for the rest.")
    title = (title or "").strip()
    if not title and description:
        title = description.splitlines()[0][:60]
    title = title[:200]
    try:
        workers = int(str(workers_affected).strip() or 1)
        if workers < 1 or workers > MAX_WORKERS:
            raise ValueError
    except ValueError:
        errors["workers_affected"] = _(
            "Enter how many workers are affected (a whole number, 1 or more)."
        )
        workers = 1
    claimed = _money(amount_claimed, "amount_claimed", errors)

    name = (complainant_name or "").strip()[:64]
    phone = (complainant_phone or "").strip()
    id_number = (complainant_id_number or "").strip()
    if anonymous:
        name = phone = id_number = ""
    else:
        if phone:
            try:
                phone = ids.normalize_mobile(phone)
            except ids.IdentifierError as exc:
                errors["complainant_phone"] = str(exc.message)
        elif channel == Channel.PORTAL and portal_account is None:
            errors["complainant_phone"] = _(
                "Leave a mobile number so that we can reach you, or choose to stay anonymous."
            )
        if id_number:
            try:
                id_number = ids.parse_resident_id(id_number).number
            except ids.IdentifierError as exc:
                errors["complainant_id_number"] = str(exc.message)
        if not name and channel != Channel.PORTAL and not phone:
            errors["complainant_name"] = _(
                "Enter the name or the phone of the person, or mark it anonymous."
            )
    if portal_account is not None and not anonymous and not phone:
        phone = portal_account.phone

    clean_parties = [_clean_party(i, p, errors) for i, p in enumerate(parties or [])]
    if clean_parties and len(clean_parties) > workers:
        workers = len(clean_parties)
    employer_text = (employer_text or "").strip()[:200]
    if employer is None and employer_text:
        employer = find_employer(employer_text)
    if (
        category in WAGE_ARREARS_CATEGORIES
        and employer is None
        and not employer_text
        and not project_name
    ):
        errors["employer_text"] = _("Name the employer or the project that owes the wages.")
    try:
        checked = attachment_rules.check_all(uploads)
    except ValidationError as exc:
        errors.update({k: " ".join(v) for k, v in exc.message_dict.items()})
        checked = []
    if errors:
        raise ValidationError(errors)

    if by is not None and received_by is None:
        received_by = by.organization
    receiver = intake_organization(employer, received_by) if by is None else received_by
    if by is not None and not by.is_superuser and not receiver.path.startswith(by.scope_prefix):
        raise PermissionDenied(_("This organization is outside your scope."))

    now = received_at or timezone.now()
    rules = RightsSettings.current()
    today = timezone.localdate(now) if timezone.is_aware(now) else now.date()
    # looked up before the transaction: on SQLite it holds the database's write lock
    matched = None if anonymous else _match_worker(id_number, phone, portal_account)
    with transaction.atomic():
        code = codes.new_tracking_code()
        pin = codes.new_pin()
        pk = _next_case_id()
        case = Case(
            pk=pk,
            # the year and the id; without the id beforehand, replaced below once it is known
            number=f"{now:%Y}{pk:08d}" if pk else f"T{code}",
            tracking_code=code,
            pin_hash=codes.pin_hash(code, pin),
            channel=channel,
            kind=kind_of(category),
            category=category,
            title=title,
            description=description,
            anonymous=anonymous,
            complainant_name=name,
            complainant_phone=phone,
            complainant_id_number=id_number,
            worker=matched,
            portal_account=portal_account,
            employer=employer,
            employer_name_given="" if employer else employer_text,
            workers_affected=workers,
            collective=workers > 1,
            amount_claimed=claimed
            or sum((p["amount_claimed"] for p in clean_parties), Decimal("0.00")),
            project_name=project_name.strip()[:200],
            general_contractor=general_contractor.strip()[:200],
            subcontractors=[s.strip()[:200] for s in (subcontractors or []) if s and s.strip()],
            arrears_months=arrears_months.strip()[:200],
            organization=receiver,
            received_by=receiver,
            received_at=now,
            accept_due=workdays.add_working_days(today, rules.accept_days),
            created_by=by,
        )
        case.search_text = search.document(case.title, case.description, case.employer_name_given)
        case.save(force_insert=True)
        if pk is None:
            case.number = f"{now:%Y}{case.pk:08d}"
            Case.objects.filter(pk=case.pk).update(number=case.number)
        for party in clean_parties:
            worker = None
            if party["id_number"]:
                worker = Worker.objects.filter(
                    id_number_hash=hash_for("id_number", party["id_number"])
                ).first()
            CaseParty.objects.create(case=case, worker=worker, **party)
        for upload, content_type, size, sha in checked:
            attachment = Attachment(
                case=case,
                original_name=(upload.name or "")[:255],
                content_type=content_type,
                size=size,
                sha256=sha,
                from_worker=by is None,
                uploaded_by=by,
            )
            attachment.file.save(upload.name or "file", upload, save=False)
            attachment.save()
        CaseEvent.objects.create(
            case=case,
            kind=EventKind.RECEIVED,
            at=now,
            actor=by,
            to_status=case.status,
            public_text=_(
                "Your submission was received. It will be accepted or answered within %(n)d working days."
            )
            % {"n": rules.accept_days},
            internal_note=internal_note,
            data={"channel": channel, "attachments": len(checked)},
        )
        audit_create(by=by, obj=case, detail=f"channel={channel}")
        signals.case_received.send(sender=Case, case=case, rules=rules)
        if phone and not anonymous:
            from gonghui.notifications.services import sms_send

            sms_send(
                phone=phone,
                text=_(
                    "[Trade union] We received your request. Tracking code %(code)s. "
                    "Use it with your PIN to follow the case."
                )
                % {"code": codes.format_code(code)},
            )
    return Created(case=case, pin=pin)


def similar_open_cases(case: Case, limit: int = 20):
    """Open cases that may be the same matter: same worker, same phone, or same employer."""
    condition = Q()
    if case.worker_id:
        condition |= Q(worker_id=case.worker_id)
    if case.complainant_phone_hash:
        condition |= Q(complainant_phone_hash=case.complainant_phone_hash)
    if case.employer_id:
        condition |= Q(employer_id=case.employer_id)
    elif case.employer_name_given:
        condition |= Q(employer_name_given=case.employer_name_given)
    if not condition:
        return Case.objects.none()
    return (
        Case.objects.filter(condition, status__in=OPEN_STATUSES, merged_into__isnull=True)
        .exclude(pk=case.pk)
        .order_by("-received_at")[:limit]
    )
