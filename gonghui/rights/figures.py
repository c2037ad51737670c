"""Figures of rights protection for one organization's subtree and a period, for the figures
page, the dashboard and the annual report (issue 4, section 10).

The cases counted are those **received in the period** (the day of ``received_at``, local time,
from ``start`` to ``end`` inclusive) and held by the organization's subtree now. Duplicates
merged into another case are left out: the surviving case counts once. Every figure is an
aggregate query (COUNT/SUM/AVG with a FILTER, grouped by the split) — no loop over cases in
Python — and every query starts from ``Case.objects.visible_to(user).within(organization)``
when a user is given.

Definitions (shown beside each figure on the page, :data:`DEFINITIONS`):

- **cases**: cases received in the period, merged duplicates left out;
- **outcome**: declined; concluded and solved; concluded and not solved; open (received,
  accepted, assigned or in handling). The four add up to the cases;
- **accepted**: cases that were accepted (every case except those declined or still waiting
  to be accepted);
- **concluded**: cases concluded, in follow-up or closed;
- **closure rate** = concluded ÷ accepted; **resolution rate** = concluded with the worker's
  problem solved ÷ concluded. The two differ whenever cases are concluded without solving the
  problem — the issue asks for problems solved, not closures, to be reported beside closures;
- **on-time rate** = concluded not after the due date ÷ concluded;
- **handling time**: working days from acceptance to conclusion, pauses not counted
  (``Case.handling_days``), mean and 90th percentile (continuous, as PostgreSQL's
  PERCENTILE_CONT and ``statistics.quantiles(method="inclusive")`` compute it) over the
  concluded cases;
- **money recovered**, **workers benefited**: sums over the concluded cases;
- **satisfaction**: the worker's answer at follow-up (1–5): mean, how many gave each, how many
  answered;
- **open, overdue, not accepted in time, due soon now**: the subtree's open cases today whatever
  the period; overdue, not accepted in time and due soon as the case list's ``due`` filter and
  the deadlines page count them (``rights.selectors``, ``rights.deadlines``).
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import (
    Aggregate,
    Avg,
    CharField,
    Count,
    FloatField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models import Case as DbCase
from django.db.models.functions import Substr, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from gonghui.core import scope as core_scope
from gonghui.organizations.models import SEGMENT_WIDTH, Organization

from . import deadlines
from .catalog import CATEGORY_CHOICES, CaseKind
from .models import (
    CONCLUDED_STATUSES,
    OPEN_STATUSES,
    Case,
    CaseStatus,
    Channel,
    RightsSettings,
)

ZERO = Decimal("0.00")
P90 = 0.9
HANDLING_STATUSES = deadlines.HANDLING_STATUSES

DEFINITIONS: dict[str, Any] = {
    "cases": gettext_lazy(
        "Cases received in the period by the organizations shown; duplicates merged into "
        "another case are not counted."
    ),
    "outcome": gettext_lazy(
        "Declined; concluded with the problem solved; concluded without solving it; open "
        "(received, accepted, assigned or in handling). The four add up to the cases."
    ),
    "accepted": gettext_lazy(
        "Cases accepted: all cases except those declined and those still waiting to be accepted."
    ),
    "concluded": gettext_lazy("Cases concluded, in follow-up or closed."),
    "closure_rate": gettext_lazy("Closure rate: concluded cases ÷ accepted cases."),
    "resolution_rate": gettext_lazy(
        "Resolution rate: concluded cases in which the worker's problem was solved ÷ concluded "
        "cases. It is lower than the closure rate when cases end without solving the problem."
    ),
    "on_time_rate": gettext_lazy(
        "On-time rate: cases concluded on or before their due date ÷ concluded cases."
    ),
    "handling_time": gettext_lazy(
        "Handling time: working days on the official calendar from acceptance to conclusion, "
        "days the clock was paused not counted. Mean and 90th percentile (nine cases in ten "
        "took this long or less) of the concluded cases."
    ),
    "money": gettext_lazy(
        "Money recovered and workers benefited, as recorded at conclusion, summed over the "
        "concluded cases."
    ),
    "satisfaction": gettext_lazy(
        "Satisfaction: the worker's answer at follow-up, from 1 (very dissatisfied) to 5 "
        "(very satisfied); the mean is over those who answered."
    ),
    "now": gettext_lazy(
        "Open cases of the organizations today, whatever the period. Overdue: past the due "
        "date, clock not paused. Not accepted in time: received cases past the date to accept "
        "or decline them. Due soon: due within the working days set in the rights settings."
    ),
    "month": gettext_lazy("Month in which the case was received."),
    "organization": gettext_lazy(
        "Each organization directly below, with everything under it; cases held by the "
        "organization itself on a row of their own."
    ),
}


# --- aggregates ------------------------------------------------------------------------------


class PercentileCont(Aggregate):
    """PostgreSQL's ordered-set aggregate ``PERCENTILE_CONT(p) WITHIN GROUP (ORDER BY x)``."""

    function = "PERCENTILE_CONT"
    name = "PercentileCont"
    output_field = FloatField()
    template = "%(function)s(%(percentile)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, percentile: float, **extra):
        super().__init__(expression, percentile=float(percentile), **extra)


def _accepted_q() -> Q:
    return ~Q(status__in=[CaseStatus.RECEIVED, CaseStatus.DECLINED])


def _concluded_q() -> Q:
    return Q(status__in=CONCLUDED_STATUSES)


def _counts() -> dict[str, Any]:
    """The counts of every row of every table (one aggregate each, filtered)."""
    concluded = _concluded_q()
    return {
        "total": Count("pk"),
        "declined": Count("pk", filter=Q(status=CaseStatus.DECLINED)),
        "waiting": Count("pk", filter=Q(status=CaseStatus.RECEIVED)),
        "open": Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        "accepted": Count("pk", filter=_accepted_q()),
        "concluded": Count("pk", filter=concluded),
        "solved": Count("pk", filter=concluded & Q(solved=True)),
        "on_time": Count("pk", filter=concluded & Q(concluded_late=False)),
        "amount_recovered": Sum("amount_recovered", filter=concluded),
        "workers_benefited": Sum("workers_benefited", filter=concluded),
    }


def _total_extras() -> dict[str, Any]:
    """What only the whole-period line has: handling time, satisfaction, amounts claimed."""
    concluded = _concluded_q()
    timed = concluded & Q(handling_days__isnull=False)
    extras = {
        "amount_claimed": Sum("amount_claimed"),
        "workers_affected": Sum("workers_affected"),
        "handling_count": Count("pk", filter=timed),
        "handling_mean": Avg("handling_days", filter=timed, output_field=FloatField()),
        "satisfaction_answered": Count("pk", filter=Q(satisfaction__isnull=False)),
        "satisfaction_mean": Avg("satisfaction", output_field=FloatField()),
    }
    for score in range(1, 6):
        extras[f"satisfaction_{score}"] = Count("pk", filter=Q(satisfaction=score))
    if connection.vendor == "postgresql":
        extras["handling_p90"] = PercentileCont("handling_days", P90, filter=timed)
    return extras


# --- the numbers -----------------------------------------------------------------------------


@dataclass
class Counts:
    total: int = 0
    declined: int = 0
    waiting: int = 0  # received, not yet accepted or declined
    open: int = 0
    accepted: int = 0
    concluded: int = 0
    solved: int = 0
    on_time: int = 0
    amount_recovered: Decimal = ZERO
    workers_benefited: int = 0

    @classmethod
    def of(cls, row: dict | None) -> Counts:
        counts = cls()
        for name, value in (row or {}).items():
            if hasattr(counts, name) and value is not None:
                if name == "amount_recovered":
                    value = Decimal(value).quantize(Decimal("0.01"))
                setattr(counts, name, value)
        return counts

    @property
    def not_solved(self) -> int:
        return self.concluded - self.solved

    @property
    def closure_rate(self) -> float | None:
        return self.concluded / self.accepted if self.accepted else None

    @property
    def resolution_rate(self) -> float | None:
        return self.solved / self.concluded if self.concluded else None

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.concluded if self.concluded else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "declined": self.declined,
            "waiting": self.waiting,
            "open": self.open,
            "accepted": self.accepted,
            "concluded": self.concluded,
            "solved": self.solved,
            "not_solved": self.not_solved,
            "on_time": self.on_time,
            "closure_rate": self.closure_rate,
            "resolution_rate": self.resolution_rate,
            "on_time_rate": self.on_time_rate,
            "amount_recovered": self.amount_recovered,
            "workers_benefited": self.workers_benefited,
        }


@dataclass
class Row:
    """One line of a table: what it counts, and the case-list filters that show its cases
    (besides the organization and the period, which every link carries)."""

    key: str
    label: str
    counts: Counts
    filters: dict[str, str] = field(default_factory=dict)
    organization: Organization | None = None  # rows of the organization table (drill-down)


# --- scoping ---------------------------------------------------------------------------------


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def cases_for(organization: Organization, start: dt.date, end: dt.date, *, user=None) -> QuerySet:
    """The cases counted: received from ``start`` to ``end`` (inclusive) in the subtree."""
    return subtree_cases(organization, user=user).filter(
        received_at__gte=_day_start(start),
        received_at__lt=_day_start(end + dt.timedelta(days=1)),
    )


def subtree_cases(organization: Organization, *, user=None) -> QuerySet:
    qs = Case.objects.visible_to(user) if user is not None else Case.objects.all()
    if not (organization.parent_id is None and core_scope._is_only_root(organization)):
        # The whole tree needs no filter (and no join to the organizations).
        qs = qs.within(organization)
    return qs.exclude(status=CaseStatus.MERGED)


def _grouped(qs: QuerySet, key, counts: dict[str, Any]) -> dict[Any, dict]:
    if isinstance(key, str):
        rows = qs.values(key).annotate(**counts).order_by()
        return {row[key]: row for row in rows}
    rows = qs.annotate(group_key=key).values("group_key").annotate(**counts).order_by()
    return {row["group_key"]: row for row in rows}


# --- the tables ------------------------------------------------------------------------------


def _by_choice(qs: QuerySet, field_name: str, choices, param: str) -> list[Row]:
    found = _grouped(qs, field_name, _counts())
    rows = []
    for value, label in choices:
        if value in found:
            rows.append(Row(value, str(label), Counts.of(found[value]), {param: value}))
    # A value no longer in the choices (a retired category): still counted, never lost.
    known = {value for value, _label in choices}
    for value, row in sorted(found.items(), key=lambda item: str(item[0])):
        if value not in known:
            rows.append(Row(str(value), str(value), Counts.of(row), {param: str(value)}))
    return rows


def _by_kind(qs: QuerySet) -> list[Row]:
    found = _grouped(qs, "kind", _counts())
    return [
        Row(value, str(label), Counts.of(found[value]), {"kind": value})
        for value, label in CaseKind.choices
        if value in found
    ]


OUTCOMES = ("declined", "solved", "not_solved", "open")


def _outcome_expression():
    return DbCase(
        When(status=CaseStatus.DECLINED, then=Value("declined")),
        When(_concluded_q() & Q(solved=True), then=Value("solved")),
        When(_concluded_q(), then=Value("not_solved")),
        default=Value("open"),
        output_field=CharField(),
    )


def _by_outcome(qs: QuerySet) -> list[Row]:
    """Declined / concluded solved / concluded not solved / open, in one grouped query."""
    found = _grouped(qs, _outcome_expression(), _counts())
    labels = {
        "declined": pgettext("case status", "Declined"),
        "solved": _("Concluded, problem solved"),
        "not_solved": _("Concluded, problem not solved"),
        "open": _("Open"),
    }
    filters = {
        "declined": {"status": CaseStatus.DECLINED},
        "solved": {"outcome": "solved"},
        "not_solved": {"outcome": "not_solved"},
        "open": {"outcome": "open"},
    }
    return [Row(key, labels[key], Counts.of(found.get(key)), filters[key]) for key in OUTCOMES]


def _by_child(qs: QuerySet, organization: Organization) -> list[Row]:
    """One row per organization directly below (its whole subtree), and one for the cases the
    organization holds itself: grouped by the first path segment below the organization's."""
    length = len(organization.path) + SEGMENT_WIDTH
    found = _grouped(qs, Substr("organization__path", 1, length), _counts())

    def org_id(prefix: str) -> int:
        rest = prefix[len(organization.path) :].strip("/")
        return int(rest, 36) if rest else organization.pk

    by_org = {org_id(prefix): counts for prefix, counts in found.items()}
    rows = []
    for child in Organization.objects.filter(parent=organization).order_by("name", "pk"):
        if child.pk in by_org:
            rows.append(
                Row(str(child.pk), child.name, Counts.of(by_org[child.pk]), {}, organization=child)
            )
    own = by_org.get(organization.pk)
    if own:
        rows.append(
            Row(
                str(organization.pk),
                _("Held by %(name)s itself") % {"name": organization.name},
                Counts.of(own),
                {"direct": "1"},
                organization=organization,
            )
        )
    return rows


def _months(start: dt.date, end: dt.date) -> list[dt.date]:
    months, day = [], start.replace(day=1)
    while day <= end:
        months.append(day)
        day = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return months


def _by_month(qs: QuerySet, start: dt.date, end: dt.date) -> list[Row]:
    tz = timezone.get_current_timezone()
    found = _grouped(qs, TruncMonth("received_at", tzinfo=tz), _counts())
    by_month = {}
    for key, row in found.items():
        day = key.date() if isinstance(key, dt.datetime) else key
        by_month[day.replace(day=1)] = row
    rows = []
    for first in _months(start, end):
        last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
        rows.append(
            Row(
                first.strftime("%Y-%m"),
                first.strftime("%Y-%m"),
                Counts.of(by_month.get(first)),
                {
                    "received_from": max(first, start).isoformat(),
                    "received_to": min(last, end).isoformat(),
                },
            )
        )
    return rows


# --- handling time -------------------------------------------------------------------------


def handling_p90(qs: QuerySet, count: int | None = None) -> float | None:
    """The 90th percentile of ``handling_days`` over the concluded cases of ``qs``, continuous
    (linear between the two nearest ranks, as PERCENTILE_CONT). PostgreSQL computes it as an
    aggregate; elsewhere the database sorts and returns the two values around the rank
    (``ORDER BY … LIMIT 2 OFFSET k``), so no list of cases comes to Python either way."""
    timed = qs.filter(_concluded_q(), handling_days__isnull=False)
    if connection.vendor == "postgresql":
        return timed.aggregate(p=PercentileCont("handling_days", P90))["p"]
    if count is None:
        count = timed.count()
    if not count:
        return None
    position = (count - 1) * P90
    lower = math.floor(position)
    values = list(
        timed.order_by("handling_days").values_list("handling_days", flat=True)[lower : lower + 2]
    )
    if len(values) == 1 or position == lower:
        return float(values[0])
    return values[0] + (values[1] - values[0]) * (position - lower)


# --- now -------------------------------------------------------------------------------------


def overdue_q(on: dt.date) -> Q:
    """Open cases past their handling due date, clock running (as the case list's ``due=overdue``
    and ``deadlines.is_overdue`` judge them)."""
    return Q(status__in=HANDLING_STATUSES, paused=False, due_on__lt=on)


def accept_overdue_q(on: dt.date) -> Q:
    """Received cases nobody accepted or declined by their date (``due=accept_overdue``)."""
    return Q(status=CaseStatus.RECEIVED, accept_due__lt=on)


def due_soon_q(on: dt.date, until: dt.date) -> Q:
    """Cases due from today to ``until``, clock running (the case list's ``due=due_soon``)."""
    return Q(status__in=HANDLING_STATUSES, paused=False, due_on__gte=on, due_on__lte=until)


def now_counts(organization: Organization, *, user=None, on: dt.date | None = None) -> dict:
    on = on or deadlines.today()
    until = deadlines.due_soon_until(on, RightsSettings.current())
    qs = subtree_cases(organization, user=user).filter(status__in=OPEN_STATUSES)
    result = qs.aggregate(
        open=Count("pk"),
        overdue=Count("pk", filter=overdue_q(on)),
        accept_overdue=Count("pk", filter=accept_overdue_q(on)),
        due_soon=Count("pk", filter=due_soon_q(on, until)),
        paused=Count("pk", filter=Q(paused=True)),
    )
    return {**result, "on": on, "due_soon_until": until}


# --- all together ----------------------------------------------------------------------------


def figures_for(
    organization: Organization,
    start: dt.date,
    end: dt.date,
    *,
    user=None,
    on: dt.date | None = None,
) -> dict[str, Any]:
    """Every figure of ``organization``'s subtree for cases received from ``start`` to ``end``.

    ``user`` narrows to what that user may see (pages pass it; the yearly report may not).
    Returns a dict: ``total`` (a :class:`Counts`), ``handling`` (mean, p90, count),
    ``money``, ``satisfaction``, ``now``, and the tables ``by_channel``, ``by_kind``,
    ``by_category``, ``by_outcome``, ``by_organization``, ``by_month`` (lists of :class:`Row`),
    with :data:`DEFINITIONS`. About ten grouped queries whatever the number of cases.
    """
    if end < start:
        start, end = end, start
    qs = cases_for(organization, start, end, user=user)
    row = qs.aggregate(**_counts(), **_total_extras())
    total = Counts.of(row)
    p90 = row.get("handling_p90")
    if connection.vendor != "postgresql":
        p90 = handling_p90(qs, row["handling_count"])
    distribution = {score: row[f"satisfaction_{score}"] for score in range(1, 6)}
    return {
        "organization": organization,
        "start": start,
        "end": end,
        "total": total,
        "handling": {
            "count": row["handling_count"],
            "mean": row["handling_mean"],
            "p90": p90,
        },
        "money": {
            "amount_recovered": total.amount_recovered,
            "amount_claimed": Decimal(row["amount_claimed"] or 0).quantize(Decimal("0.01")),
            "workers_benefited": total.workers_benefited,
            "workers_affected": row["workers_affected"] or 0,
        },
        "satisfaction": {
            "answered": row["satisfaction_answered"],
            "mean": row["satisfaction_mean"],
            "distribution": distribution,
        },
        "now": now_counts(organization, user=user, on=on),
        "by_channel": _by_choice(qs, "channel", Channel.choices, "channel"),
        "by_kind": _by_kind(qs),
        "by_category": _by_choice(qs, "category", CATEGORY_CHOICES, "category"),
        "by_outcome": _by_outcome(qs),
        "by_organization": _by_child(qs, organization),
        "by_month": _by_month(qs, start, end),
        "definitions": DEFINITIONS,
    }


TABLES = ("by_channel", "by_kind", "by_category", "by_outcome", "by_organization", "by_month")
SUMMED = (
    "total",
    "declined",
    "waiting",
    "open",
    "accepted",
    "concluded",
    "solved",
    "on_time",
    "amount_recovered",
    "workers_benefited",
)


def check(figures: dict[str, Any]) -> list[str]:
    """Internal consistency of :func:`figures_for`'s result: each table adds up to the total,
    the outcomes add up to the cases, rates lie between 0 and 1, the satisfaction answers add
    up. Returns the problems found (empty when consistent)."""
    problems: list[str] = []
    total: Counts = figures["total"]
    for table in TABLES:
        for name in SUMMED:
            summed = sum((getattr(r.counts, name) for r in figures[table]), start=0)
            if summed != getattr(total, name):
                problems.append(f"{table}.{name}: {summed} != {getattr(total, name)}")
    if total.declined + total.solved + total.not_solved + total.open != total.total:
        problems.append("outcomes do not add up to the cases")
    if total.accepted != total.total - total.declined - total.waiting:
        problems.append("accepted != cases - declined - waiting")
    if total.concluded > total.accepted:
        problems.append("more concluded than accepted")
    for name in ("closure_rate", "resolution_rate", "on_time_rate"):
        rate = getattr(total, name)
        if rate is not None and not 0 <= rate <= 1:
            problems.append(f"{name} out of range: {rate}")
    satisfaction = figures["satisfaction"]
    if sum(satisfaction["distribution"].values()) != satisfaction["answered"]:
        problems.append("satisfaction answers do not add up")
    handling = figures["handling"]
    if handling["count"] > total.concluded:
        problems.append("more timed cases than concluded ones")
    if handling["count"] and (handling["p90"] is None or handling["mean"] is None):
        problems.append("handling time missing")
    now = figures["now"]
    if now["overdue"] + now["accept_overdue"] + now["due_soon"] > now["open"]:
        problems.append("more overdue or due soon than open")
    return problems
