"""The daily run of the case deadlines (``manage.py rights_daily``, or the task below):

- handlers are told of cases due soon (once per case and due date);
- an overdue case is escalated to the organization above the one holding it, once
  (``Case.escalated_at``, an ESCALATED event, notices to that organization's dispatchers);
- a supervision whose report is overdue is reminded to the handler and the supervisor (once).

Every reminder leaves an audit entry of its own record type whose detail names the threshold and
the date; that entry is what keeps it from being sent twice, however often the run is repeated
(the same pattern as the re-election reminders). Each case is done in its own transaction.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from gonghui.accounts.roles import HANDLE_CASES
from gonghui.audit.models import AuditAction, AuditEntry
from gonghui.audit.services import audit_record

from . import deadlines
from .models import Case, RightsSettings, Supervision
from .services import cases as services

REMINDER_TYPE = "rights.case_reminder"


def _already(obj, detail: str) -> bool:
    return AuditEntry.objects.filter(
        object_type=REMINDER_TYPE, object_id=str(obj.pk), detail=detail
    ).exists()


def _mark(obj, detail: str, recipients) -> None:
    audit_record(
        by=None,
        action=AuditAction.CREATE,
        obj=obj,
        object_type=REMINDER_TYPE,
        changes={"recipients": [u.get_username() for u in recipients]},
        detail=detail,
    )


def due_soon_remind(*, today: dt.date | None = None) -> int:
    """Tell handlers (or, with none named, the staff of the organization holding the case)
    about cases due within ``due_soon_days``. Returns the notices sent."""
    today = today or deadlines.today()
    rules = RightsSettings.current()
    until = deadlines.due_soon_until(today, rules)
    sent = 0
    ids = Case.objects.filter(
        status__in=deadlines.HANDLING_STATUSES, paused=False, due_on__gte=today, due_on__lte=until
    ).values_list("pk", flat=True)
    for case_id in list(ids):
        with transaction.atomic():
            case = Case.objects.select_for_update().get(pk=case_id)  # no join: see _lock_case
            detail = f"due_soon {case.due_on.isoformat()}"
            if not deadlines.is_due_soon(case, today, rules) or _already(case, detail):
                continue
            recipients = (
                [case.handler]
                if case.handler_id and case.handler.is_active
                else list(services.staff_at(case.organization, HANDLE_CASES))
            )
            if not recipients:
                continue
            with translation.override(settings.LANGUAGE_CODE):
                title = _("Case %(number)s is due on %(day)s") % {
                    "number": case.number,
                    "day": case.due_on.isoformat(),
                }
            sent += services.notify_staff(recipients, title, case.title, case)
            _mark(case, detail, recipients)
    return sent


def overdue_escalate(*, today: dt.date | None = None) -> int:
    """Escalate, once, every overdue case (handling or acceptance deadline passed)."""
    today = today or deadlines.today()
    handling = Case.objects.filter(
        status__in=deadlines.HANDLING_STATUSES,
        paused=False,
        due_on__lt=today,
        escalated_at__isnull=True,
    ).values_list("pk", flat=True)
    received = Case.objects.filter(
        status="received", accept_due__lt=today, escalated_at__isnull=True
    ).values_list("pk", flat=True)
    return sum(
        services.case_escalate(case_id=pk, on=today) for pk in [*list(handling), *list(received)]
    )


def supervision_overdue_remind(*, today: dt.date | None = None) -> int:
    """A supervision report past its date: the handler and whoever flagged it are told."""
    today = today or deadlines.today()
    sent = 0
    overdue = Supervision.objects.filter(reported_at__isnull=True, report_due__lt=today)
    for supervision in overdue.select_related("case__handler", "case__organization", "flagged_by"):
        detail = f"supervision_overdue {supervision.report_due.isoformat()}"
        if _already(supervision, detail):
            continue
        case = supervision.case
        recipients = [u for u in (case.handler, supervision.flagged_by) if u and u.is_active]
        if not case.handler_id:
            recipients += list(services.staff_at(case.organization, HANDLE_CASES))
        if not recipients:
            continue
        with transaction.atomic():
            with translation.override(settings.LANGUAGE_CODE):
                title = _("Supervision report overdue on case %(number)s (due %(day)s)") % {
                    "number": case.number,
                    "day": supervision.report_due.isoformat(),
                }
            sent += services.notify_staff(recipients, title, supervision.instructions, case)
            _mark(supervision, detail, recipients)
    return sent


def alerts_unacknowledged_remind(*, today: dt.date | None = None) -> int:
    """An early warning nobody acknowledged within a working day is reminded (once) to the
    supervisors of the organization it was raised to and of the organization above it."""
    from gonghui.accounts.roles import SUPERVISE_CASES
    from gonghui.notifications.services import notification_send

    from .warning import alerts_unacknowledged

    sent = 0
    for alert in alerts_unacknowledged(today):
        detail = "alert_unacknowledged"
        if _already(alert, detail):
            continue
        recipients = list(services.staff_at(alert.organization, SUPERVISE_CASES))
        if alert.organization.parent_id:
            recipients += list(services.staff_at(alert.organization.parent, SUPERVISE_CASES))
        with transaction.atomic():
            for user in {u.pk: u for u in recipients}.values():
                with translation.override(settings.LANGUAGE_CODE):
                    notification_send(
                        recipient=user,
                        title=_("Early warning not yet acknowledged: %(summary)s")
                        % {"summary": alert.summary},
                        url=reverse("rights:alert_detail", args=[alert.pk]),
                    )
                sent += 1
            _mark(alert, detail, recipients)
    return sent


def rights_daily_run(*, today: dt.date | None = None) -> dict[str, int]:
    from .services.legal import mediations_time_out

    today = today or deadlines.today()
    return {
        "due_soon_notices": due_soon_remind(today=today),
        "escalated": overdue_escalate(today=today),
        "supervision_notices": supervision_overdue_remind(today=today),
        # Labor Dispute Mediation and Arbitration Law art. 14: 15 days without agreement
        "mediations_timed_out": mediations_time_out(today=today),
        "alert_reminders": alerts_unacknowledged_remind(today=today),
    }


@task(queue_name="default")
def rights_daily() -> dict[str, int]:
    """Daily: due-soon notices, escalation of overdue cases, overdue supervision reports.
    Safe to run as often as wanted: each reminder and escalation happens once."""
    return rights_daily_run()
