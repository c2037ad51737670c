"""Reads for the workbench: what the user's subtree holds, computed from the records."""

from __future__ import annotations

from django.db.models import Count, Q

from gonghui.members.models import Worker, WorkerType
from gonghui.organizations.models import (
    GRASSROOTS_KINDS,
    Employer,
    Organization,
    OrganizationStatus,
)
from gonghui.organizations.selectors import has_union_q


def workbench_figures(user) -> dict:
    orgs = Organization.objects.visible_to(user).filter(status=OrganizationStatus.ACTIVE)
    org_counts = orgs.aggregate(
        total=Count("pk"),
        grassroots=Count("pk", filter=Q(kind__in=GRASSROOTS_KINDS)),
    )
    employer_counts = Employer.objects.visible_to(user).aggregate(
        total=Count("pk"),
        with_union=Count("pk", filter=has_union_q()),
    )
    by_type = dict(
        Worker.objects.visible_to(user)
        .values_list("worker_type")
        .annotate(n=Count("pk"))
        .order_by()
    )
    workers_total = sum(by_type.values())
    return {
        "organizations": org_counts["total"],
        "grassroots": org_counts["grassroots"],
        "employers": employer_counts["total"],
        "employers_with_union": employer_counts["with_union"],
        "workers": workers_total,
        "workers_by_type": [(label, by_type.get(value, 0)) for value, label in WorkerType.choices],
    }
