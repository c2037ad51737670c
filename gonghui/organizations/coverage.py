"""Union coverage of one organization's subtree: how many employers have a union and how many
workers are members, split by worker type, industry, ownership and child organization.

Definitions (the county federation's yearly figures use the same):

- **union founding rate** (建会率) = employers with 25 or more workers that have a union ÷
  employers with 25 or more workers (Trade Union Law art. 11: 25 members must form a
  committee). An employer "has a union" when it is covered by a union that is not closed.
  "Workers" here is the headcount the employer reports.
- **membership rate** (入会率) = workers on record with an active membership ÷ workers on
  record.

An employer or worker belongs to the subtree through the organization holding its record
(``scope_path``). Every figure is an aggregate query grouped by the split — no loop over
workers in Python — and every query starts from ``visible_to(user).within(organization)``.
Each row carries ``filters``: the query parameters that list the records behind its figures
on the employer and worker lists. The reports area reuses :func:`coverage_for`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Substr
from django.utils.translation import gettext as _

from .models import SEGMENT_WIDTH, Employer, Industry, Organization, Ownership
from .selectors import has_union_q

FOUNDING_THRESHOLD = 25  # Trade Union Law art. 11


@dataclass
class Figures:
    employers: int = 0  # all employers, any size
    employers_with_union: int = 0
    employers_25: int = 0  # employers with 25 or more workers
    employers_25_with_union: int = 0
    workers: int = 0  # workers on record
    members: int = 0  # of them, with an active membership

    @property
    def founding_rate(self) -> float | None:
        return self.employers_25_with_union / self.employers_25 if self.employers_25 else None

    @property
    def membership_rate(self) -> float | None:
        return self.members / self.workers if self.workers else None

    @property
    def employers_25_without_union(self) -> int:
        return self.employers_25 - self.employers_25_with_union

    @property
    def non_members(self) -> int:
        return self.workers - self.members

    def as_dict(self) -> dict[str, Any]:
        return {
            "employers": self.employers,
            "employers_with_union": self.employers_with_union,
            "employers_25": self.employers_25,
            "employers_25_with_union": self.employers_25_with_union,
            "founding_rate": self.founding_rate,
            "workers": self.workers,
            "members": self.members,
            "membership_rate": self.membership_rate,
        }


@dataclass
class Row:
    key: str
    label: str
    figures: Figures
    # Parameters of the employer and worker lists that select this row's records
    # (besides ``organization``); None where a split does not apply to that list.
    employer_filters: dict[str, str] | None = field(default_factory=dict)
    worker_filters: dict[str, str] | None = field(default_factory=dict)
    organization: Organization | None = None  # rows of the child table


@dataclass
class Coverage:
    organization: Organization
    total: Figures
    by_worker_type: list[Row]
    by_industry: list[Row]
    by_ownership: list[Row]
    by_child: list[Row]


# --- the queries -----------------------------------------------------------------------------


def _employer_counts(prefix: str = "") -> dict[str, Any]:
    big = Q(headcount__gte=FOUNDING_THRESHOLD)
    return {
        f"{prefix}employers": Count("pk"),
        f"{prefix}employers_with_union": Count("pk", filter=has_union_q()),
        f"{prefix}employers_25": Count("pk", filter=big),
        f"{prefix}employers_25_with_union": Count("pk", filter=big & has_union_q()),
    }


def _worker_counts() -> dict[str, Any]:
    from gonghui.members.models import Membership, MembershipStatus

    is_member = Exists(
        Membership.objects.filter(worker=OuterRef("pk"), status=MembershipStatus.ACTIVE)
    )
    return {"workers": Count("pk"), "members": Count("pk", filter=is_member)}


def employers_in(user, organization: Organization) -> QuerySet:
    return Employer.objects.visible_to(user).within(organization)


def workers_in(user, organization: Organization) -> QuerySet:
    from gonghui.members.models import Worker

    return Worker.objects.visible_to(user).within(organization)


def _grouped(qs: QuerySet, key, counts: dict[str, Any]) -> dict[Any, dict[str, int]]:
    """{group value: {count name: n}} from one GROUP BY query."""
    if isinstance(key, str):
        rows = qs.values(key).annotate(**counts).order_by()
        return {row[key]: row for row in rows}
    rows = qs.annotate(group_key=key).values("group_key").annotate(**counts).order_by()
    return {row["group_key"]: row for row in rows}


def _figures(*parts: dict[str, int] | None) -> Figures:
    figures = Figures()
    for part in parts:
        for name, value in (part or {}).items():
            if hasattr(figures, name) and isinstance(value, int):
                setattr(figures, name, value)
    return figures


class _Base:
    """The two scoped querysets every table starts from, built once (``visible_to`` asks the
    database whether the tree has one root)."""

    def __init__(self, user, organization: Organization):
        self.organization = organization
        self.employers = employers_in(user, organization)
        self.workers = workers_in(user, organization)


def coverage_total(user, organization: Organization) -> Figures:
    return _total(_Base(user, organization))


def _total(base: _Base) -> Figures:
    return _figures(
        base.employers.aggregate(**_employer_counts()),
        base.workers.aggregate(**_worker_counts()),
    )


def coverage_by_worker_type(user, organization: Organization) -> list[Row]:
    return _by_worker_type(_Base(user, organization))


def _by_worker_type(base: _Base) -> list[Row]:
    """Workers and members by their type; employers with 25+ workers that report workers of
    the type (``headcount_by_type``) and how many of them have a union."""
    from gonghui.members.models import WorkerType

    big = Q(headcount__gte=FOUNDING_THRESHOLD)
    counts = {}
    for value in WorkerType.values:
        employs = Q(**{f"headcount_by_type__{value}__gt": 0})
        counts[f"{value}__employers"] = Count("pk", filter=employs)
        counts[f"{value}__employers_with_union"] = Count("pk", filter=employs & has_union_q())
        counts[f"{value}__employers_25"] = Count("pk", filter=employs & big)
        counts[f"{value}__employers_25_with_union"] = Count(
            "pk", filter=employs & big & has_union_q()
        )
    employer_totals = base.employers.aggregate(**counts)
    workers = _grouped(base.workers, "worker_type", _worker_counts())
    rows = []
    for value, label in WorkerType.choices:
        employer_part = {
            name.split("__", 1)[1]: n
            for name, n in employer_totals.items()
            if name.startswith(value + "__")
        }
        rows.append(
            Row(
                key=value,
                label=str(label),
                figures=_figures(employer_part, workers.get(value)),
                employer_filters={"worker_type": value},
                worker_filters={"worker_type": value},
            )
        )
    return rows


def _by_choice(base: _Base, field_name: str, choices) -> list[Row]:
    employers = _grouped(base.employers, field_name, _employer_counts())
    workers = _grouped(base.workers, f"employer__{field_name}", _worker_counts())
    rows = []
    for value, label in choices:
        if value not in employers and value not in workers:
            continue
        rows.append(
            Row(
                key=value,
                label=str(label),
                figures=_figures(employers.get(value), workers.get(value)),
                employer_filters={field_name: value},
                worker_filters={field_name: value},
            )
        )
    if None in workers:  # workers whose employer is not on record
        rows.append(
            Row(
                key="",
                label=_("Employer not on record"),
                figures=_figures(workers[None]),
                employer_filters=None,
                worker_filters={"no_employer": "1"},
            )
        )
    return rows


def coverage_by_industry(user, organization: Organization) -> list[Row]:
    return _by_choice(_Base(user, organization), "industry", Industry.choices)


def coverage_by_ownership(user, organization: Organization) -> list[Row]:
    return _by_choice(_Base(user, organization), "ownership", Ownership.choices)


def coverage_by_child(user, organization: Organization) -> list[Row]:
    return _by_child(_Base(user, organization))


def _by_child(base: _Base) -> list[Row]:
    """One row per organization directly under ``organization`` (its whole subtree), and one
    for the records held by ``organization`` itself when there are any. Records are grouped by
    the first segment of their path below the organization's: one query per list."""
    organization = base.organization
    length = len(organization.path) + SEGMENT_WIDTH + 1
    employers = _grouped(
        base.employers, Substr("organization__path", 1, length), _employer_counts()
    )
    workers = _grouped(base.workers, Substr("organization__path", 1, length), _worker_counts())

    def org_id(prefix: str) -> int:
        rest = prefix[len(organization.path) :].strip("/")
        return int(rest, 36) if rest else organization.pk

    by_org: dict[int, list[dict]] = {}
    for mapping in (employers, workers):
        for prefix, counts in mapping.items():
            by_org.setdefault(org_id(prefix), []).append(counts)
    rows = []
    children = Organization.objects.filter(parent=organization).order_by("status", "name")
    for child in children:
        parts = by_org.get(child.pk, [])
        if not child.is_active and not parts:
            continue
        rows.append(
            Row(
                key=str(child.pk),
                label=child.name,
                figures=_figures(*parts),
                employer_filters={},
                worker_filters={},
                organization=child,
            )
        )
    own = by_org.get(organization.pk)
    if own:
        rows.append(
            Row(
                key=str(organization.pk),
                label=_("Held by %(name)s itself") % {"name": organization.name},
                figures=_figures(*own),
                employer_filters={"direct": "1"},
                worker_filters={"direct": "1"},
                organization=organization,
            )
        )
    return rows


def employers_without_union(user, organization: Organization) -> QuerySet:
    """Employers of the subtree with no union (or only a closed one), largest first — so those
    with 25 or more workers, who must found one, come first."""
    return (
        employers_in(user, organization)
        .exclude(has_union_q())
        .select_related("organization")
        .order_by("-headcount", "pk")
    )


def coverage_for(user, organization: Organization) -> Coverage:
    """Every table of the coverage page in about a dozen grouped queries."""
    base = _Base(user, organization)
    return Coverage(
        organization=organization,
        total=_total(base),
        by_worker_type=_by_worker_type(base),
        by_industry=_by_choice(base, "industry", Industry.choices),
        by_ownership=_by_choice(base, "ownership", Ownership.choices),
        by_child=_by_child(base),
    )
