"""Early warning (预警): catching a collective conflict "in the bud".

Called on ``signals.case_received``, inside the intake transaction, for every new case. Three
rules, thresholds from ``RightsSettings`` (local practice [U], configurable):

- **cluster** — complaints about one employer (the matched employer, or the same employer name
  as given when none matched) reaching ``warning_cases`` within ``warning_window_days`` days.
  Counting (DOMAIN-RULES "Counting", Civil Code arts. 201 and 1259): a period of N days runs
  from the day after the first complaint, and "within" (以内) includes the N-th day, so a
  complaint received N days after another still falls in its window, one received N+1 days
  after does not. The window is counted backwards from the new case's day: cases received on
  or after ``day - N`` count. "Reaching" (达到) the threshold includes it: 3 of 3 fires.
- **collective** — one case with ``warning_workers`` or more workers (以上 includes the number).
- **festival** — a wage-arrears case in a construction project (a project is named, or the
  employer's industry is construction, GB/T 4754 section "E") received within
  ``festival_days`` days before Spring Festival: the season when unpaid migrant workers go home
  (the yearly "根治欠薪冬季专项行动" runs from mid-November to the festival).

An alert that is not closed, of the same rule and the same employer, takes the new case in
instead of a second alert being raised. An alert is raised to the federation above the
employer's organization (the case's receiving organization when the employer is unknown);
that federation's users who may supervise cases get an in-app notice.
"""

from __future__ import annotations

import datetime as dt
import logging

import chinese_calendar
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case as When_
from django.db.models import Count, IntegerField, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from gonghui.accounts.roles import ROLE_PERMISSIONS, SUPERVISE_CASES
from gonghui.audit.services import audit_create, audit_update, snapshot
from gonghui.core import workdays
from gonghui.organizations.models import Employer, Organization

from .catalog import WAGE_ARREARS_CATEGORIES, CaseKind
from .models import Alert, AlertRule, AlertStatus, Case, CaseStatus, RightsSettings

logger = logging.getLogger("gonghui.rights.warning")

# Kinds of cases that count as complaints about an employer: a complaint, or a request for
# legal service (mediation, arbitration) against it. Consultations and suggestions do not.
CLUSTER_KINDS = (CaseKind.COMPLAINT, CaseKind.LEGAL_SERVICE)
# Not counted: a duplicate merged into another case, a request declined (not a matter).
NOT_COUNTED = (CaseStatus.MERGED, CaseStatus.DECLINED)
CONSTRUCTION = "E"  # GB/T 4754-2017 section E

# --- Spring Festival ---------------------------------------------------------------------------

# Lunar new year's day (正月初一). chinese_calendar's holiday data gives the official Spring
# Festival holiday block of each year it knows (2004–2026 in 1.11.0), not the lunar date itself,
# and nothing after its last year; this table gives the day. Tests check each entry against the
# library's holiday block for every year the library knows, and that each date is a new moon.
LUNAR_NEW_YEAR: dict[int, dt.date] = {
    int(d[:4]): dt.date.fromisoformat(d)
    for d in (
        "2000-02-05 2001-01-24 2002-02-12 2003-02-01 2004-01-22 2005-02-09 2006-01-29 "
        "2007-02-18 2008-02-07 2009-01-26 2010-02-14 2011-02-03 2012-01-23 2013-02-10 "
        "2014-01-31 2015-02-19 2016-02-08 2017-01-28 2018-02-16 2019-02-05 2020-01-25 "
        "2021-02-12 2022-02-01 2023-01-22 2024-02-10 2025-01-29 2026-02-17 2027-02-06 "
        "2028-01-26 2029-02-13 2030-02-03 2031-01-23 2032-02-11 2033-01-31 2034-02-19 "
        "2035-02-08 2036-01-28 2037-02-15 2038-02-04 2039-01-24 2040-02-12 2041-02-01 "
        "2042-01-22 2043-02-10 2044-01-30 2045-02-17 2046-02-06 2047-01-26 2048-02-14 "
        "2049-02-02 2050-01-23"
    ).split()
}


def spring_festival_holiday(year: int) -> list[dt.date]:
    """The official Spring Festival days off of ``year`` from chinese_calendar ([] when the
    library does not know the year)."""
    name = chinese_calendar.Holiday.spring_festival.value
    return sorted(
        d for d, holiday in chinese_calendar.holidays.items() if d.year == year and holiday == name
    )


def spring_festival(year: int) -> dt.date | None:
    """Lunar new year's day of ``year`` (None outside the table, with a warning logged)."""
    day = LUNAR_NEW_YEAR.get(year)
    if day is None:
        logger.warning("Spring Festival of %s is not known; the festival warning is off", year)
    return day


def next_spring_festival(on: dt.date) -> dt.date | None:
    """The Spring Festival a day leads up to: the next year's when the day is in November or
    December, else the same year's (None once this year's has passed)."""
    year = on.year + 1 if on.month >= 11 else on.year
    festival = spring_festival(year)
    if festival is None or festival < on:
        return None
    return festival


def days_before_festival(on: dt.date) -> int | None:
    festival = next_spring_festival(on)
    return None if festival is None else (festival - on).days


# --- rules -------------------------------------------------------------------------------------


def _received_on(case: Case) -> dt.date:
    return (
        timezone.localdate(case.received_at)
        if timezone.is_aware(case.received_at)
        else (case.received_at.date())
    )


def _employer_filter(case: Case) -> dict | None:
    if case.employer_id:
        return {"employer_id": case.employer_id}
    name = (case.employer_name_given or "").strip()
    if name:
        return {"employer__isnull": True, "employer_name_given": name}
    return None


def _workers_by_case(cases) -> dict[int, int]:
    """{case id: workers} of a queryset of cases, in one grouped query (``_workers_of`` of
    each: the workers stated, or the workers listed when more)."""
    rows = (
        cases.order_by()
        .annotate(listed=Count("parties"))
        .values_list("pk", "workers_affected", "listed")
    )
    return {pk: max(stated, listed) for pk, stated, listed in rows}


def _cluster_cases(case: Case, rules: RightsSettings) -> dict[int, int]:
    """The cases of the cluster rule's window about the case's employer: {case id: workers}.

    Served by the index ``case_employer_recent`` (employer, received_at) for a matched
    employer; for an employer known only by the name given, an index on
    (employer_name_given, received_at) where the employer is unknown keeps it from reading
    every case (see docs/rights-figures.md, "Portal")."""
    match = _employer_filter(case)
    if match is None or case.kind not in CLUSTER_KINDS:
        return {}
    day = _received_on(case)
    start = day - dt.timedelta(days=rules.warning_window_days)
    tz = timezone.get_current_timezone()
    since = timezone.make_aware(dt.datetime.combine(start, dt.time.min), tz)
    until = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min), tz)
    return _workers_by_case(
        Case.objects.filter(
            **match,
            kind__in=CLUSTER_KINDS,
            received_at__gte=since,
            received_at__lt=until,
        ).exclude(status__in=NOT_COUNTED)
    )


def _workers_of(case: Case) -> int:
    return max(case.workers_affected, case.parties.count())


def is_construction(case: Case) -> bool:
    if case.project_name.strip():
        return True
    employer = case.employer
    return bool(employer and employer.industry == CONSTRUCTION)


def _raised_to(case: Case) -> Organization:
    """The nearest federation above the employer's organization, else where the case was
    received (same search as intake's)."""
    from .services.intake import intake_organization

    return intake_organization(case.employer, case.received_by)


def _employer_label(case: Case) -> str:
    if case.employer_id:
        return case.employer.name
    return case.employer_name_given or case.project_name or _("unknown employer")


def _summary(rule: str, case: Case, cases: dict[int, int], rules: RightsSettings) -> str:
    """``cases``: {case id: workers} of the alert (cluster) or of the case alone."""
    who = _employer_label(case)
    if rule == AlertRule.CLUSTER:
        text = _("%(employer)s: %(n)d complaints within %(days)d days") % {
            "employer": who,
            "n": len(cases),
            "days": rules.warning_window_days,
        }
    elif rule == AlertRule.COLLECTIVE:
        text = _("%(employer)s: one case with %(n)d workers") % {
            "employer": who,
            "n": cases.get(case.pk) or _workers_of(case),
        }
    else:
        text = _("%(employer)s: construction wage arrears %(n)d days before Spring Festival") % {
            "employer": who,
            "n": days_before_festival(_received_on(case)) or 0,
        }
    return text[:255]


def _open_alert(rule: str, case: Case) -> Alert | None:
    match = _employer_filter(case)
    if match is None:
        return None  # nothing says two cases without an employer are about the same one
    return (
        # the organization comes along for the audit entry's scope path; only the alert is locked
        Alert.objects.select_for_update(of=("self",))
        .select_related("organization")
        .filter(rule=rule, **match)
        .exclude(status=AlertStatus.CLOSED)
        .order_by("raised_at", "id")
        .first()
    )


def _raise(
    rule: str, case: Case, cases: dict[int, int], rules: RightsSettings, existing: Alert | None
) -> tuple[Alert, bool]:
    """``cases``: {case id: workers} joining the alert; ``existing``: the open alert of the rule
    and the employer (``_open_alert``, locked), or None to raise a new one."""
    if existing is not None:
        before = snapshot(existing)
        existing.cases.add(*cases)
        members = _workers_by_case(existing.cases.all())
        existing.workers_affected = sum(members.values())
        existing.summary = _summary(
            rule, case, members if rule == AlertRule.CLUSTER else cases, rules
        )
        existing.save(update_fields=["workers_affected", "summary"])
        audit_update(by=None, obj=existing, before=before, detail=f"case {case.number} added")
        return existing, False
    alert = Alert.objects.create(
        organization=_raised_to(case),
        rule=rule,
        employer=case.employer,
        employer_name_given="" if case.employer_id else case.employer_name_given.strip(),
        summary=_summary(rule, case, cases, rules),
        workers_affected=sum(cases.values()),
        raised_at=timezone.now(),
    )
    alert.cases.add(*cases)
    audit_create(by=None, obj=alert, detail=f"rule={rule}")
    return alert, True


def _notify(alert: Alert) -> None:
    from gonghui.accounts.models import User
    from gonghui.notifications.services import notification_send

    roles = [role for role, perms in ROLE_PERMISSIONS.items() if SUPERVISE_CASES in perms]
    url = reverse("rights:alert_detail", args=[alert.pk])
    for user in User.objects.filter(
        organization=alert.organization, role__in=roles, is_active=True
    ):
        with override(user.preferred_language or None):
            notification_send(
                recipient=user,
                title=_("Early warning: %(summary)s") % {"summary": alert.summary},
                body=_("%(rule)s. Acknowledge it and record the action taken.")
                % {"rule": alert.get_rule_display()},
                url=url,
            )


def check_case(case: Case, rules: RightsSettings | None = None) -> list[Alert]:
    """Apply the three rules to a case just received; returns the alerts it is now in.
    ``rules``: the settings intake already read (read again when not given)."""
    rules = rules or RightsSettings.current()
    if case.employer_id:
        # Two complaints about one employer arriving at once: the second waits here for the
        # first's transaction, then counts it (one alert, not two, and none missed).
        Employer.objects.select_for_update().filter(pk=case.employer_id).values_list("pk").first()
    found: list[Alert] = []
    cluster = _cluster_cases(case, rules)
    if cluster:
        # A new complaint about an employer with an open cluster alert joins it even when the
        # window alone would not fire again.
        existing = _open_alert(AlertRule.CLUSTER, case)
        if len(cluster) >= rules.warning_cases or existing is not None:
            found.append(_raise(AlertRule.CLUSTER, case, cluster, rules, existing))
    workers = cluster.get(case.pk) or _workers_of(case)
    alone = {case.pk: workers}
    if workers >= rules.warning_workers:
        found.append(
            _raise(
                AlertRule.COLLECTIVE, case, alone, rules, _open_alert(AlertRule.COLLECTIVE, case)
            )
        )
    if case.category in WAGE_ARREARS_CATEGORIES and is_construction(case):
        before = days_before_festival(_received_on(case))
        if before is not None and before <= rules.festival_days:
            existing = _open_alert(AlertRule.FESTIVAL_ARREARS, case)
            found.append(_raise(AlertRule.FESTIVAL_ARREARS, case, alone, rules, existing))
    for alert, new in found:
        if new:
            transaction.on_commit(lambda pk=alert.pk: _notify_by_id(pk))
    return [alert for alert, _new in found]


def _notify_by_id(pk: int) -> None:
    alert = Alert.objects.filter(pk=pk).select_related("organization").first()
    if alert is not None:
        _notify(alert)


def on_case_received(sender, case, rules=None, **kwargs) -> None:
    check_case(case, rules)


# --- acting on an alert ------------------------------------------------------------------------


def _check(by, alert: Alert) -> None:
    if by is None or not by.can(SUPERVISE_CASES):
        raise PermissionDenied(_("Your role may not act on early warnings."))
    if not Alert.objects.visible_to(by).filter(pk=alert.pk).exists():
        raise PermissionDenied(_("This early warning is outside your scope."))


def alert_acknowledge(*, by, alert: Alert) -> Alert:
    """Someone has seen the alert and takes it on (who and when are kept)."""
    _check(by, alert)
    with transaction.atomic():
        locked = Alert.objects.select_for_update().get(pk=alert.pk)
        if locked.status != AlertStatus.OPEN:
            raise ValidationError(
                {
                    "status": _("Already acknowledged by %(who)s at %(at)s.")
                    % {
                        "who": locked.acknowledged_by or _("someone"),
                        "at": timezone.localtime(locked.acknowledged_at).strftime("%Y-%m-%d %H:%M")
                        if locked.acknowledged_at
                        else "",
                    }
                }
            )
        before = snapshot(locked)
        locked.status = AlertStatus.ACKNOWLEDGED
        locked.acknowledged_by = by
        locked.acknowledged_at = timezone.now()
        locked.save(update_fields=["status", "acknowledged_by", "acknowledged_at"])
        audit_update(by=by, obj=locked, before=before, detail="acknowledged")
    return locked


def alert_close(*, by, alert: Alert, action_taken: str) -> Alert:
    """Close an alert with the action taken (required). Closing an alert nobody acknowledged
    acknowledges it too."""
    _check(by, alert)
    action_taken = (action_taken or "").strip()
    if not action_taken:
        raise ValidationError({"action_taken": _("Say what was done about it.")})
    if len(action_taken) > 5000:
        raise ValidationError({"action_taken": _("At most 5,000 characters.")})
    with transaction.atomic():
        locked = Alert.objects.select_for_update().get(pk=alert.pk)
        if locked.status == AlertStatus.CLOSED:
            raise ValidationError(
                {
                    "status": _("Already closed by %(who)s.")
                    % {"who": locked.closed_by or _("someone")}
                }
            )
        before = snapshot(locked)
        now = timezone.now()
        if locked.acknowledged_at is None:
            locked.acknowledged_by = by
            locked.acknowledged_at = now
        locked.status = AlertStatus.CLOSED
        locked.action_taken = action_taken
        locked.closed_by = by
        locked.closed_at = now
        locked.save()
        audit_update(by=by, obj=locked, before=before, detail="closed")
    return locked


# --- lists -------------------------------------------------------------------------------------


def _last_workday_on_or_before(day: dt.date) -> dt.date:
    while not workdays.is_workday(day):
        day -= dt.timedelta(days=1)
    return day


def acknowledge_cutoff(today: dt.date) -> dt.datetime:
    """An open alert raised before this moment has been left unacknowledged for at least one
    working day: a whole working day has begun since the day it was raised
    (``working_days_between(raised_on, today) >= 1``)."""
    last = _last_workday_on_or_before(today)
    return timezone.make_aware(
        dt.datetime.combine(last, dt.time.min), timezone.get_current_timezone()
    )


def alerts_unacknowledged(today: dt.date | None = None):
    """Open alerts left unacknowledged for one working day or more, oldest first (for the daily
    reminder command and the list page)."""
    today = today or timezone.localdate()
    return (
        Alert.objects.filter(status=AlertStatus.OPEN, raised_at__lt=acknowledge_cutoff(today))
        .select_related("organization", "employer")
        .order_by("raised_at", "id")
    )


def alerts_for_user(user):
    """Alerts the user may see, open first, then acknowledged, then closed; newest first."""
    return (
        Alert.objects.visible_to(user)
        .select_related("organization", "employer", "acknowledged_by", "closed_by")
        .annotate(
            status_rank=When_(
                When(status=AlertStatus.OPEN, then=Value(0)),
                When(status=AlertStatus.ACKNOWLEDGED, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .order_by("status_rank", "-raised_at", "-id")
    )
