"""Figures of rights protection on a hand-built set of cases whose answers are known.

The set lives in a township of its own (C) under the test county, so that cases other parts
add to the test world do not change the expected numbers.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from gonghui.accounts.roles import Role
from gonghui.organizations.services import organization_create
from gonghui.rights import figures
from gonghui.rights.models import Case
from tests.world import make_user

PERIOD = (dt.date(2024, 1, 1), dt.date(2024, 12, 31))
ON = dt.date(2024, 6, 3)  # a Monday


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


_seq = iter(range(1, 10_000))


def make_case(org, *, received: dt.date, status: str, **fields) -> Case:
    n = next(_seq)
    category = fields.pop("category", "complaint.wage_arrears")
    return Case.objects.create(
        number=f"F{n:08d}",
        tracking_code=f"FIG{n:09d}",
        pin_hash="x",
        channel=fields.pop("channel", "portal"),
        kind=category.split(".")[0],
        category=category,
        title=f"案件{n}",
        description="拖欠工资三个月",
        organization=org,
        received_by=org,
        received_at=_at(received),
        status=status,
        **fields,
    )


@pytest.fixture
def township_c(world):
    township = organization_create(
        by=None,
        parent=world.county,
        code="GH360428003",
        name="南山镇总工会",
        kind="township",
        region_code="360428103",
    )
    union = organization_create(
        by=None,
        parent=township,
        code="GH360428G0003",
        name="丙方建材有限公司工会委员会",
        kind="grassroots",
        region_code="360428",
    )
    concluded = {"accepted_on": dt.date(2024, 2, 1), "concluded_at": _at(dt.date(2024, 3, 1))}
    cases = {
        "declined": make_case(
            union,
            received=dt.date(2024, 1, 10),
            status="declined",
            channel="portal",
            category="consultation.wages",
        ),
        "solved_closed": make_case(
            union,
            received=dt.date(2024, 1, 15),
            status="closed",
            channel="hotline",
            solved=True,
            handling_days=5,
            concluded_late=False,
            amount_recovered=Decimal("10000.00"),
            workers_benefited=3,
            satisfaction=5,
            **concluded,
        ),
        "unsolved_closed": make_case(
            union,
            received=dt.date(2024, 2, 5),
            status="closed",
            channel="walk_in",
            category="complaint.dismissal",
            solved=False,
            handling_days=12,
            concluded_late=True,
            satisfaction=2,
            **concluded,
        ),
        "solved_follow_up": make_case(
            township,
            received=dt.date(2024, 2, 20),
            status="follow_up",
            channel="hotline",
            solved=True,
            handling_days=8,
            concluded_late=False,
            amount_recovered=Decimal("2500.50"),
            workers_benefited=1,
            **concluded,
        ),
        "solved_late": make_case(
            union,
            received=dt.date(2024, 3, 3),
            status="concluded",
            channel="letter",
            category="legal.mediation",
            solved=True,
            handling_days=20,
            concluded_late=True,
            workers_benefited=1,
            **concluded,
        ),
        "overdue": make_case(
            union,
            received=dt.date(2024, 4, 1),
            status="in_handling",
            accepted_on=dt.date(2024, 4, 2),
            due_on=dt.date(2024, 5, 31),
        ),
        "waiting_late": make_case(
            union,
            received=dt.date(2024, 5, 27),
            status="received",
            accept_due=dt.date(2024, 5, 30),
        ),
        "paused": make_case(
            township,
            received=dt.date(2024, 4, 10),
            status="in_handling",
            accepted_on=dt.date(2024, 4, 11),
            due_on=dt.date(2024, 5, 1),
            paused=True,
        ),
    }
    survivor = cases["solved_closed"]
    make_case(union, received=dt.date(2024, 1, 16), status="merged", merged_into=survivor)
    # outside the period: counted in "now" only when open
    make_case(
        union,
        received=dt.date(2023, 12, 20),
        status="assigned",
        accepted_on=dt.date(2023, 12, 21),
        due_on=dt.date(2024, 6, 4),
    )
    make_case(
        union,
        received=dt.date(2023, 12, 30),
        status="closed",
        solved=True,
        handling_days=99,
        concluded_late=False,
        amount_recovered=Decimal("777.00"),
        **concluded,
    )
    return township, union, cases


def test_closure_and_resolution_rates_differ_when_cases_end_unsolved(township_c):
    township, _union, _cases = township_c
    data = figures.figures_for(township, *PERIOD, on=ON)
    total = data["total"]
    assert (total.total, total.declined, total.open, total.waiting) == (8, 1, 3, 1)
    assert (total.accepted, total.concluded, total.solved, total.not_solved) == (6, 4, 3, 1)
    assert total.closure_rate == pytest.approx(4 / 6)
    assert total.resolution_rate == pytest.approx(3 / 4)
    assert total.closure_rate != total.resolution_rate
    assert total.on_time_rate == pytest.approx(2 / 4)


def test_handling_time_mean_and_p90_in_working_days(township_c):
    township, _union, _cases = township_c
    handling = figures.figures_for(township, *PERIOD, on=ON)["handling"]
    days = [5, 12, 8, 20]
    assert handling["count"] == 4
    assert handling["mean"] == pytest.approx(statistics.mean(days))
    expected = statistics.quantiles(days, n=10, method="inclusive")[8]
    assert handling["p90"] == pytest.approx(expected) == pytest.approx(17.6)


def test_money_workers_and_satisfaction(township_c):
    township, _union, _cases = township_c
    data = figures.figures_for(township, *PERIOD, on=ON)
    assert data["money"]["amount_recovered"] == Decimal("12500.50")
    assert data["money"]["workers_benefited"] == 5
    satisfaction = data["satisfaction"]
    assert satisfaction["answered"] == 2
    assert satisfaction["mean"] == pytest.approx(3.5)
    assert satisfaction["distribution"] == {1: 0, 2: 1, 3: 0, 4: 0, 5: 1}


def test_open_overdue_and_due_soon_now_ignore_the_period_and_paused_clocks(township_c):
    township, _union, _cases = township_c
    now = figures.figures_for(township, dt.date(2020, 1, 1), dt.date(2020, 12, 31), on=ON)["now"]
    assert (now["open"], now["overdue"], now["accept_overdue"]) == (4, 1, 1)
    assert (now["due_soon"], now["paused"]) == (1, 1)


def test_now_counts_match_the_case_lists_deadline_filters(world, township_c):
    from gonghui.rights import selectors

    admin = world.county_admin
    now = figures.now_counts(world.county, user=admin, on=ON)
    assert now["overdue"] == selectors.overdue(admin, ON).count()
    assert now["due_soon"] == selectors.due_soon(admin, ON).count()
    assert now["accept_overdue"] == selectors.accept_overdue(admin, ON).count()
    assert now["open"] == selectors.case_list(admin, {"open": True}).count()


def test_tables_split_by_channel_outcome_month_and_organization(township_c):
    township, union, _cases = township_c
    data = figures.figures_for(township, *PERIOD, on=ON)
    channel = {row.key: row.counts.total for row in data["by_channel"]}
    assert channel == {"portal": 4, "hotline": 2, "walk_in": 1, "letter": 1}
    outcome = {row.key: row.counts.total for row in data["by_outcome"]}
    assert outcome == {"declined": 1, "solved": 3, "not_solved": 1, "open": 3}
    kinds = {row.key: row.counts.total for row in data["by_kind"]}
    assert kinds == {"consultation": 1, "complaint": 6, "legal": 1}
    months = {row.key: row.counts.total for row in data["by_month"]}
    assert len(months) == 12 and months["2024-01"] == 2 and months["2024-12"] == 0
    assert [row.filters for row in data["by_month"]][1] == {
        "received_from": "2024-02-01",
        "received_to": "2024-02-29",
    }
    orgs = {row.label: row.counts.total for row in data["by_organization"]}
    assert orgs == {union.name: 6, "Held by 南山镇总工会 itself": 2}
    assert figures.check(data) == []


def test_the_check_finds_a_table_that_does_not_add_up(township_c):
    township, _union, _cases = township_c
    data = figures.figures_for(township, *PERIOD, on=ON)
    data["by_channel"].pop()
    assert any(problem.startswith("by_channel.total") for problem in figures.check(data))


def test_a_township_sees_only_its_subtree(world, township_c):
    township, _union, _cases = township_c
    user_c = make_user("staff_c", Role.TOWNSHIP_STAFF, township)
    mine = figures.figures_for(world.county, *PERIOD, user=user_c, on=ON)
    assert mine["total"].total == 8
    theirs = figures.figures_for(world.county, *PERIOD, user=world.township_staff, on=ON)
    assert theirs["total"].total == 0
    everyone = figures.figures_for(world.county, *PERIOD, user=world.county_admin, on=ON)
    assert everyone["total"].total == 8
    assert figures.check(everyone) == []
    by_child = {row.organization.pk: row.counts.total for row in everyone["by_organization"]}
    assert by_child[township.pk] == 8 and world.township_a.pk not in by_child


@pytest.mark.parametrize("size", [1, 2, 7, 41])
def test_p90_in_the_database_matches_python(world, size):
    rng = random.Random(size)
    days = [rng.randint(0, 60) for _ in range(size)]
    for value in days:
        make_case(
            world.union_a,
            received=dt.date(2024, 3, 1),
            status="closed",
            solved=True,
            handling_days=value,
            concluded_late=False,
        )
    qs = figures.cases_for(world.township_a, *PERIOD)
    expected = days[0] if size == 1 else statistics.quantiles(days, n=10, method="inclusive")[8]
    assert figures.handling_p90(qs) == pytest.approx(expected)
    got = figures.figures_for(world.township_a, *PERIOD, on=ON)["handling"]["p90"]
    assert got == pytest.approx(expected)


def test_figures_take_a_fixed_number_of_queries(township_c, django_assert_max_num_queries):
    township, _union, _cases = township_c
    limit = 14 if connection.vendor == "postgresql" else 16
    with django_assert_max_num_queries(limit):
        figures.figures_for(township, *PERIOD, on=ON)
