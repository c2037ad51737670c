"""The case workflow: every change of a case's state is one function here.

States and the moves between them (the one table: ``ALLOWED_FROM``)::

    received ─accept─▶ accepted ─assign─▶ assigned ─start_handling─▶ in_handling ─conclude─▶ concluded
        │                  ▲                 │  ▲ assign (re-route)                           │
        └─decline─▶ declined └────return─────┘  └─────────────────── reopen ◀───── follow_up ─┤
                                                                                 closed ◀─────┘
    any open state ─merge─▶ merged

Each function is keyword-only, takes the acting user as ``by``, and:

1. checks the role's right (``PermissionDenied``): DISPATCH_CASES to accept, decline, assign and
   merge; HANDLE_CASES for the handling steps; SUPERVISE_CASES to flag for supervision;
2. locks the case row (``select_for_update``), so two staff acting at once queue here and the
   second one is refused with the reason (the state it found, or who changed the case);
3. checks the scope on the locked row (the case must sit in the actor's subtree), the
   ``version`` the actor's page was drawn from, the state (``ALLOWED_FROM``) and the input,
   all before writing anything;
4. saves, writes one ``CaseEvent`` (``public_text`` for the worker, in plain words and without
   staff names; ``internal_note`` for staff), bumps ``Case.version``, writes the audit log, sends
   ``signals.case_changed`` and the notices (in-app to staff; SMS to the worker at acceptance,
   decline and conclusion, when the case has a phone and is not anonymous).

Messages stored for others to read later (notices, SMS, public texts) are written in the
platform's language (``settings.LANGUAGE_CODE``), whoever triggers them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.accounts.roles import (
    DISPATCH_CASES,
    HANDLE_CASES,
    MANAGE_SETTINGS,
    ROLE_PERMISSIONS,
    SUPERVISE_CASES,
    Role,
)
from gonghui.audit.models import AuditAction
from gonghui.audit.services import audit_record, audit_update, diff, snapshot
from gonghui.core import workdays
from gonghui.organizations.models import Organization

from .. import codes, deadlines, signals
from ..catalog import CaseKind
from ..models import (
    OPEN_STATUSES,
    Case,
    CaseEvent,
    CaseParty,
    CasePause,
    CaseStatus,
    EventKind,
    HandlingMethod,
    PauseReason,
    RightsSettings,
    Supervision,
    Tier,
)

S = CaseStatus

# The one table of which move is allowed from which state.
ALLOWED_FROM: dict[str, frozenset[str]] = {
    "accept": frozenset({S.RECEIVED}),
    "decline": frozenset({S.RECEIVED}),
    "assign": frozenset({S.ACCEPTED, S.ASSIGNED}),
    "return": frozenset({S.ASSIGNED}),
    "start_handling": frozenset({S.ASSIGNED}),
    "pause": frozenset({S.ACCEPTED, S.ASSIGNED, S.IN_HANDLING}),
    "resume": frozenset({S.ACCEPTED, S.ASSIGNED, S.IN_HANDLING}),
    "conclude": frozenset({S.IN_HANDLING}),
    "follow_up": frozenset({S.CONCLUDED, S.FOLLOW_UP}),
    "close": frozenset({S.CONCLUDED, S.FOLLOW_UP}),
    "reopen": frozenset({S.CONCLUDED, S.FOLLOW_UP, S.CLOSED}),
    "merge": frozenset(OPEN_STATUSES),
    "supervise": frozenset(OPEN_STATUSES),
    "note": frozenset(set(S.values) - {S.MERGED}),
}

# Said when a move is refused because of the state; %(status)s is the state found.
REFUSALS = {
    "accept": gettext_lazy("Only a received case can be accepted; this one is “%(status)s”."),
    "decline": gettext_lazy("Only a received case can be declined; this one is “%(status)s”."),
    "assign": gettext_lazy(
        "Only an accepted or assigned case can be assigned; this one is “%(status)s”."
    ),
    "return": gettext_lazy("Only an assigned case can be returned; this one is “%(status)s”."),
    "start_handling": gettext_lazy(
        "Handling starts on an assigned case; this one is “%(status)s”."
    ),
    "pause": gettext_lazy("The clock of a case that is “%(status)s” cannot be paused."),
    "resume": gettext_lazy("The clock of a case that is “%(status)s” cannot be resumed."),
    "conclude": gettext_lazy("Only a case in handling can be concluded; this one is “%(status)s”."),
    "follow_up": gettext_lazy(
        "Only a concluded case can be followed up; this one is “%(status)s”."
    ),
    "close": gettext_lazy("Only a concluded case can be closed; this one is “%(status)s”."),
    "reopen": gettext_lazy(
        "Only a concluded or closed case can be re-opened; this one is “%(status)s”."
    ),
    "merge": gettext_lazy("Only an open case can be merged; this one is “%(status)s”."),
    "supervise": gettext_lazy(
        "Only an open case can be flagged for supervision; this one is “%(status)s”."
    ),
    "note": gettext_lazy("Nothing can be added to a case that is “%(status)s”."),
}

# Categories that go to a mediator or legal-aid lawyer first (legal services: mediation,
# legal aid, help with arbitration or a lawsuit, documents).
LEGAL_KINDS = frozenset({CaseKind.LEGAL_SERVICE})

MAX_AMOUNT = Decimal("999999999999.99")


def allowed(action: str, case: Case) -> bool:
    return case.status in ALLOWED_FROM[action]


def _roles_with(permission: str) -> list[str]:
    return [role for role, perms in ROLE_PERMISSIONS.items() if permission in perms]


# --- checks ----------------------------------------------------------------------------------


def _require_right(by, permission: str | None) -> None:
    if by is None or permission is None:
        return
    if not by.can(permission):
        messages = {
            DISPATCH_CASES: _("Your role may not accept, decline, assign or merge cases."),
            HANDLE_CASES: _("Your role may not handle cases."),
            SUPERVISE_CASES: _("Your role may not flag cases for supervision."),
        }
        raise PermissionDenied(messages.get(permission, _("You may not do this.")))


def _in_scope(by, organization: Organization) -> bool:
    return (
        by is None
        or by.is_superuser
        or (bool(by.scope_prefix) and organization.path.startswith(by.scope_prefix))
    )


def _require_scope(by, case: Case) -> None:
    if not _in_scope(by, case.organization):
        raise PermissionDenied(_("This case is outside your scope."))


def _lock_case(**lookup) -> Case:
    """The case row locked. No join in the locking query: on PostgreSQL a row updated by the
    transaction we waited for is re-checked against the joined rows read before the wait, so a
    case whose organization just changed would seem to vanish (EvalPlanQual)."""
    return Case.objects.select_for_update().get(**lookup)


def _check_version(case: Case, version) -> None:
    if version in (None, ""):
        return
    try:
        version = int(version)
    except (TypeError, ValueError):
        raise ValidationError({"version": _("Reload the page and try again.")}) from None
    if version == case.version:
        return
    last = case.events.select_related("actor").order_by("-at", "-id").first()
    if last is not None and last.actor is not None:
        message = _(
            "%(who)s changed this case at %(when)s while you were looking at it: "
            "reload the page to see the change, then try again."
        ) % {
            "who": last.actor,
            "when": timezone.localtime(last.at).strftime("%Y-%m-%d %H:%M"),
        }
    else:
        message = _(
            "This case was changed while you were looking at it: reload the page to see the "
            "change, then try again."
        )
    raise ValidationError({"version": message})


def _check_state(action: str, case: Case) -> None:
    if case.status not in ALLOWED_FROM[action]:
        raise ValidationError(
            {"status": str(REFUSALS[action]) % {"status": case.get_status_display()}}
        )


@contextmanager
def _locked(case: Case, *, by, permission: str, action: str, version=None) -> Iterator[Case]:
    """Lock the case row and run every check on what was locked; yields the fresh row."""
    _require_right(by, permission)
    with transaction.atomic():
        fresh = _lock_case(pk=case.pk)
        _require_scope(by, fresh)
        _check_version(fresh, version)
        _check_state(action, fresh)
        yield fresh


def _actor(by):
    return by if by is not None and getattr(by, "is_authenticated", False) else None


def _finish(
    case: Case,
    *,
    by,
    before: dict,
    kind: str,
    from_status: str,
    public_text: str = "",
    internal_note: str = "",
    data: dict | None = None,
    bump: bool = True,
    update_fields: list[str] | None = None,
) -> CaseEvent:
    """Save the case, write its event and the audit entry, and tell the area."""
    if bump:
        case.version += 1
    case.save()
    event = CaseEvent.objects.create(
        case=case,
        kind=kind,
        at=timezone.now(),
        actor=_actor(by),
        from_status=from_status,
        to_status=case.status,
        public_text=public_text,
        internal_note=internal_note,
        data=data or {},
    )
    audit_record(
        by=by,
        action=AuditAction.TRANSITION,
        obj=case,
        changes=diff(before, snapshot(case)),
        detail=f"{kind}: {from_status} → {case.status}",
    )
    signals.case_changed.send(sender=Case, case=case, event=event)
    return event


def _platform_language():
    return translation.override(settings.LANGUAGE_CODE)


def _case_url(case: Case) -> str:
    return reverse("rights:case_detail", args=[case.pk])


def notify_staff(users, title, body, case: Case) -> int:
    from gonghui.notifications.services import notification_send

    sent = 0
    for user in {u.pk: u for u in users if u is not None and u.is_active}.values():
        notification_send(recipient=user, title=title, body=body, url=_case_url(case))
        sent += 1
    return sent


def _sms_worker(case: Case, text: str) -> bool:
    """SMS to the person who brought the case, only when they left a phone and are named."""
    if case.anonymous or not case.complainant_phone:
        return False
    from gonghui.core.identifiers import IdentifierError
    from gonghui.notifications.services import sms_send

    try:
        sms_send(phone=case.complainant_phone, text=text)
    except IdentifierError:
        return False  # a landline kept from a letter: nothing to text
    return True


def staff_at(organization: Organization, permission: str):
    """Active accounts at exactly this organization whose role carries the permission."""
    from gonghui.accounts.models import User

    return User.objects.filter(
        is_active=True, organization=organization, role__in=_roles_with(permission)
    ).order_by("pk")


# --- assignment suggestions ------------------------------------------------------------------


def suggest_assignment(case: Case, by=None) -> tuple[Organization, object | None]:
    """Where a case should go and who should handle it — by the employer's location and the
    category, never by words in the description.

    Organization: the employer's grassroots union if it has an active one, else the
    organization the employer is registered under, walked up until it lies inside the subtree
    of the dispatcher (``by``, else the organization holding the case); the holding organization
    when there is no employer. Handler: an active account at that organization whose role may
    handle cases; for legal services (mediation, legal aid, arbitration) a mediator first; among
    equals the one with the fewest open cases.
    """
    prefix = by.scope_prefix if by is not None and not by.is_superuser else case.organization.path
    start = None
    employer = case.employer
    if employer is not None:
        if employer.union_id and employer.union.is_active:
            start = employer.union
        else:
            start = employer.organization
    organization = case.organization
    if start is not None:
        chain = [start, *reversed(start.ancestors())]  # nearest first
        for candidate in chain:
            if candidate.path.startswith(prefix) and candidate.is_active:
                organization = candidate
                break
    return organization, suggest_handler(case, organization)


def suggest_handler(case: Case, organization: Organization):
    candidates = list(
        staff_at(organization, HANDLE_CASES).annotate(
            open_cases=Count("cases_handled", filter=Q(cases_handled__status__in=OPEN_STATUSES))
        )
    )
    if not candidates:
        return None
    legal = case.kind in LEGAL_KINDS

    def rank(user):
        mediator_first = 0 if (user.role == Role.MEDIATOR) == legal else 1
        return (mediator_first, user.open_cases, user.pk)

    return min(candidates, key=rank)


# --- the moves -------------------------------------------------------------------------------


def case_accept(*, by, case: Case, tier: str, note: str = "", version=None) -> Case:
    """received → accepted: the handling clock starts with the tier's limit in force today."""
    if tier not in Tier.values:
        raise ValidationError({"tier": _("Choose the complexity of the case.")})
    with _locked(case, by=by, permission=DISPATCH_CASES, action="accept", version=version) as c:
        before, from_status = snapshot(c), c.status
        rules = RightsSettings.current()
        today = deadlines.today()
        c.status = S.ACCEPTED
        c.tier = tier
        c.accepted_on = today
        c.time_limit_days = rules.days_for(tier)
        c.due_on = workdays.add_working_days(today, c.time_limit_days)
        with _platform_language():
            public = _(
                "Your case was accepted on %(on)s and will be handled within %(n)d working days, "
                "by %(due)s."
            ) % {"on": today.isoformat(), "n": c.time_limit_days, "due": c.due_on.isoformat()}
            sms = _(
                "[Trade union] Your case %(code)s was accepted and will be handled by %(due)s. "
                "Follow it with your tracking code and PIN."
            ) % {"code": codes.format_code(c.tracking_code), "due": c.due_on.isoformat()}
        _finish(
            c,
            by=by,
            before=before,
            kind=EventKind.ACCEPTED,
            from_status=from_status,
            public_text=public,
            internal_note=note,
            data={"tier": tier, "limit": c.time_limit_days, "due_on": c.due_on.isoformat()},
        )
        _sms_worker(c, sms)
    return c


def case_decline(*, by, case: Case, reason: str, version=None) -> Case:
    """received → declined; the reason is told to the worker (status page and SMS)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Say why the case is declined; the worker will read it.")}
        )
    with _locked(case, by=by, permission=DISPATCH_CASES, action="decline", version=version) as c:
        before, from_status = snapshot(c), c.status
        c.status = S.DECLINED
        c.decline_reason = reason
        c.closed_at = timezone.now()
        with _platform_language():
            public = _("Your request was not accepted. Reason: %(reason)s") % {"reason": reason}
            sms = _("[Trade union] Your request %(code)s was not accepted. Reason: %(reason)s") % {
                "code": codes.format_code(c.tracking_code),
                "reason": reason,
            }
        _finish(
            c,
            by=by,
            before=before,
            kind=EventKind.DECLINED,
            from_status=from_status,
            public_text=public,
        )
        _sms_worker(c, sms)
    return c


def case_assign(
    *, by, case: Case, organization: Organization, handler=None, note: str = "", version=None
) -> Case:
    """accepted/assigned → assigned to an organization of the dispatcher's subtree and, if
    given, a handler there whose role may handle cases. Re-assigning re-routes the case."""
    _require_right(by, DISPATCH_CASES)
    errors = {}
    if organization is None:
        errors["organization"] = _("Choose the organization that will handle the case.")
    elif not _in_scope(by, organization):
        errors["organization"] = _("Choose an organization within your own.")
    elif not organization.is_active:
        errors["organization"] = _("%(org)s is closed.") % {"org": organization}
    if handler is not None and organization is not None and "organization" not in errors:
        if not (
            handler.is_active
            and handler.can(HANDLE_CASES)
            and handler.organization_id is not None
            and handler.organization.path.startswith(organization.path)
        ):
            errors["handler"] = _(
                "%(user)s cannot handle cases of %(org)s: choose someone there whose role "
                "handles cases."
            ) % {"user": handler, "org": organization}
    if errors:
        raise ValidationError(errors)
    with _locked(case, by=by, permission=DISPATCH_CASES, action="assign", version=version) as c:
        before, from_status = snapshot(c), c.status
        previous = c.organization
        c.status = S.ASSIGNED
        c.organization = organization
        c.handler = handler
        with _platform_language():
            public = _("Your case was passed to the union that will handle it.")
            title = _("Case %(number)s assigned to you") % {"number": c.number}
            body = f"{c.title}\n" + (
                _("Due by %(due)s.") % {"due": c.due_on.isoformat()} if c.due_on else ""
            )
        _finish(
            c,
            by=by,
            before=before,
            kind=EventKind.ASSIGNED,
            from_status=from_status,
            public_text=public if from_status == S.ACCEPTED else "",
            internal_note=note,
            data={
                "from_organization": previous.pk,
                "organization": organization.pk,
                "handler": handler.pk if handler else None,
            },
        )
        recipients = [handler] if handler else list(staff_at(organization, HANDLE_CASES))
        notify_staff(recipients, title, body, c)
    return c


def case_return(*, by, case: Case, reason: str, version=None) -> Case:
    """assigned → accepted: a handler sends a wrongly routed case back to the organization
    that assigned it, with the reason; that organization's dispatchers are told."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the case is returned.")})
    with _locked(case, by=by, permission=HANDLE_CASES, action="return", version=version) as c:
        before, from_status = snapshot(c), c.status
        last = c.events.filter(kind=EventKind.ASSIGNED).order_by("-at", "-id").first()
        back = None
        if last is not None and last.data.get("from_organization"):
            back = Organization.objects.filter(pk=last.data["from_organization"]).first()
        back = back or c.received_by
        c.status = S.ACCEPTED
        c.organization = back
        c.handler = None
        _finish(
            c,
            by=by,
            before=before,
            kind=EventKind.RETURNED,
            from_status=from_status,
            internal_note=reason,
            data={"to_organization": back.pk},
        )
        with _platform_language():
            title = _("Case %(number)s returned") % {"number": c.number}
        notify_staff(list(staff_at(back, DISPATCH_CASES)), title, reason, c)
    return c


def case_start_handling(*, by, case: Case, method: str, note: str = "", version=None) -> Case:
    """assigned → in_handling by a method (mediation, legal aid, coordination, referral…).
    Whoever starts it becomes the handler when none was named."""
    if method not in HandlingMethod.values:
        raise ValidationError({"method": _("Choose how the case is handled.")})
    with _locked(
        case, by=by, permission=HANDLE_CASES, action="start_handling", version=version
    ) as c:
        before, from_status = snapshot(c), c.status
        c.status = S.IN_HANDLING
        c.handling_method = method
        if c.handler_id is None and by is not None:
            c.handler = by
        with _platform_language():
            public = _("Your case is being handled (%(method)s).") % {
                "method": HandlingMethod(method).label
            }
        _finish(
            c,
            by=by,
            before=before,
            kind=EventKind.HANDLING,
            from_status=from_status,
            public_text=public,
            internal_note=note,
            data={"method": method},
        )
    return c


def _check_day(field: str, on: dt.date, earliest: dt.date | None) -> None:
    today = deadlines.today()
    if on > today:
        raise ValidationError({field: _("The date cannot be in the future.")})
    if earliest is not None and on < earliest:
        raise ValidationError(
            {field: _("The date cannot be before %(day)s.") % {"day": earliest.isoformat()}}
        )


def case_pause(*, by, case: Case, reason: str, note: str = "", on: dt.date | None = None) -> Case:
    """Stop the handling clock while the worker or an outside body is awaited; the pause and
    its reason show on the case, and ``due_on`` moves when the clock is resumed."""
    if reason not in PauseReason.values:
        raise ValidationError({"reason": _("Choose whom the case is waiting on.")})
    on = on or deadlines.today()
    with _locked(case, by=by, permission=HANDLE_CASES, action="pause") as c:
        if c.paused:
            raise ValidationError({"reason": _("The clock of this case is already paused.")})
        _check_day("on", on, c.accepted_on)
        last = c.pauses.filter(ended_on__isnull=False).order_by("-ended_on").first()
        if last is not None and on < last.ended_on:
            raise ValidationError(
                {
                    "on": _("The clock ran again from %(day)s: a new pause cannot start earlier.")
                    % {"day": last.ended_on.isoformat()}
                }
            )
        before, from_status = snapshot(c), c.status
        pause = CasePause.objects.create(
            case=c, reason=reason, note=note[:255], started_on=on, created_by=_actor(by)
        )
        c.paused = True
        with _platform_language():
            public = (
                _("We are waiting for information from you; the time limit is paused.")
                if reason == PauseReason.WORKER
                else _("We are waiting for another body's answer; the time limit is paused.")
            )
        _finish(
            c,
            by=by,
            before=before,
            kind=EventKind.PAUSED,
            from_status=from_status,
            public_text=public,
            internal_note=note,
            data={"pause": pause.pk, "on": on.isoformat()},
        )
    return c


def case_resume(*, by, case: Case, on: dt.date | None = None) -> Case:
    """Run the clock again; ``due_on`` moves by the working days it stood still."""
    on = on or deadlines.today()
    with _locked(case, by=by, permission=HANDLE_CASES, action="resume") as c:
        pause = c.pauses.filter(ended_on__isnull=True).first()
        if not c.paused or pause is None:
            raise ValidationError({"on": _("The clock of this case is not paused.")})
        _check_day("on", on, pause.started_on)
        before, from_status = snapshot(c), c.status
        pause.ended_on = on
        pause.save(update_fields=["ended_on"])
        c.paused = False
        old_due = c.due_on
        c.due_on = deadlines.compute_due(c)
        with _platform_language():
            public = (
                _("Handling continues; the case is now due by %(due)s.")
                % {"due": c.due_on.isoformat()}
                if c.due_on
                else _("Handling continues.")
            )
        _finish(
            c,
            by=by,
            before=before,
            kind=EventKind.RESUMED,
            from_status=from_status,
            public_text=public,
            data={
                "pause": pause.pk,
                "on": on.isoformat(),
                "due_before": old_due.isoformat() if old_due else None,
                "due_on": c.due_on.isoformat() if c.due_on else None,
            },
        )
    return c


def _end_running_pause(c: Case, on: dt.date) -> None:
    pause = c.pauses.filter(ended_on__isnull=True).first()
    if pause is not None:
        pause.ended_on = max(on, pause.started_on)
        pause.save(update_fields=["ended_on"])
    c.paused = False


def case_note(*, by, case: Case, internal_note: str = "", public_text: str = "") -> CaseEvent:
    """An entry on the timeline without a change of state (the case's version stays)."""
    internal_note, public_text = (internal_note or "").strip(), (public_text or "").strip()
    if not internal_note and not public_text:
        raise ValidationError({"internal_note": _("Write a note or a message to the worker.")})
    if by is not None and not (by.can(HANDLE_CASES) or by.can(DISPATCH_CASES)):
        raise PermissionDenied(_("Your role may not handle cases."))
    with transaction.atomic():
        c = _lock_case(pk=case.pk)
        _require_scope(by, c)
        _check_state("note", c)
        return CaseEvent.objects.create(
            case=c,
            kind=EventKind.NOTE,
            at=timezone.now(),
            actor=_actor(by),
            from_status=c.status,
            to_status=c.status,
            public_text=public_text,
            internal_note=internal_note,
        )


def _money(value, field: str) -> Decimal:
    try:
        amount = Decimal(str(value if value not in (None, "") else "0").replace(",", "").strip())
    except InvalidOperation:
        raise ValidationError(
            {field: _("Enter an amount in yuan, such as 3500 or 3500.50.")}
        ) from None
    if not amount.is_finite() or amount < 0:
        raise ValidationError({field: _("The amount cannot be negative.")})
    if amount > MAX_AMOUNT:
        raise ValidationError({field: _("The amount is too large.")})
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({field: _("Amounts have at most two decimal places (fen).")})
    return amount.quantize(Decimal("0.01"))


def case_conclude(
    *,
    by,
    case: Case,
    outcome: str,
    solved: bool,
    amount_recovered=Decimal("0.00"),
    workers_benefited: int = 0,
    public_text: str = "",
    version=None,
) -> Case:
    """in_handling → concluded, with the outcome, whether the worker's problem was solved, the
    money recovered and the workers who benefited. Records the handling time in working days
    (pauses excluded), whether it came after the due date, and when to follow up."""
    outcome = (outcome or "").strip()
    errors = {}
    if not outcome:
        errors["outcome"] = _("Describe the outcome.")
    if solved not in (True, False):
        errors["solved"] = _("Say whether the worker's problem was solved.")
    try:
        amount = _money(amount_recovered, "amount_recovered")
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
        amount = Decimal("0.00")
    try:
        benefited = int(workers_benefited or 0)
        if benefited < 0:
            raise ValueError
    except (TypeError, ValueError):
        errors["workers_benefited"] = _("Enter a whole number, 0 or more.")
        benefited = 0
    if errors:
        raise ValidationError(errors)
    with _locked(case, by=by, permission=HANDLE_CASES, action="conclude", version=version) as c:
        before, from_status = snapshot(c), c.status
        today = deadlines.today()
        if c.paused:
            _end_running_pause(c, today)
        rules = RightsSettings.current()
        c.status = S.CONCLUDED
        # counted up to today, before concluded_at (which ends the clock) is set
        c.handling_days = deadlines.working_days_used(c, today) if c.accepted_on else None
        c.concluded_at = timezone.now()
        c.outcome = outcome
        c.solved = solved
        c.amount_recovered = amount
        c.workers_benefited = benefited
        c.concluded_late = bool(c.due_on and today > c.due_on)
        c.followup_due = workdays.add_working_days(today, rules.followup_days)
        with _platform_language():
            public = public_text.strip() or _(
                "Your case was concluded. We will ask you whether your problem was solved."
            )
            if public_text.strip():
                sms = _(
                    "[Trade union] Your case %(code)s was concluded: %(text)s We will ask you "
                    "whether your problem was solved."
                ) % {"code": codes.format_code(c.tracking_code), "text": public[:120]}
            else:
                sms = _(
                    "[Trade union] Your case %(code)s was concluded. We will ask you whether your "
                    "problem was solved."
                ) % {"code": codes.format_code(c.tracking_code)}
        _finish(
            c,
            by=by,
            before=before,
            kind=EventKind.CONCLUDED,
            from_status=from_status,
            public_text=public,
            internal_note=outcome,
            data={
                "solved": solved,
                "amount_recovered": str(amount),
                "workers_benefited": benefited,
                "handling_days": c.handling_days,
                "late": c.concluded_late,
            },
        )
        _sms_worker(c, sms)
    return c


def case_follow_up(*, by, case: Case, satisfaction, solved, comment: str = "") -> Case:
    """The worker is asked after the conclusion. Solved → closed; not solved → re-opened
    (back in handling, ``reopen_count`` + 1); no answer yet (``solved`` None) → the case waits
    in follow-up. ``by=None`` is the worker answering on the portal (code and PIN checked
    there)."""
    if satisfaction in ("", None):
        satisfaction = None
    else:
        try:
            satisfaction = int(satisfaction)
        except (TypeError, ValueError):
            satisfaction = 0
        if not 1 <= satisfaction <= 5:
            raise ValidationError({"satisfaction": _("Satisfaction is from 1 to 5.")})
    if solved not in (True, False, None):
        raise ValidationError({"solved": _("Say whether the problem was solved.")})
    comment = (comment or "").strip()
    with _locked(case, by=by, permission=HANDLE_CASES, action="follow_up") as c:
        before, from_status = snapshot(c), c.status
        now = timezone.now()
        c.followed_up_at = now
        if satisfaction is not None:
            c.satisfaction = satisfaction
        data = {"satisfaction": satisfaction, "solved": solved, "by_worker": by is None}
        c.status = S.FOLLOW_UP
        with _platform_language():
            public = _("Thank you for your answer.") if by is None else ""
        _finish(
            c,
            by=by,
            before=before,
            kind=EventKind.FOLLOW_UP,
            from_status=from_status,
            public_text=public,
            internal_note=comment,
            data=data,
        )
        if solved is True:
            c.solved = True
            before = snapshot(c)
            c.status = S.CLOSED
            c.closed_at = now
            with _platform_language():
                public = _("Your case is closed. Thank you.")
            _finish(
                c,
                by=by,
                before=before,
                kind=EventKind.CLOSED,
                from_status=S.FOLLOW_UP,
                public_text=public,
                bump=False,
            )
        elif solved is False:
            c.solved = False
            with _platform_language():
                reason = comment or _("The worker says the problem is not solved.")
            _reopen(c, by=by, reason=reason, from_status=S.FOLLOW_UP)
            if c.handler_id:
                with _platform_language():
                    title = _("Case %(number)s re-opened: not solved") % {"number": c.number}
                notify_staff([c.handler], title, reason, c)
    return c


def case_close(*, by, case: Case) -> Case:
    """concluded/follow-up → closed without the worker's answer (not reached, or no answer
    within the follow-up period)."""
    if by is not None and not (by.can(HANDLE_CASES) or by.can(DISPATCH_CASES)):
        raise PermissionDenied(_("Your role may not handle cases."))
    with _locked(case, by=by, permission=None, action="close") as c:
        before, from_status = snapshot(c), c.status
        c.status = S.CLOSED
        c.closed_at = timezone.now()
        with _platform_language():
            public = _("Your case is closed.")
        _finish(
            c,
            by=by,
            before=before,
            kind=EventKind.CLOSED,
            from_status=from_status,
            public_text=public,
        )
    return c


def _reopen(c: Case, *, by, reason: str, from_status: str) -> None:
    before = snapshot(c)
    today = deadlines.today()
    c.status = S.IN_HANDLING
    c.reopen_count += 1
    c.concluded_at = None
    c.closed_at = None
    c.followup_due = None
    c.concluded_late = None
    c.handling_days = None
    # A fresh period of the case's limit from the day it was re-opened.
    c.due_on = workdays.add_working_days(today, c.time_limit_days) if c.time_limit_days else None
    with _platform_language():
        public = _("Your case was re-opened and is being handled again.")
    _finish(
        c,
        by=by,
        before=before,
        kind=EventKind.REOPENED,
        from_status=from_status,
        public_text=public,
        internal_note=reason,
        data={"due_on": c.due_on.isoformat() if c.due_on else None},
    )


def case_reopen(*, by, case: Case, reason: str) -> Case:
    """concluded/follow-up/closed → in handling again, with the reason."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the case is re-opened.")})
    with _locked(case, by=by, permission=HANDLE_CASES, action="reopen") as c:
        _reopen(c, by=by, reason=reason, from_status=c.status)
    return c


def _same_person(a: Case, b: Case) -> bool:
    return bool(
        (a.worker_id and a.worker_id == b.worker_id)
        or (a.complainant_phone_hash and a.complainant_phone_hash == b.complainant_phone_hash)
        or (a.complainant_id_hash and a.complainant_id_hash == b.complainant_id_hash)
    )


def case_merge(*, by, case: Case, into: Case) -> Case:
    """A duplicate (``case``) joins ``into``: its status becomes merged, and its parties and
    attachments move to the surviving case, where they are listed. When another worker brought
    it, that worker is listed as a party too and the surviving case counts their workers and
    claims (several workers of one employer on one matter become one collective case); when
    the same person brought it twice nothing is counted twice."""
    if into is None or into.pk == case.pk:
        raise ValidationError({"into": _("Choose another case to merge this one into.")})
    _require_right(by, DISPATCH_CASES)
    with transaction.atomic():
        # Both rows locked, in id order, so two merges at once cannot deadlock.
        rows = {
            c.pk: c
            for c in Case.objects.select_for_update()
            .filter(pk__in=[case.pk, into.pk])
            .order_by("pk")
        }
        c, target = rows[case.pk], rows[into.pk]
        _require_scope(by, c)
        _require_scope(by, target)
        _check_state("merge", c)
        if target.status not in OPEN_STATUSES:
            raise ValidationError(
                {
                    "into": _("Case %(number)s is “%(status)s”: merge only into an open case.")
                    % {"number": target.number, "status": target.get_status_display()}
                }
            )
        before_c, before_t, from_c, from_t = snapshot(c), snapshot(target), c.status, target.status
        same = _same_person(c, target)
        moved_parties = list(c.parties.values_list("pk", flat=True))
        c.parties.update(case=target)
        c.attachments.update(case=target)
        if not same and not c.anonymous and c.complainant_name:
            CaseParty.objects.create(
                case=target,
                worker=c.worker,
                name=c.complainant_name,
                phone=c.complainant_phone,
                id_number=c.complainant_id_number,
                amount_claimed=c.amount_claimed if not moved_parties else Decimal("0.00"),
            )
        if not same:
            target.workers_affected += c.workers_affected
            target.amount_claimed += c.amount_claimed
        target.workers_affected = max(target.workers_affected, target.parties.count())
        target.collective = target.workers_affected > 1
        c.status = S.MERGED
        c.merged_into = target
        if c.paused:
            _end_running_pause(c, deadlines.today())
        with _platform_language():
            public = _(
                "Your submission is handled together with another case about the same matter."
            )
        _finish(
            c,
            by=by,
            before=before_c,
            kind=EventKind.MERGED,
            from_status=from_c,
            public_text=public,
            data={"into": target.pk, "same_person": same},
        )
        _finish(
            target,
            by=by,
            before=before_t,
            kind=EventKind.MERGED,
            from_status=from_t,
            internal_note=_("Case %(number)s was merged into this one.") % {"number": c.number},
            data={"merged": c.pk, "same_person": same, "parties_moved": moved_parties},
        )
    return c


def supervision_flag(*, by, case: Case, instructions: str, report_due: dt.date) -> Supervision:
    """督办: the actor's organization flags an open case; its handler must report by a date."""
    instructions = (instructions or "").strip()
    errors = {}
    if not instructions:
        errors["instructions"] = _("Write what the handler must do and report.")
    if report_due is None:
        errors["report_due"] = _("Set the date the report is due.")
    elif report_due < deadlines.today():
        errors["report_due"] = _("The report cannot be due in the past.")
    if errors:
        raise ValidationError(errors)
    with _locked(case, by=by, permission=SUPERVISE_CASES, action="supervise") as c:
        before, from_status = snapshot(c), c.status
        supervision = Supervision.objects.create(
            case=c,
            organization=by.organization if by is not None else c.received_by,
            flagged_by=_actor(by),
            instructions=instructions,
            report_due=report_due,
        )
        _finish(
            c,
            by=by,
            before=before,
            kind=EventKind.SUPERVISED,
            from_status=from_status,
            internal_note=instructions,
            bump=False,
            data={"supervision": supervision.pk, "report_due": report_due.isoformat()},
        )
        with _platform_language():
            title = _("Case %(number)s under supervision: report by %(day)s") % {
                "number": c.number,
                "day": report_due.isoformat(),
            }
        recipients = [c.handler] if c.handler_id else list(staff_at(c.organization, HANDLE_CASES))
        notify_staff(recipients, title, instructions, c)
    return supervision


def supervision_report(*, by, supervision: Supervision, report: str) -> Supervision:
    """The handler reports to the supervising organization."""
    report = (report or "").strip()
    if not report:
        raise ValidationError({"report": _("Write the report.")})
    _require_right(by, HANDLE_CASES)
    with transaction.atomic():
        s = Supervision.objects.select_for_update().get(pk=supervision.pk)
        c = _lock_case(pk=s.case_id)
        _require_scope(by, c)
        if s.reported_at is not None:
            raise ValidationError({"report": _("This supervision was already reported on.")})
        before = snapshot(s)
        s.report = report
        s.reported_at = timezone.now()
        s.reported_by = _actor(by)
        s.save()
        audit_update(by=by, obj=s, before=before)
        CaseEvent.objects.create(
            case=c,
            kind=EventKind.SUPERVISED,
            at=s.reported_at,
            actor=_actor(by),
            from_status=c.status,
            to_status=c.status,
            internal_note=report,
            data={"supervision": s.pk, "reported": True},
        )
        if s.flagged_by_id:
            with _platform_language():
                title = _("Supervision report on case %(number)s") % {"number": c.number}
            notify_staff([s.flagged_by], title, report, c)
    return s


def case_event_add(
    *, case: Case, kind: str, by=None, public_text: str = "", internal_note: str = "", data=None
) -> CaseEvent:
    """A timeline entry written by another part of the area (mediation, referral, arrears).
    It does not change the case's state; the caller has already checked its own rights."""
    if kind not in EventKind.values:
        raise ValidationError({"kind": _("Unknown kind of event.")})
    return CaseEvent.objects.create(
        case=case,
        kind=kind,
        at=timezone.now(),
        actor=_actor(by),
        from_status=case.status,
        to_status=case.status,
        public_text=public_text,
        internal_note=internal_note,
        data=data or {},
    )


# --- the daily run ---------------------------------------------------------------------------


def case_escalate(*, case_id: int, on: dt.date | None = None) -> bool:
    """An overdue case is escalated once to the organization above the one holding it: the
    event is written, ``escalated_at`` set, and that organization's dispatchers are told.
    Returns False when there was nothing to do (already escalated, no longer overdue)."""
    on = on or deadlines.today()
    with transaction.atomic():
        c = _lock_case(pk=case_id)
        if c.escalated_at is not None or not deadlines.is_overdue(c, on):
            return False
        target = c.organization.parent or c.organization
        before = snapshot(c)
        c.escalated_at = timezone.now()
        with _platform_language():
            note = _("Overdue since %(day)s: escalated to %(org)s.") % {
                "day": (c.due_on or c.accept_due).isoformat(),
                "org": target.name,
            }
            title = _("Overdue case escalated to you: %(number)s") % {"number": c.number}
        _finish(
            c,
            by=None,
            before=before,
            kind=EventKind.ESCALATED,
            from_status=c.status,
            internal_note=note,
            data={"to_organization": target.pk},
            bump=False,
        )
        recipients = list(staff_at(target, DISPATCH_CASES)) or list(
            staff_at(target, SUPERVISE_CASES)
        )
        notify_staff(recipients, title, f"{c.title}\n{note}", c)
    return True


# --- settings --------------------------------------------------------------------------------


SETTINGS_FIELDS = (
    "general_days",
    "difficult_days",
    "complex_days",
    "accept_days",
    "due_soon_days",
    "followup_days",
    "warning_cases",
    "warning_window_days",
    "warning_workers",
    "festival_days",
)


def rights_settings_update(*, by, **values) -> RightsSettings:
    """Change the area's rules; cases already accepted keep the limit they were given."""
    if by is not None and not by.can(MANAGE_SETTINGS):
        raise PermissionDenied(_("Your role may not change settings."))
    unknown = set(values) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValidationError({k: _("Unknown setting.") for k in unknown})
    with transaction.atomic():
        RightsSettings.current()
        rules = RightsSettings.objects.select_for_update().get(pk=1)
        before = snapshot(rules)
        for key, value in values.items():
            setattr(rules, key, value)
        rules.updated_by = _actor(by)
        rules.full_clean()
        rules.save()
        audit_update(by=by, obj=rules, before=before)
    return rules
