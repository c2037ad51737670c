"""A wage-arrears inspection with one target, an early warning and a joint meeting per side."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from gonghui.rights.models import Alert, Inspection, InspectionTarget, JointMeeting


def records(side) -> list:
    inspection = Inspection.objects.create(
        organization=side.township,
        name=f"{side.label}方镇根治欠薪冬季专项行动",
        starts_on=dt.date(2026, 11, 15),
        ends_on=dt.date(2027, 1, 31),
        created_by=side.staff,
    )
    target = InspectionTarget.objects.create(inspection=inspection, employer=side.employer)
    alert = Alert.objects.create(
        organization=side.township,
        rule="cluster",
        employer=side.employer,
        summary=f"{side.label}方机械公司七日内三起投诉",
        workers_affected=3,
        raised_at=timezone.now(),
    )
    alert.cases.add(side.case)
    meeting = JointMeeting.objects.create(
        organization=side.township,
        title=f"{side.label}方镇劳动关系联席会议",
        held_on=dt.date(2026, 11, 20),
        attendees="人社局、住建局",
        issues="建筑领域欠薪",
        created_by=side.staff,
    )
    return [inspection, target, alert, meeting]
