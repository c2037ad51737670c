"""Applications to join a union, or to move one's membership to it, made by workers in the
portal and decided by the staff of the receiving union (or a level above it).

The workflow is ``submitted → accepted | rejected`` (``TRANSITIONS``). Only a submitted
application can be decided: the deciding service locks the row first, so of two staff
deciding at the same moment one succeeds and the other is told it was already decided.

Accepting a join application registers the worker if the ID number is new (workers are keyed
by ``id_number_hash``), starts the membership with its card number and "joined" history
(``membership_join``), and links the applicant's portal account to the record when that is
safe. Accepting a transfer application turns it into a ``MembershipTransfer`` request from
the worker's current union, which the receiving union then approves as any other transfer.
The worker is told of each decision by SMS: short, naming no one.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.accounts.roles import CHANGE
from gonghui.audit.models import AuditAction
from gonghui.audit.services import audit_create, audit_record, audit_update, snapshot
from gonghui.core import identifiers as ids
from gonghui.core.fields import hash_for
from gonghui.notifications.services import sms_send
from gonghui.organizations.models import GRASSROOTS_KINDS, Employer, Organization
from gonghui.portal.services import account_link_on_acceptance, same_name

from .models import (
    ApplicationKind,
    ApplicationStatus,
    JoinApplication,
    Membership,
    MembershipStatus,
    MembershipTransfer,
    PortalAccount,
    TransferStatus,
    Worker,
    WorkerType,
)
from .services import membership_join, membership_transfer_request, worker_create

TRANSITIONS = {
    ApplicationStatus.SUBMITTED: {ApplicationStatus.ACCEPTED, ApplicationStatus.REJECTED},
    ApplicationStatus.ACCEPTED: set(),
    ApplicationStatus.REJECTED: set(),
}

NAME_LENGTH = (2, 20)
REASON_MAX = 200

# SMS texts: short, naming no one, and not the union either (an SMS may be read on a locked
# screen by someone else). Sent in the site's language, as the operator's templates are.
SMS_ACCEPTED = gettext_lazy(
    "Your application to join the trade union has been accepted. "
    "Sign in to the worker portal to see your member card."
)
SMS_TRANSFER_ACCEPTED = gettext_lazy(
    "Your request to move your trade union membership has been accepted and is being "
    "completed. Sign in to the worker portal to follow it."
)
SMS_DECLINED = gettext_lazy(
    "Your trade union application was not accepted. Sign in to the worker portal to see the reason."
)


def _require(by, union: Organization) -> None:
    """The actor may decide for ``union``: the right to change records, and the union in the
    actor's subtree."""
    if not by.can(CHANGE):
        raise PermissionDenied(_("Your role may not decide applications."))
    if by.is_superuser:
        return
    if not by.scope_prefix or not union.path.startswith(by.scope_prefix):
        raise PermissionDenied(_("This application is outside your scope."))


def _lock_open(application: JoinApplication) -> JoinApplication:
    # No select_related here: PostgreSQL refuses FOR UPDATE on the nullable side of a join.
    app = JoinApplication.objects.select_for_update().get(pk=application.pk)
    if app.status != ApplicationStatus.SUBMITTED:
        raise ValidationError(
            {
                NON_FIELD_ERRORS: [
                    _(
                        "This application has already been decided (%(status)s), perhaps by "
                        "someone else at the same moment. Reload the page to see the decision."
                    )
                    % {"status": app.get_status_display()}
                ]
            },
            code="already_decided",
        )
    return app


def _tell_worker(app: JoinApplication, text) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        sms_send(phone=app.phone, text=str(text))


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    low, high = NAME_LENGTH
    if not low <= len(name) <= high:
        raise ValidationError(
            {"name": [_("Enter your full name as on your ID card (2 to 20 characters).")]}
        )
    return name


def employer_from_text(text: str) -> tuple[Employer | None, str]:
    """The employer a worker typed: a credit code or the exact name of one employer on record
    gives that employer; anything else is kept as written for the union to match."""
    text = " ".join((text or "").split())[:200]
    if not text:
        return None, ""
    try:
        uscc = ids.parse_uscc(text)
    except ids.IdentifierError:
        uscc = None
    if uscc:
        employer = Employer.objects.filter(uscc=uscc).first()
        if employer is not None:
            return employer, ""
    matches = list(Employer.objects.filter(name=text)[:2])
    if len(matches) == 1:
        return matches[0], ""
    return None, text


def active_membership(worker: Worker | None) -> Membership | None:
    if worker is None:
        return None
    return (
        Membership.objects.filter(worker=worker, status=MembershipStatus.ACTIVE)
        .select_related("union")
        .first()
    )


# --- the worker's side ----------------------------------------------------------------------------


@transaction.atomic
def application_submit(
    *,
    by: PortalAccount,
    kind: str,
    union: Organization | int | None,
    worker_type: str,
    consent: bool,
    name: str = "",
    id_number: str = "",
    employer: str = "",
) -> JoinApplication:
    """A worker's application from the portal. ``by`` is the signed-in portal account.

    An account linked to its worker record applies under that record's name and ID number;
    an account not linked yet gives them here (they are kept on the application only). A
    transfer needs a linked record with an active membership. One open application per
    account. Consent to processing the personal information is required (PIPL art. 13-14, and
    art. 29 for sensitive personal information such as the ID number)."""
    account = PortalAccount.objects.select_for_update().get(pk=by.pk)
    worker = (
        Worker.objects.select_related("organization").get(pk=account.worker_id)
        if account.worker_id
        else None
    )
    errors: dict[str, list[str]] = {}

    def error(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if not consent:
        error("consent", _("Your consent is needed to process the application."))
    if kind not in ApplicationKind.values:
        error("kind", _("Choose whether you join or move your membership."))
    union_pk = union.pk if isinstance(union, Organization) else union
    target = Organization.objects.filter(pk=union_pk).first() if union_pk else None
    if target is None or target.kind not in GRASSROOTS_KINDS or not target.is_active:
        error("union", _("Choose an active grassroots union from the list."))
        target = None
    if worker_type not in WorkerType.values:
        error("worker_type", _("Choose the kind of work you do."))

    number = ""
    if worker is not None:
        name, number = worker.name, worker.id_number
    else:
        try:
            name = _clean_name(name)
        except ValidationError as exc:
            errors.update(exc.message_dict)
        try:
            number = ids.parse_resident_id(id_number).number
        except ids.IdentifierError as exc:
            error("id_number", str(exc.message))

    current = active_membership(worker)
    if kind == ApplicationKind.JOIN and current is not None:
        error(
            "kind",
            _("You are already a member of %(union)s. To move to another union, choose a transfer.")
            % {"union": current.union.name},
        )
    if kind == ApplicationKind.TRANSFER:
        if worker is None:
            error(
                "kind",
                _(
                    "To move a membership, first link your record to this account "
                    "(“Link my record”)."
                ),
            )
        elif current is None:
            error("kind", _("You have no active membership to move; apply to join instead."))
        elif target is not None and current.union_id == target.pk:
            error("union", _("You are already a member of this union."))
        elif MembershipTransfer.objects.filter(
            membership=current, status=TransferStatus.REQUESTED
        ).exists():
            error("kind", _("A transfer of your membership is already waiting for a decision."))
    already_open = _("You already have an application waiting for a decision.")
    if JoinApplication.objects.filter(account=account, status=ApplicationStatus.SUBMITTED).exists():
        error(NON_FIELD_ERRORS, already_open)
    if errors:
        raise ValidationError(errors)

    employer_record, employer_given = employer_from_text(employer)
    application = JoinApplication(
        account=account,
        kind=kind,
        union=target,
        name=name,
        id_number=number,
        phone=account.phone,
        worker_type=worker_type,
        employer=employer_record,
        employer_name_given=employer_given,
    )
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError:  # the same account submitting twice at the same moment
        raise ValidationError({NON_FIELD_ERRORS: [already_open]}) from None
    audit_create(
        by=None,
        obj=application,
        detail="submitted in the worker portal, with consent to processing personal information",
    )
    return application


# --- the union's side ----------------------------------------------------------------------------


def _worker_for(*, by, application: JoinApplication) -> tuple[Worker, bool]:
    """The worker record of the applicant (locked), registered now if the ID number is new."""
    worker = (
        Worker.objects.select_for_update().filter(id_number_hash=application.id_number_hash).first()
    )
    if worker is not None:
        if not same_name(worker.name, application.name):
            raise ValidationError(
                {
                    "name": [
                        _(
                            "The worker on record with this ID number has another name. Check "
                            "with the applicant, and decline the application if it is not theirs."
                        )
                    ]
                }
            )
        return worker, False
    worker = worker_create(
        by=by,
        organization=application.union,
        name=application.name,
        id_number=application.id_number,
        phone=application.phone,
        worker_type=application.worker_type,
        employer=application.employer,
    )
    if application.employer_name_given and application.employer_id is None:
        worker.employer_name_given = application.employer_name_given
        worker.save(update_fields=["employer_name_given", "updated_at"])
    return worker, True


def _move_record(*, by, worker: Worker, union: Organization) -> None:
    """The record of a worker who joins a union is held by that union from now on (as a
    transfer moves it), wherever it was held before."""
    if worker.organization_id == union.pk:
        return
    before = snapshot(worker)
    worker.organization = union
    worker.save(update_fields=["organization", "updated_at"])
    audit_update(by=by, obj=worker, before=before, detail="held by the union it joined")


@transaction.atomic
def application_transfer_request(*, by, application: JoinApplication) -> MembershipTransfer:
    """Turn an accepted transfer application into a transfer request (status "requested")
    from the worker's current union to the chosen one; the receiving union then approves it
    (``membership_transfer_approve``). Needs an active membership and no open transfer."""
    app = _lock_open(application)
    union = Organization.objects.get(pk=app.union_id)
    _require(by, union)
    if app.kind != ApplicationKind.TRANSFER:
        raise ValidationError({"kind": [_("This is not a transfer application.")]})
    worker = Worker.objects.filter(id_number_hash=app.id_number_hash).first()
    membership = (
        Membership.objects.select_for_update()
        .filter(worker=worker, status=MembershipStatus.ACTIVE)
        .first()
        if worker is not None
        else None
    )
    if membership is None:
        raise ValidationError(
            {
                NON_FIELD_ERRORS: [
                    _(
                        "The applicant has no active membership to transfer any more. Decline, "
                        "and tell them to apply to join instead."
                    )
                ]
            }
        )
    if membership.union_id == union.pk:
        raise ValidationError(
            {NON_FIELD_ERRORS: [_("The applicant is already a member of this union.")]}
        )
    if MembershipTransfer.objects.filter(
        membership=membership, status=TransferStatus.REQUESTED
    ).exists():
        raise ValidationError(
            {NON_FIELD_ERRORS: [_("A transfer of this membership is already waiting.")]}
        )
    with translation.override(settings.LANGUAGE_CODE):
        reason = _("Requested by the worker in the portal (application %(number)s)") % {
            "number": app.pk
        }
    return membership_transfer_request(by=by, membership=membership, to_union=union, reason=reason)


@transaction.atomic
def application_accept(
    *, by, application: JoinApplication, card_number: str = ""
) -> JoinApplication:
    """Accept a submitted application (see the module's docstring for what follows)."""
    app = _lock_open(application)
    union = Organization.objects.get(pk=app.union_id)
    _require(by, union)
    if app.kind == ApplicationKind.TRANSFER:
        application_transfer_request(by=by, application=app)
        text = SMS_TRANSFER_ACCEPTED
    else:
        worker, created = _worker_for(by=by, application=app)
        app.membership = membership_join(by=by, worker=worker, union=union, card_number=card_number)
        _move_record(by=by, worker=worker, union=union)
        account_link_on_acceptance(account=app.account, worker=worker, created=created)
        text = SMS_ACCEPTED
    app.status = ApplicationStatus.ACCEPTED
    app.decided_by = by
    app.decided_at = timezone.now()
    app.save(update_fields=["status", "decided_by", "decided_at", "membership"])
    audit_record(
        by=by,
        action=AuditAction.TRANSITION,
        obj=app,
        changes={"status": [ApplicationStatus.SUBMITTED, ApplicationStatus.ACCEPTED]},
    )
    _tell_worker(app, text)
    return app


@transaction.atomic
def application_decline(*, by, application: JoinApplication, reason: str) -> JoinApplication:
    """Decline a submitted application with a reason the worker reads in the portal."""
    app = _lock_open(application)
    _require(by, Organization.objects.get(pk=app.union_id))
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError(
            {"reason": [_("Say why, in words the worker understands: they read it.")]}
        )
    if len(reason) > REASON_MAX:
        raise ValidationError(
            {"reason": [_("Keep the reason under %(max)s characters.") % {"max": REASON_MAX}]}
        )
    app.status = ApplicationStatus.REJECTED
    app.decided_by = by
    app.decided_at = timezone.now()
    app.decision_note = reason
    app.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit_record(
        by=by,
        action=AuditAction.TRANSITION,
        obj=app,
        changes={
            "status": [ApplicationStatus.SUBMITTED, ApplicationStatus.REJECTED],
            "decision_note": ["", reason],
        },
    )
    _tell_worker(app, SMS_DECLINED)
    return app


# --- reads --------------------------------------------------------------------------------------


@dataclass
class RecordMatch:
    """What the registry already knows of an applicant, for the staff deciding."""

    worker: Worker | None
    visible: bool  # the worker's record is in the deciding user's scope
    name_matches: bool
    phone_matches: bool
    membership: Membership | None
    open_transfer: MembershipTransfer | None


def application_record_match(application: JoinApplication, user) -> RecordMatch:
    worker = (
        Worker.objects.select_related("organization")
        .filter(id_number_hash=hash_for("id_number", application.id_number))
        .first()
        if application.id_number
        else None
    )
    membership = active_membership(worker)
    open_transfer = (
        MembershipTransfer.objects.filter(membership=membership, status=TransferStatus.REQUESTED)
        .select_related("to_union")
        .first()
        if membership is not None
        else None
    )
    return RecordMatch(
        worker=worker,
        visible=worker is not None
        and Worker.objects.visible_to(user).filter(pk=worker.pk).exists(),
        name_matches=worker is not None and same_name(worker.name, application.name),
        phone_matches=worker is not None
        and bool(worker.phone_hash and application.phone)
        and worker.phone_hash == hash_for("phone", application.phone),
        membership=membership,
        open_transfer=open_transfer,
    )
