"""Intake's lookups and writes, kept cheap: an employer found by a former name (Chinese too, on
SQLite as on PostgreSQL), the case number written with the row, and a submission whose
queries do not grow with the early warning it joins."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gonghui.rights.models import Alert, AlertRule, Case, Channel
from gonghui.rights.services.intake import case_create, find_employer
from tests.world import make_employer

pytestmark = pytest.mark.django_db


def submit(**extra):
    fields = {
        "by": None,
        "channel": Channel.API,
        "category": "complaint.wage_arrears",
        "description": "公司拖欠我们三个月工资，请工会帮忙追讨。",
        "employer_text": "无名劳务有限公司",
        "anonymous": True,
    }
    return case_create(**{**fields, **extra})


def test_a_former_chinese_name_finds_the_employer(world):
    employer = world.employer_a
    employer.former_names = ["旧名劳务有限公司", "Old Name Ltd"]
    employer.save()
    assert find_employer("旧名劳务有限公司") == employer
    assert find_employer("Old Name Ltd") == employer
    assert find_employer("旧名劳务") is None  # a part of a former name is not a match
    case = submit(employer_text="旧名劳务有限公司").case
    assert case.employer == employer
    assert case.employer_name_given == ""


def test_a_former_name_of_two_employers_matches_neither(world):
    for employer in (world.employer_a, world.employer_b):
        employer.former_names = ["共同旧名有限公司"]
        employer.save()
    assert find_employer("共同旧名有限公司") is None
    case = submit(employer_text="共同旧名有限公司").case
    assert case.employer is None
    assert case.employer_name_given == "共同旧名有限公司"


def test_the_case_number_is_the_year_and_the_id(world):
    case = submit().case
    stored = Case.objects.get(pk=case.pk)
    assert case.number == stored.number == f"{case.received_at:%Y}{case.pk:08d}"
    second = submit().case
    assert second.pk > case.pk and second.number != case.number


def test_a_submission_joining_an_alert_costs_the_same_queries_however_big_the_alert(world):
    employer = make_employer("庚方劳务有限公司", world.union_a, world.union_a, 9)

    def queries_of_one():
        with CaptureQueriesContext(connection) as captured:
            submit(employer_text=employer.name)
        return len(captured.captured_queries)

    for _ in range(3):
        submit(employer_text=employer.name)
    alert = Alert.objects.get(rule=AlertRule.CLUSTER, employer=employer)
    small = queries_of_one()
    for _ in range(10):
        submit(employer_text=employer.name)
    large = queries_of_one()
    alert.refresh_from_db()
    assert alert.cases.count() == 15
    assert alert.workers_affected == 15
    assert "15" in alert.summary
    assert large == small
