"""Workers and memberships: every change of state goes through these functions.

Each checks the actor's right over the records it touches (scope and role), runs in one
transaction, locks what it changes, writes the audit log and the membership history.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.accounts.roles import CHANGE
from gonghui.audit.services import audit_create, audit_record, audit_update, snapshot
from gonghui.core import identifiers as ids
from gonghui.core.fields import hash_for
from gonghui.organizations.models import GRASSROOTS_KINDS, Employer, Organization

from .models import (
    DuplicateCandidate,
    DuplicateStatus,
    Membership,
    MembershipEvent,
    MembershipEventKind,
    MembershipStatus,
    MembershipTransfer,
    TransferStatus,
    Worker,
    WorkerType,
)


def _require(by, organization: Organization) -> None:
    """The actor may change records held at ``organization`` (None: system actions)."""
    if by is None:
        return
    if not by.can(CHANGE):
        raise PermissionDenied(_("Your role may not change records."))
    if by.is_superuser:
        return
    if not organization.path.startswith(by.scope_prefix):
        raise PermissionDenied(_("This organization is outside your scope."))


def _event(worker: Worker, organization: Organization, kind: str, by, **data) -> MembershipEvent:
    return MembershipEvent.objects.create(
        worker=worker,
        organization=organization,
        kind=kind,
        actor=by if by is not None and by.is_authenticated else None,
        data=data,
    )


def _review_flags(parsed: ids.ResidentId, sex: str, birth_date: dt.date | None) -> list[str]:
    flags = list(parsed.warnings and ["area_code_unknown"] or [])
    if sex and sex != parsed.sex:
        flags.append("sex_mismatch")
    if birth_date and birth_date != parsed.birth_date:
        flags.append("birth_date_mismatch")
    return flags


def _clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not 2 <= len(name) <= 20:
        raise ValidationError({"name": _("A name has 2 to 20 characters.")})
    return name


@transaction.atomic
def worker_create(
    *,
    by,
    organization: Organization,
    name: str,
    id_number: str,
    phone: str = "",
    worker_type: str = WorkerType.REGULAR,
    employer: Employer | None = None,
    dispatching_employer: Employer | None = None,
    sex: str = "",
    birth_date: dt.date | None = None,
) -> Worker:
    """Register one person. Sex and birth date come from the ID number; values given that
    disagree with it are kept out and flagged for a person to check."""
    _require(by, organization)
    errors: dict[str, list[str]] = {}
    try:
        name = _clean_name(name)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    parsed = None
    try:
        parsed = ids.parse_resident_id(id_number)
    except ids.IdentifierError as exc:
        errors["id_number"] = [str(exc.message)]
    if phone:
        try:
            phone = ids.normalize_mobile(phone)
        except ids.IdentifierError as exc:
            errors["phone"] = [str(exc.message)]
    if worker_type not in WorkerType.values:
        errors["worker_type"] = [_("Choose a worker type.")]
    if (
        parsed is not None
        and Worker.objects.filter(id_number_hash=hash_for("id_number", parsed.number)).exists()
    ):
        errors["id_number"] = [
            _("A worker with this ID number is already on record; search for them instead.")
        ]
    if errors:
        raise ValidationError(errors)
    worker = Worker(
        name=name,
        id_number=parsed.number,
        phone=phone,
        sex=parsed.sex,
        birth_date=parsed.birth_date,
        worker_type=worker_type,
        employer=employer,
        dispatching_employer=dispatching_employer,
        organization=organization,
        review_flags=_review_flags(parsed, sex, birth_date),
    )
    try:
        with transaction.atomic():
            worker.save()
    except IntegrityError:  # the same person registered at the same moment by someone else
        raise ValidationError(
            {
                "id_number": [
                    _("A worker with this ID number is already on record; search for them instead.")
                ]
            }
        ) from None
    audit_create(by=by, obj=worker)
    return worker


WORKER_EDITABLE = ("name", "phone", "worker_type", "employer", "dispatching_employer")


@transaction.atomic
def worker_update(*, by, worker: Worker, **changes) -> Worker:
    worker = Worker.objects.select_for_update().get(pk=worker.pk)
    _require(by, worker.organization)
    unknown = set(changes) - set(WORKER_EDITABLE)
    if unknown:
        raise ValueError(f"not editable here: {sorted(unknown)}")
    errors: dict[str, list[str]] = {}
    if "name" in changes:
        try:
            changes["name"] = _clean_name(changes["name"])
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if changes.get("phone"):
        try:
            changes["phone"] = ids.normalize_mobile(changes["phone"])
        except ids.IdentifierError as exc:
            errors["phone"] = [str(exc.message)]
    if errors:
        raise ValidationError(errors)
    before = snapshot(worker)
    for key, value in changes.items():
        setattr(worker, key, value)
    worker.save()
    audit_update(by=by, obj=worker, before=before)
    return worker


def _next_card_number(union: Organization) -> str:
    """Region code + union id + a number counted under a lock: never max + 1 in a race."""
    locked = Organization.objects.select_for_update().get(pk=union.pk)
    count = Membership.objects.filter(union=locked).count() + 1
    while True:
        number = f"{locked.region_code[:6]}{locked.pk:05d}{count:06d}"
        if not Membership.objects.filter(card_number=number).exists():
            return number
        count += 1


@transaction.atomic
def membership_join(
    *,
    by,
    worker: Worker,
    union: Organization,
    joined_on: dt.date | None = None,
    card_number: str = "",
) -> Membership:
    """A worker joins a grassroots union (or rejoins after a lapse)."""
    union = Organization.objects.get(pk=union.pk)
    _require(by, union)
    if union.kind not in GRASSROOTS_KINDS:
        raise ValidationError({"union": [_("Members join a grassroots union.")]})
    if not union.is_active:
        raise ValidationError({"union": [_("This union is closed.")]})
    worker = Worker.objects.select_for_update().get(pk=worker.pk)
    joined_on = joined_on or timezone.localdate()
    if joined_on > timezone.localdate():
        raise ValidationError({"joined_on": [_("The joining date is in the future.")]})
    active = (
        Membership.objects.filter(worker=worker, status=MembershipStatus.ACTIVE)
        .select_related("union")
        .first()
    )
    if active is not None:
        raise ValidationError(
            {
                "union": [
                    _("%(name)s is already a member of %(union)s; use a transfer.")
                    % {"name": worker.name, "union": active.union.name}
                ]
            }
        )
    card_number = card_number.strip() or _next_card_number(union)
    if Membership.objects.filter(card_number=card_number).exists():
        raise ValidationError({"card_number": [_("This card number is already used.")]})
    rejoining = Membership.objects.filter(worker=worker).exists()
    membership = Membership.objects.create(
        worker=worker, union=union, joined_on=joined_on, card_number=card_number
    )
    kind = MembershipEventKind.REJOINED if rejoining else MembershipEventKind.JOINED
    _event(worker, union, kind, by, union=union.name, card_number=card_number)
    audit_create(by=by, obj=membership)
    return membership


END_KINDS = {
    MembershipStatus.LAPSED: MembershipEventKind.LAPSED,
    MembershipStatus.RETIRED: MembershipEventKind.RETIRED,
    MembershipStatus.DECEASED: MembershipEventKind.DECEASED,
    MembershipStatus.LEFT: MembershipEventKind.LEFT,
}


@transaction.atomic
def membership_end(
    *, by, membership: Membership, status: str, ended_on: dt.date | None = None, reason: str = ""
) -> Membership:
    """Lapse, retirement, death or leaving: the membership ends with its date and reason."""
    membership = (
        Membership.objects.select_for_update()
        .select_related("union", "worker")
        .get(pk=membership.pk)
    )
    _require(by, membership.union)
    if status not in END_KINDS:
        raise ValidationError({"status": [_("Choose how the membership ends.")]})
    if membership.status != MembershipStatus.ACTIVE:
        raise ValidationError({"status": [_("This membership has already ended.")]})
    ended_on = ended_on or timezone.localdate()
    if ended_on < membership.joined_on:
        raise ValidationError({"ended_on": [_("The end date is before the joining date.")]})
    if membership.transfers.filter(status=TransferStatus.REQUESTED).exists():
        raise ValidationError(
            {
                "status": [
                    _("A transfer of this membership is waiting for a decision; decide it first.")
                ]
            }
        )
    before = snapshot(membership)
    membership.status, membership.ended_on, membership.end_reason = (
        status,
        ended_on,
        reason.strip()[:200],
    )
    membership.save()
    _event(membership.worker, membership.union, END_KINDS[status], by, reason=membership.end_reason)
    audit_update(by=by, obj=membership, before=before)
    return membership


@transaction.atomic
def membership_transfer_request(
    *, by, membership: Membership, to_union: Organization, reason: str = ""
) -> MembershipTransfer:
    """The member moves to another employer's union; the receiving union decides."""
    membership = (
        Membership.objects.select_for_update()
        .select_related("union", "worker")
        .get(pk=membership.pk)
    )
    if by is not None and not by.is_superuser:
        # Either side may start a transfer: the union the member leaves, or the one they join.
        prefix = by.scope_prefix
        if not (
            membership.union.path.startswith(prefix) or to_union.path.startswith(prefix)
        ) or not by.can(CHANGE):
            raise PermissionDenied(_("This membership is outside your scope."))
    if membership.status != MembershipStatus.ACTIVE:
        raise ValidationError({"membership": [_("Only an active membership can be transferred.")]})
    if to_union.kind not in GRASSROOTS_KINDS or not to_union.is_active:
        raise ValidationError({"to_union": [_("Choose an active grassroots union.")]})
    if to_union.pk == membership.union_id:
        raise ValidationError({"to_union": [_("The member already belongs to this union.")]})
    if MembershipTransfer.objects.filter(
        membership=membership, status=TransferStatus.REQUESTED
    ).exists():
        raise ValidationError(
            {"membership": [_("A transfer of this membership is already waiting for a decision.")]}
        )
    transfer = MembershipTransfer.objects.create(
        membership=membership,
        worker=membership.worker,
        from_union=membership.union,
        to_union=to_union,
        reason=reason.strip()[:200],
        requested_by=by if by is not None and by.is_authenticated else None,
    )
    _event(
        membership.worker,
        membership.union,
        MembershipEventKind.TRANSFER_REQUESTED,
        by,
        to_union=to_union.name,
    )
    audit_create(by=by, obj=transfer)
    return transfer


def _lock_open_transfer(transfer: MembershipTransfer) -> MembershipTransfer:
    transfer = (
        MembershipTransfer.objects.select_for_update()
        .select_related("membership", "worker", "from_union", "to_union")
        .get(pk=transfer.pk)
    )
    if transfer.status != TransferStatus.REQUESTED:
        raise ValidationError(
            {
                "status": [
                    _("This transfer was already decided (%(status)s) by someone else.")
                    % {"status": transfer.get_status_display()}
                ]
            }
        )
    return transfer


@transaction.atomic
def membership_transfer_approve(*, by, transfer: MembershipTransfer, note: str = "") -> Membership:
    """The receiving union accepts: the old membership ends as transferred, a new one starts
    with the same card number, both histories record it. Two staff approving at the same
    moment: the row lock lets one through; the other is told it was already decided."""
    transfer = _lock_open_transfer(transfer)
    _require(by, transfer.to_union)
    old = Membership.objects.select_for_update().get(pk=transfer.membership_id)
    if old.status != MembershipStatus.ACTIVE:
        raise ValidationError(
            {"status": [_("The membership has ended meanwhile; the transfer cannot proceed.")]}
        )
    today = timezone.localdate()
    old.status, old.ended_on, old.end_reason = (
        MembershipStatus.TRANSFERRED,
        today,
        _("Transferred to %(union)s") % {"union": transfer.to_union.name},
    )
    card = old.card_number
    old.card_number = ""  # the card moves with the member
    old.save()
    new = Membership.objects.create(
        worker=transfer.worker, union=transfer.to_union, joined_on=today, card_number=card
    )
    transfer.status, transfer.decided_by, transfer.decided_at, transfer.decision_note = (
        TransferStatus.APPROVED,
        by,
        timezone.now(),
        note.strip()[:200],
    )
    transfer.save()
    worker = Worker.objects.select_for_update().get(pk=transfer.worker_id)
    worker.organization = transfer.to_union
    worker.save(update_fields=["organization", "updated_at"])
    _event(
        worker,
        transfer.from_union,
        MembershipEventKind.TRANSFERRED_OUT,
        by,
        to_union=transfer.to_union.name,
    )
    _event(
        worker,
        transfer.to_union,
        MembershipEventKind.TRANSFERRED_IN,
        by,
        from_union=transfer.from_union.name,
    )
    audit_record(
        by=by, action="transition", obj=transfer, changes={"status": ["requested", "approved"]}
    )
    return new


@transaction.atomic
def membership_transfer_reject(
    *, by, transfer: MembershipTransfer, note: str
) -> MembershipTransfer:
    transfer = _lock_open_transfer(transfer)
    _require(by, transfer.to_union)
    if not note.strip():
        raise ValidationError({"note": [_("Say why the transfer is refused.")]})
    transfer.status, transfer.decided_by, transfer.decided_at, transfer.decision_note = (
        TransferStatus.REJECTED,
        by,
        timezone.now(),
        note.strip()[:200],
    )
    transfer.save()
    _event(
        transfer.worker,
        transfer.from_union,
        MembershipEventKind.TRANSFER_REJECTED,
        by,
        to_union=transfer.to_union.name,
        note=transfer.decision_note,
    )
    audit_record(
        by=by, action="transition", obj=transfer, changes={"status": ["requested", "rejected"]}
    )
    return transfer


# --- possible duplicates --------------------------------------------------------------------


def _ids_one_apart(a: str, b: str) -> bool:
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b, strict=True)) == 1


def duplicates_find(*, workers=None) -> int:
    """Queue pairs that may be one person: the same name and birth date at different employers,
    or ID numbers that differ in one character (a typing slip that passed the check digit, or
    a legacy record). Returns how many new pairs were queued."""
    from django.db.models import Count

    qs = workers if workers is not None else Worker.objects.all()
    created = 0
    groups = (
        qs.values("name", "birth_date")
        .annotate(n=Count("id"))
        .filter(n__gt=1, birth_date__isnull=False)
    )
    for group in groups.iterator():
        people = list(qs.filter(name=group["name"], birth_date=group["birth_date"]).order_by("pk"))
        for i, a in enumerate(people):
            for b in people[i + 1 :]:
                if a.employer_id == b.employer_id and a.employer_id is not None:
                    reason = "same_name_birth_employer"
                elif _ids_one_apart(a.id_number, b.id_number):
                    reason = "id_one_character_apart"
                else:
                    reason = "same_name_birth"
                _, made = DuplicateCandidate.objects.get_or_create(
                    worker_a=a, worker_b=b, defaults={"reason": reason}
                )
                created += made
    return created


@transaction.atomic
def duplicate_dismiss(*, by, candidate: DuplicateCandidate) -> DuplicateCandidate:
    candidate = (
        DuplicateCandidate.objects.select_for_update()
        .select_related("worker_a__organization")
        .get(pk=candidate.pk)
    )
    _require(by, candidate.worker_a.organization)
    if candidate.status != DuplicateStatus.OPEN:
        raise ValidationError({"status": [_("This pair was already decided.")]})
    candidate.status, candidate.decided_by, candidate.decided_at = (
        DuplicateStatus.DISMISSED,
        by,
        timezone.now(),
    )
    candidate.save()
    audit_record(
        by=by, action="transition", obj=candidate, changes={"status": ["open", "dismissed"]}
    )
    return candidate


@transaction.atomic
def worker_merge(*, by, candidate: DuplicateCandidate, keep: Worker) -> Worker:
    """Merge two records of one person into ``keep``: every linked record (memberships, their
    history, transfers, cadre terms, portal account, and what later areas link) moves to it;
    the other record is deleted. Refused when both have an active membership."""
    candidate = DuplicateCandidate.objects.select_for_update().get(pk=candidate.pk)
    if candidate.status != DuplicateStatus.OPEN:
        raise ValidationError({"status": [_("This pair was already decided.")]})
    if keep.pk not in (candidate.worker_a_id, candidate.worker_b_id):
        raise ValidationError({"keep": [_("Keep one of the two records.")]})
    survivor = Worker.objects.select_for_update().get(pk=keep.pk)
    other_id = candidate.worker_b_id if keep.pk == candidate.worker_a_id else candidate.worker_a_id
    other = Worker.objects.select_for_update().get(pk=other_id)
    _require(by, survivor.organization)
    _require(by, other.organization)
    active = Membership.objects.filter(
        worker__in=[survivor, other], status=MembershipStatus.ACTIVE
    ).count()
    if active > 1:
        raise ValidationError(
            {"keep": [_("Both records have an active membership; end one of them first.")]}
        )
    moved = {}
    # Every foreign key that points at a worker moves to the survivor, whatever app it is in.
    for relation in Worker._meta.related_objects:
        if relation.one_to_one or relation.related_model is DuplicateCandidate:
            continue
        field = relation.field
        count = relation.related_model._base_manager.filter(**{field.name: other}).update(
            **{field.name: survivor}
        )
        if count:
            moved[relation.related_model._meta.label_lower + "." + field.name] = count
    if hasattr(other, "portal_account") and not hasattr(survivor, "portal_account"):
        account = other.portal_account
        account.worker = survivor
        account.save(update_fields=["worker"])
    candidate.status, candidate.decided_by, candidate.decided_at = (
        DuplicateStatus.MERGED,
        by,
        timezone.now(),
    )
    candidate.save()
    _event(
        survivor,
        survivor.organization,
        MembershipEventKind.MERGED,
        by,
        merged_worker=other.pk,
        moved=moved,
    )
    audit_record(
        by=by,
        action="update",
        obj=survivor,
        changes={"merged_from": [other.pk, None], "moved": moved},
        detail="merge",
    )
    # Pairs naming the removed record (this one included) go with it; the merge itself stays
    # in the survivor's history and the audit log.
    other.delete()
    return survivor
