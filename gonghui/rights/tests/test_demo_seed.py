"""The rights demo at the tiny scale: deterministic, and every case consistent with its own
timeline and deadlines."""

from __future__ import annotations

import datetime as dt
import io
import random

import pytest
from django.utils import timezone
from django.utils.module_loading import import_string

from gonghui.core import workdays
from gonghui.core.demo import SCALES, SEEDERS, DemoContext
from gonghui.organizations.models import Organization
from gonghui.rights import deadlines, demo, figures
from gonghui.rights.catalog import CATEGORY_LABELS
from gonghui.rights.models import (
    CONCLUDED_STATUSES,
    Alert,
    Article,
    Case,
    CaseEvent,
    CaseStatus,
    Channel,
    EventKind,
    HotlineCall,
    Inspection,
    JointMeeting,
    Mediation,
    Referral,
    RightsSettings,
    Supervision,
    SupervisionNotice,
)

pytestmark = pytest.mark.django_db

RIGHTS = "gonghui.rights.demo.seed"


@pytest.fixture
def seeded():
    """The tiny demo up to the rights seeder; returns (context, generator state before it)."""
    ctx = DemoContext(
        scale=SCALES["tiny"], rng=random.Random(11), password="demo-pass-11", out=io.StringIO()
    )
    for path in SEEDERS:
        if path == RIGHTS:
            break
        import_string(path)(ctx)
    state = ctx.rng.getstate()
    demo.seed(ctx)
    return ctx, state


def _snapshot() -> list[tuple]:
    codes = dict(Case.objects.values_list("pk", "tracking_code"))
    rows = []
    for case in Case.objects.order_by("tracking_code"):
        events = [
            (e.kind, e.from_status, e.to_status, e.at)
            for e in CaseEvent.objects.filter(case=case).order_by("at", "id")
        ]
        rows.append(
            (
                case.tracking_code,
                case.status,
                case.channel,
                case.category,
                case.description,
                case.complainant_name,
                case.received_at,
                case.accept_due,
                case.due_on,
                case.amount_claimed,
                case.amount_recovered,
                case.satisfaction,
                codes.get(case.merged_into_id),
                tuple(events),
                tuple(case.parties.order_by("id").values_list("months", "amount_claimed")),
            )
        )
    return rows


def _delete_rights() -> None:
    for model in (Alert, JointMeeting, HotlineCall, Article, Inspection, SupervisionNotice):
        model.objects.all().delete()
    Case.objects.filter(status=CaseStatus.MERGED).delete()
    Case.objects.all().delete()


def test_the_same_seed_gives_the_same_cases(seeded):
    ctx, state = seeded
    first = _snapshot()
    assert len(first) == demo.CASES_PER_COUNTY["tiny"]
    _delete_rights()
    ctx.rng.setstate(state)
    demo.seed(ctx)
    assert _snapshot() == first


def test_every_channel_category_and_status_is_there(seeded):
    assert set(Case.objects.values_list("channel", flat=True)) == set(Channel.values)
    assert set(Case.objects.values_list("category", flat=True)) == set(CATEGORY_LABELS)
    assert set(Case.objects.values_list("status", flat=True)) == set(CaseStatus.values)
    today = timezone.localdate()
    oldest = Case.objects.order_by("received_at").first().received_at
    assert (today - timezone.localdate(oldest)).days > 480
    collective = Case.objects.filter(
        collective=True, category="complaint.wage_arrears", parties__isnull=False
    )
    assert collective.exists()
    assert Case.objects.exclude(project_name="").exclude(subcontractors=[]).exists()
    assert Case.objects.filter(paused=True, pauses__ended_on__isnull=True).exists()
    assert Case.objects.filter(reopen_count=1).exists()
    now = figures.now_counts(Organization.objects.get(parent=None))
    assert now["overdue"] > 0 and now["open"] > now["overdue"]
    assert "拖欠" in " ".join(Case.objects.values_list("description", flat=True)[:300])


def test_every_page_of_the_area_has_something_to_show(seeded):
    for model in (
        Mediation,
        Referral,
        Supervision,
        SupervisionNotice,
        Inspection,
        Alert,
        Article,
        HotlineCall,
        JointMeeting,
    ):
        assert model.objects.exists(), model.__name__
    assert Referral.objects.filter(status="sent", reply_due__lt=timezone.localdate()).exists()
    assert Article.objects.filter(review_due__lt=timezone.localdate()).exists()


def test_each_cases_status_matches_its_timeline(seeded):
    for case in Case.objects.prefetch_related("events"):
        moves = [e for e in case.events.all() if e.to_status]
        assert moves[0].kind == EventKind.RECEIVED and moves[0].at == case.received_at
        status = ""
        for event in moves:
            assert event.from_status == status, (case.number, event.kind)
            status = event.to_status
        assert status == case.status, case.number
        times = [e.at for e in case.events.all()]
        assert times == sorted(times)
        assert times[-1] <= timezone.now()
        reopened = sum(1 for e in case.events.all() if e.kind == EventKind.REOPENED)
        assert reopened == case.reopen_count
        assert (case.merged_into_id is not None) == (case.status == CaseStatus.MERGED)


def test_deadlines_follow_the_working_day_calendar(seeded):
    rules = RightsSettings.current()
    checked = 0
    for case in Case.objects.prefetch_related("pauses", "events"):
        received = timezone.localdate(case.received_at)
        assert case.accept_due == workdays.add_working_days(received, rules.accept_days)
        if case.accepted_on is None:
            assert case.status in (CaseStatus.RECEIVED, CaseStatus.DECLINED, CaseStatus.MERGED)
            continue
        assert case.time_limit_days == rules.days_for(case.tier)
        assert case.due_on == deadlines.compute_due(case), case.number
        open_pause = [p for p in case.pauses.all() if p.ended_on is None]
        assert case.paused == bool(open_pause)
        if case.status in CONCLUDED_STATUSES:
            concluded = timezone.localdate(case.concluded_at)
            assert case.handling_days == deadlines.working_days_used(case, concluded)
            assert case.concluded_late == (concluded > case.due_on)
            assert case.followup_due == workdays.add_working_days(concluded, rules.followup_days)
            assert case.solved is not None
            checked += 1
        else:
            assert case.concluded_at is None and case.handling_days is None
    assert checked > 100


def test_the_figures_of_the_demo_add_up(seeded):
    root = Organization.objects.get(parent=None)
    today = timezone.localdate()
    data = figures.figures_for(root, today - dt.timedelta(days=600), today)
    assert figures.check(data) == []
    total = data["total"]
    assert total.closure_rate > total.resolution_rate > 0.5
    assert 0.5 < total.on_time_rate < 1
    assert data["handling"]["p90"] > data["handling"]["mean"] > 0
    assert data["satisfaction"]["answered"] > 100
