"""Reads of cases, always scoped: the pages, the API, the daily run and the benchmark use these.

``case_list(user, filters)`` takes a plain dict (from the list page's form or the API's query),
so every door filters the same way. Filter keys (all optional):

``status``, ``channel``, ``kind``, ``category``, ``tier`` — exact values;
``organization`` — an Organization or id: cases held in its subtree (inside the user's scope);
``handler`` — a user id, ``"me"`` or ``"none"`` (no handler yet);
``employer`` — an employer id; ``due`` — ``"overdue"``, ``"due_soon"`` or ``"accept_overdue"``;
``received_from`` / ``received_to`` — dates, inclusive; ``q`` — full text (``search.filter_text``);
``open`` — True for the open states only;
``outcome`` — ``"open"``, ``"concluded"``, ``"solved"`` or ``"not_solved"``: the groups of states
the figures count (figures.py ``_outcome_expression``);
``direct`` — True: only the cases the organization (``organization``, else the user's own)
holds itself, not those of the organizations below it;
``merged`` — True to include duplicates merged into another case, which are left out otherwise
(as in the figures); choosing ``status="merged"`` lists them too.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from gonghui.core.scope import get_for_user
from gonghui.organizations.models import Organization

from . import deadlines, search
from .models import CONCLUDED_STATUSES, OPEN_STATUSES, Case, CaseStatus, RightsSettings

HANDLING = deadlines.HANDLING_STATUSES

OUTCOMES = ("open", "concluded", "solved", "not_solved")

# What a list page does not show: the personal data (decrypted per row when loaded) and the
# long texts. Deferred on the pages; the export loads whole rows.
LIST_DEFERRED = (
    "description",
    "search_text",
    "pin_hash",
    "complainant_name",
    "complainant_phone",
    "complainant_id_number",
    "outcome",
    "decline_reason",
    "subcontractors",
)


def cases_for(user) -> QuerySet:
    return Case.objects.visible_to(user)


def case_get_for_user(*, user, pk: int, queryset=None) -> Case:
    """The case if the user's scope holds it, else 404."""
    qs = (
        queryset
        if queryset is not None
        else Case.objects.select_related(
            "organization", "received_by", "handler", "employer", "worker", "merged_into"
        )
    )
    return get_for_user(qs, user, pk=pk)


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def case_list(user, filters: dict | None = None) -> QuerySet:
    filters = {k: v for k, v in (filters or {}).items() if v not in (None, "", [])}
    qs = cases_for(user)
    for key in ("status", "channel", "kind", "category", "tier"):
        if key in filters:
            qs = qs.filter(**{key: filters[key]})
    if filters.get("open"):
        qs = qs.filter(status__in=OPEN_STATUSES)
    if not filters.get("merged") and filters.get("status") != CaseStatus.MERGED:
        qs = qs.exclude(status=CaseStatus.MERGED)
    outcome = filters.get("outcome")
    if outcome == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif outcome == "concluded":
        qs = qs.filter(status__in=CONCLUDED_STATUSES)
    elif outcome == "solved":
        qs = qs.filter(status__in=CONCLUDED_STATUSES, solved=True)
    elif outcome == "not_solved":
        # as the figures count it: concluded and not recorded as solved (False or unknown)
        qs = qs.filter(status__in=CONCLUDED_STATUSES).exclude(solved=True)
    org = filters.get("organization")
    if org is None and filters.get("direct"):
        org = user.organization
    if org is not None:
        if not isinstance(org, Organization):
            org = get_for_user(Organization, user, pk=org)
        if filters.get("direct"):
            qs = qs.filter(organization=org)
        else:
            qs = qs.within(org)
    handler = filters.get("handler")
    if handler == "me":
        qs = qs.filter(handler=user)
    elif handler == "none":
        qs = qs.filter(handler__isnull=True)
    elif handler is not None:
        qs = qs.filter(handler_id=handler)
    if "employer" in filters:
        qs = qs.filter(employer_id=filters["employer"])
    due = filters.get("due")
    today = filters.get("today") or deadlines.today()
    if due == "overdue":
        qs = _overdue(qs, today)
    elif due == "due_soon":
        qs = _due_soon(qs, today)
    elif due == "accept_overdue":
        qs = _accept_overdue(qs, today)
    if "received_from" in filters:
        qs = qs.filter(received_at__gte=_day_start(filters["received_from"]))
    if "received_to" in filters:
        qs = qs.filter(received_at__lt=_day_start(filters["received_to"] + dt.timedelta(days=1)))
    if "q" in filters:
        qs = search.filter_text(qs, str(filters["q"]))
    return qs


# The handling deadlines: served by the partial index case_open_due (due_on, open states).


def _overdue(qs, today: dt.date):
    return qs.filter(status__in=HANDLING, paused=False, due_on__lt=today)


def _due_soon(qs, today: dt.date):
    until = deadlines.due_soon_until(today, RightsSettings.current())
    return qs.filter(status__in=HANDLING, paused=False, due_on__gte=today, due_on__lte=until)


def _accept_overdue(qs, today: dt.date):
    return qs.filter(status=CaseStatus.RECEIVED, accept_due__lt=today)


def overdue(user, today: dt.date | None = None) -> QuerySet:
    """Open cases past their handling deadline, clock running, oldest deadline first."""
    return _overdue(cases_for(user), today or deadlines.today()).order_by("due_on", "pk")


def due_soon(user, today: dt.date | None = None) -> QuerySet:
    """Open cases due within ``RightsSettings.due_soon_days`` working days."""
    return _due_soon(cases_for(user), today or deadlines.today()).order_by("due_on", "pk")


def accept_overdue(user, today: dt.date | None = None) -> QuerySet:
    """Received cases nobody accepted or declined within the acceptance period."""
    return _accept_overdue(cases_for(user), today or deadlines.today()).order_by("accept_due", "pk")


def similar_open(user, case: Case, limit: int = 20) -> list[Case]:
    """Possible duplicates of a case (same worker, phone or employer) that the user may see."""
    from .services.intake import similar_open_cases

    ids = [c.pk for c in similar_open_cases(case, limit=limit * 2)]
    return list(
        cases_for(user)
        .filter(pk__in=ids)
        .select_related("organization")
        .order_by("-received_at")[:limit]
    )


def grouped(cases, key) -> list[tuple[object, list[Case]]]:
    """Cases grouped by ``key(case)`` in order of first appearance."""
    groups: dict = {}
    for case in cases:
        groups.setdefault(key(case), []).append(case)
    return list(groups.items())
