"""Registers this part of the rights area with the other apps (see hooks.py): early warning on
every case received, the wage-arrears section of the case page, and the employer page's
section of inspections and early warnings."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gonghui.organizations import employer_sections

from . import case_sections, signals, warning
from .models import Alert, InspectionTarget

signals.case_received.connect(warning.on_case_received, dispatch_uid="rights.early_warning")


@case_sections.register
def arrears_section(request, case):
    """Workers owed, totals and the construction chain; the early warnings the case is in."""
    from .services.arrears import case_totals, is_arrears_case

    alerts = list(
        Alert.objects.visible_to(request.user)
        .filter(cases=case)
        .select_related("organization")
        .order_by("-raised_at")[:10]
    )
    if not is_arrears_case(case) and not alerts:
        return None
    from gonghui.core.fields import mask

    parties = list(case.parties.order_by("id")[:20])
    for party in parties:
        party.shown_name = mask("name", party.name)
    return case_sections.Section(
        key="arrears",
        title=_("Wage arrears"),
        template="rights/arrears/_case_section.html",
        context={
            "arrears": is_arrears_case(case),
            "parties": parties,
            "more_parties": max(case.parties.count() - len(parties), 0),
            "totals": case_totals(case),
            "alerts": alerts,
        },
        order=40,
    )


@employer_sections.register
def employer_arrears_section(request, employer):
    """The employer's special inspections and early warnings, in the user's scope."""
    targets = list(
        InspectionTarget.objects.visible_to(request.user)
        .filter(employer=employer)
        .select_related("inspection", "case")
        .order_by("-inspection__starts_on", "-id")[:20]
    )
    alerts = list(
        Alert.objects.visible_to(request.user).filter(employer=employer).order_by("-raised_at")[:20]
    )
    if not targets and not alerts:
        return None
    return employer_sections.Section(
        key="arrears",
        title=_("Wage-arrears inspections and early warnings"),
        template="rights/arrears/_employer_section.html",
        context={"targets": targets, "alerts": alerts},
        order=45,
    )
