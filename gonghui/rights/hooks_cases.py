"""Registers this part of the rights area with the other apps (see hooks.py): a worker's cases
on their timeline, and an employer's cases on the employer page — both read through the user's
scope."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.members import timeline
from gonghui.organizations import employer_sections

from .models import OPEN_STATUSES, Case

EMPLOYER_CASES_SHOWN = 20


@timeline.register
def worker_cases(worker, user):
    """Cases the worker brought or is listed on, that the user may see."""
    cases = (
        Case.objects.visible_to(user)
        .filter(Q(worker=worker) | Q(parties__worker=worker))
        .distinct()
        .order_by("-received_at")[:50]
    )
    for case in cases:
        yield timeline.TimelineItem(
            at=case.received_at,
            area=_("Rights"),
            text=f"{case.number} {case.title} · {case.get_status_display()}",
            url=reverse("rights:case_detail", args=[case.pk]),
        )


@employer_sections.register
def employer_cases(request, employer):
    cases = Case.objects.visible_to(request.user).filter(employer=employer)
    count = cases.count()
    return employer_sections.Section(
        key="rights_cases",
        title=gettext_lazy("Rights cases"),
        template="rights/cases/_employer_cases.html",
        context={
            "cases": list(
                cases.select_related("organization").order_by("-received_at", "-id")[
                    :EMPLOYER_CASES_SHOWN
                ]
            ),
            "count": count,
            "open_count": cases.filter(status__in=OPEN_STATUSES).count() if count else 0,
        },
        order=30,
    )
