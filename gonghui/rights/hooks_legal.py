"""Panels of this part on other pages: the case page (mediation; referrals and supervision
notices, with their actions) and the employer page (its supervision notices and mediations).
Everything is loaded through ``visible_to(request.user)``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gonghui.accounts.roles import HANDLE_CASES
from gonghui.organizations import employer_sections

from . import case_sections
from .models import CaseStatus, Mediation, MediationStatus, Referral, SupervisionNotice

SHOWN = 20
WORKABLE = (CaseStatus.ASSIGNED, CaseStatus.IN_HANDLING)


@case_sections.register
def mediation_section(request, case):
    user = request.user
    mediations = list(
        Mediation.objects.visible_to(user).filter(case=case).select_related("mediator")
    )
    can_open = (
        user.can(HANDLE_CASES)
        and case.status in WORKABLE
        and not any(m.status == MediationStatus.OPEN for m in mediations)
    )
    if not mediations and not can_open:
        return None
    return case_sections.Section(
        key="mediation",
        title=_("Mediation"),
        template="rights/legal/_case_mediation.html",
        context={"mediations": mediations, "can_open": can_open},
        order=40,
    )


@case_sections.register
def referrals_section(request, case):
    user = request.user
    referrals = list(
        Referral.objects.visible_to(user).filter(case=case).order_by("-sent_on", "-id")
    )
    notices = list(
        SupervisionNotice.objects.visible_to(user).filter(case=case).select_related("employer")
    )
    can_refer = user.can(HANDLE_CASES) and case.status in WORKABLE
    can_notice = user.can(HANDLE_CASES) and case.employer_id is not None and case.is_open
    if not (referrals or notices or can_refer or can_notice):
        return None
    return case_sections.Section(
        key="referrals",
        title=_("Referrals and supervision notices"),
        template="rights/legal/_case_referrals.html",
        context={
            "referrals": referrals,
            "notices": notices,
            "can_refer": can_refer,
            "can_notice": can_notice,
        },
        order=45,
    )


@employer_sections.register
def legal_section(request, employer):
    user = request.user
    notices = list(SupervisionNotice.objects.visible_to(user).filter(employer=employer)[:SHOWN])
    mediations = list(
        Mediation.objects.visible_to(user)
        .filter(case__employer=employer)
        .select_related("case")[:SHOWN]
    )
    can_notice = user.can(HANDLE_CASES)
    if not (notices or mediations or can_notice):
        return None
    return employer_sections.Section(
        key="rights_legal",
        title=_("Supervision notices and mediations"),
        template="rights/legal/_employer_legal.html",
        context={"notices": notices, "mediations": mediations, "can_notice": can_notice},
        order=45,
    )
