"""A rights case on each side (other rights parts hang their records on it)."""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile

from gonghui.rights.models import Attachment, Case, Channel, Supervision
from gonghui.rights.services.intake import case_create


def records(side) -> list:
    created = case_create(
        by=side.staff,
        channel=Channel.WALK_IN,
        category="complaint.wage_arrears",
        title=f"{side.label}方工人讨薪案",
        description=f"{side.label}方机械公司拖欠三个月工资，共二十人。",
        employer=side.employer,
        workers_affected=3,
        amount_claimed="60000",
        complainant_name=side.worker.name,
        complainant_phone=f"137{side.seq:08d}",
        received_by=side.township,
    )
    side.case = Case.objects.get(pk=created.case.pk)
    supervision = Supervision.objects.create(
        case=side.case,
        organization=side.township,
        flagged_by=side.admin,
        instructions=f"{side.label}方督办：五个工作日内报告进展",
        report_due=dt.date(2026, 12, 2),
    )
    attachment = Attachment(
        case=side.case,
        original_name=f"{side.label}方工资条.pdf",
        content_type="application/pdf",
        size=20,
        sha256="0" * 64,
        uploaded_by=side.staff,
    )
    attachment.file.save("payslip.pdf", ContentFile(b"%PDF-1.4 test file\n"), save=False)
    attachment.save()
    return [side.case, supervision, attachment]
