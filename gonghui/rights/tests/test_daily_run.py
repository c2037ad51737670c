"""The daily run gathers every part's periodic check: one command, each reminder once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gonghui.notifications.models import Notification
from gonghui.rights.models import Alert, AlertStatus, Mediation, MediationStatus
from gonghui.rights.tasks_cases import rights_daily_run


@pytest.mark.django_db
def test_an_alert_left_unacknowledged_is_reminded_to_the_supervisors_once(world):
    alert = Alert.objects.filter(organization=world.township_a).get()
    # raised on Friday 2026-10-09 (a make-up working Saturday follows: 10-10 works)
    Alert.objects.filter(pk=alert.pk).update(
        raised_at=timezone.make_aware(dt.datetime(2026, 10, 9, 9, 0)), status=AlertStatus.OPEN
    )
    first = rights_daily_run(today=dt.date(2026, 10, 12))
    assert first["alert_reminders"] >= 1
    recipients = set(
        Notification.objects.filter(url__endswith=f"/rights/alerts/{alert.pk}/").values_list(
            "recipient__username", flat=True
        )
    )
    # admin_a supervises at township A; the county administrator is one level up
    assert {"admin_a", "county_admin"} <= recipients
    assert "outsider" not in recipients and "admin_b" not in recipients
    again = rights_daily_run(today=dt.date(2026, 10, 13))
    assert again["alert_reminders"] == 0


@pytest.mark.django_db
def test_a_mediation_past_its_15_days_times_out_in_the_daily_run(world):
    mediation = Mediation.objects.filter(case=world.side_a.case).get()
    Mediation.objects.filter(pk=mediation.pk).update(
        status=MediationStatus.OPEN, statutory_due=dt.date(2026, 11, 17), signed_on=None
    )
    result = rights_daily_run(today=dt.date(2026, 11, 18))
    assert result["mediations_timed_out"] >= 1
    mediation.refresh_from_db()
    assert mediation.status == MediationStatus.TIMED_OUT
    assert rights_daily_run(today=dt.date(2026, 11, 19))["mediations_timed_out"] == 0
