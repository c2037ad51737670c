"""A mediation (agreed, so its PDF exists), a referral and a labor-law supervision notice on
each side."""

from __future__ import annotations

import datetime as dt

from gonghui.rights.models import Mediation, MediationClaim, Referral, SupervisionNotice


def records(side) -> list:
    mediation = Mediation.objects.create(
        case=side.case,
        body=f"{side.label}方镇劳动争议调解委员会",
        mediator=side.staff,
        applicant_name=side.worker.name,
        respondent_name=side.employer.name,
        received_on=dt.date(2026, 11, 2),
        statutory_due=dt.date(2026, 11, 17),
        knew_on=dt.date(2026, 10, 8),
        status="agreed",
        agreement_terms="分两期支付",
        amount_agreed="50000.00",
        payment_due=dt.date(2026, 12, 31),
        signed_on=dt.date(2026, 11, 12),
        ended_on=dt.date(2026, 11, 12),
    )
    MediationClaim.objects.create(
        mediation=mediation, item="拖欠工资", amount="60000.00", amount_agreed="50000.00"
    )
    referral = Referral.objects.create(
        case=side.case,
        body="labor_inspection",
        body_name=f"{side.label}方县劳动保障监察大队",
        sent_on=dt.date(2026, 11, 3),
        reply_due=dt.date(2026, 11, 10),
        matters=f"{side.label}方拖欠工资",
        sent_by=side.staff,
    )
    notice = SupervisionNotice.objects.create(
        number=f"JD{side.seq:06d}",
        organization=side.township,
        employer=side.employer,
        case=side.case,
        issued_on=dt.date(2026, 11, 4),
        findings=f"{side.label}方未按时足额支付工资",
        demands="十五日内补发",
        reply_due=dt.date(2026, 11, 19),
        issued_by=side.staff,
    )
    return [mediation, referral, notice]
