"""Elections, cadres and their terms; the cadre list and the list of terms due."""

import datetime as dt
import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gonghui.audit.models import AuditEntry
from gonghui.organizations import services
from gonghui.organizations.models import Cadre, Election

from .factories import CadreFactory

pytestmark = pytest.mark.django_db

ELECTED = [
    {"name": "王新", "position": "chair", "rank": "副科级", "full_time": True},
    {"name": "李副", "position": "vice_chair"},
    {"name": "赵委", "position": "committee_member"},
]


def record(world, **overrides):
    data = {
        "by": world.township_staff,
        "organization": world.union_a,
        "held_on": dt.date(2026, 4, 20),
        "kind": "regular",
        "term_years": 5,
        "members_total": 120,
        "members_voting": 110,
        "cadres": ELECTED,
    }
    data.update(overrides)
    return services.election_record(**data)


def test_a_regular_election_starts_new_terms_and_ends_the_previous_ones(world):
    old_chair = world.extra_a[6]  # 甲方主席, in office 2022-05-01 – 2027-04-30
    election = record(world)
    old_chair.refresh_from_db()
    assert old_chair.ended_on == dt.date(2026, 4, 20)
    new = {c.name: c for c in election.cadres.all()}
    assert set(new) == {"王新", "李副", "赵委"}
    assert {(c.term_start, c.term_end) for c in new.values()} == {
        (dt.date(2026, 4, 20), dt.date(2031, 4, 19))
    }
    assert new["王新"].full_time and new["王新"].rank == "副科级"
    assert AuditEntry.objects.filter(
        object_type="organizations.cadre", object_id=str(old_chair.pk), detail="election"
    ).exists()
    assert AuditEntry.objects.filter(
        object_type="organizations.election", object_id=str(election.pk), action="create"
    ).exists()


def test_a_three_year_term_ends_the_day_before_the_third_anniversary(world):
    election = record(world, term_years=3, held_on=dt.date(2024, 2, 29))
    assert {c.term_end for c in election.cadres.all()} == {dt.date(2027, 2, 28)}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"term_years": 4}, "term_years"),
        ({"members_voting": 121}, "members_voting"),
        ({"members_total": 0, "members_voting": 0}, "members_total"),
        ({"held_on": None}, "held_on"),
        ({"held_on": dt.date(2999, 1, 1)}, "held_on"),
        ({"held_on": dt.date(2022, 5, 1)}, "held_on"),  # not after the election on record
        ({"kind": "coronation"}, "kind"),
        ({"cadres": []}, "cadres"),
        ({"cadres": [{"name": "", "position": "chair"}]}, "cadres"),
        (
            {"cadres": [{"name": "甲", "position": "chair"}, {"name": "乙", "position": "chair"}]},
            "cadres",
        ),
    ],
)
def test_a_bad_election_names_the_field_and_saves_nothing(world, overrides, field):
    elections, cadres = Election.objects.count(), Cadre.objects.count()
    with pytest.raises(ValidationError) as exc:
        record(world, **overrides)
    assert field in exc.value.message_dict
    assert (Election.objects.count(), Cadre.objects.count()) == (elections, cadres)
    assert Cadre.objects.get(pk=world.extra_a[6].pk).ended_on is None


def test_more_voters_than_members_is_refused_with_both_numbers(world, english):
    with pytest.raises(ValidationError) as exc:
        record(world, members_voting=130)
    assert exc.value.message_dict["members_voting"] == [
        "More members voted (130) than were entitled to vote (120)."
    ]


def test_a_by_election_serves_out_the_current_term_and_replaces_only_the_office_it_fills(world):
    member = CadreFactory(organization=world.union_a, election=world.extra_a[5])
    election = record(
        world,
        kind="by_election",
        held_on=dt.date(2025, 3, 1),
        cadres=[{"name": "补选主席", "position": "chair"}],
    )
    chair = election.cadres.get()
    assert (chair.term_start, chair.term_end) == (dt.date(2025, 3, 1), dt.date(2027, 4, 30))
    world.extra_a[6].refresh_from_db()
    member.refresh_from_db()
    assert world.extra_a[6].ended_on == dt.date(2025, 3, 1)  # the chair replaced
    assert member.ended_on is None  # the committee member stays


def test_recording_elections_needs_the_right_and_the_scope(world):
    for user in (world.auditor, world.mediator, world.outsider):
        with pytest.raises(PermissionDenied):
            record(world, by=user)
    assert not Election.objects.filter(held_on=dt.date(2026, 4, 20)).exists()


def test_a_cadre_entered_by_hand_needs_a_term_that_ends_after_it_starts(world):
    with pytest.raises(ValidationError) as exc:
        services.cadre_create(
            by=world.union_chair,
            organization=world.union_a,
            name="钱六",
            position="vice_chair",
            term_start=dt.date(2024, 1, 1),
            term_end=dt.date(2024, 1, 1),
        )
    assert list(exc.value.message_dict) == ["term_end"]
    cadre = services.cadre_create(
        by=world.union_chair,
        organization=world.union_a,
        name="钱六",
        position="vice_chair",
        term_start=dt.date(2024, 1, 1),
        term_end=dt.date(2028, 12, 31),
    )
    services.cadre_update(by=world.union_chair, cadre=cadre, rank="正科级", full_time=True)
    cadre.refresh_from_db()
    assert cadre.rank == "正科级" and cadre.full_time


def test_a_cadre_leaves_office_once_and_not_before_the_term_started(world):
    cadre = world.extra_a[6]
    with pytest.raises(ValidationError) as exc:
        services.cadre_end(by=world.township_staff, cadre=cadre, ended_on=dt.date(2020, 1, 1))
    assert "ended_on" in exc.value.message_dict
    services.cadre_end(by=world.township_staff, cadre=cadre, ended_on=dt.date(2025, 1, 1))
    with pytest.raises(ValidationError):
        services.cadre_end(by=world.township_staff, cadre=cadre, ended_on=dt.date(2025, 2, 1))
    cadre.refresh_from_db()
    assert cadre.ended_on == dt.date(2025, 1, 1)


# --- pages -----------------------------------------------------------------------------------


def test_the_election_form_keeps_the_people_typed_when_something_is_wrong(world, login):
    client = login(world.township_staff)
    data = {
        "held_on": "2026-04-20",
        "kind": "regular",
        "term_years": "5",
        "members_total": "100",
        "members_voting": "140",
        "cadres-TOTAL_FORMS": "3",
        "cadres-INITIAL_FORMS": "0",
        "cadres-MIN_NUM_FORMS": "0",
        "cadres-MAX_NUM_FORMS": "60",
        "cadres-0-name": "王新",
        "cadres-0-position": "chair",
        "cadres-1-name": "李副",
        "cadres-1-position": "vice_chair",
    }
    url = f"/organizations/{world.union_a.pk}/elections/new/"
    response = client.post(url, data)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'value="王新"' in body and 'value="李副"' in body and 'value="140"' in body
    assert "has-error" in body
    assert not Election.objects.filter(held_on=dt.date(2026, 4, 20)).exists()

    data["members_voting"] = "95"
    response = client.post(url, data)
    assert response.status_code == 302
    election = Election.objects.get(held_on=dt.date(2026, 4, 20))
    assert sorted(election.cadres.values_list("name", flat=True)) == ["李副", "王新"]


def test_an_auditor_cannot_open_the_election_form(world, login):
    assert login(world.auditor).get(
        f"/organizations/{world.union_a.pk}/elections/new/"
    ).status_code == (403)


def test_the_cadre_list_filters_and_exports_within_scope(world, login):
    CadreFactory(organization=world.union_a, name="离任委员", ended_on=dt.date(2024, 1, 1))
    client = login(world.township_staff)
    body = client.get("/organizations/cadres/").content.decode()
    assert "甲方主席" in body and "乙方主席" not in body and "离任委员" not in body
    body = client.get("/organizations/cadres/", {"state": "left"}).content.decode()
    assert "离任委员" in body and "甲方主席" not in body
    body = client.get(
        "/organizations/cadres/", {"organization": world.extra_a[0].pk}
    ).content.decode()
    assert "甲方主席" not in body
    # an organization outside the scope narrows to nothing
    body = client.get(
        "/organizations/cadres/", {"organization": world.union_b.pk, "state": "all"}
    ).content.decode()
    assert "乙方主席" not in body and "甲方主席" not in body

    response = client.get("/organizations/cadres/", {"format": "xlsx", "state": "all"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.getvalue())).active
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert sorted(names) == ["甲方主席", "离任委员"]
    assert AuditEntry.objects.filter(action="export", object_type="organizations.cadre").exists()


def test_terms_due_lists_terms_ending_within_90_days_and_overdue(world, login):
    today = timezone.localdate()
    due = CadreFactory(
        organization=world.union_a,
        name="将满委员",
        term_start=today - dt.timedelta(days=1700),
        term_end=today + dt.timedelta(days=90),
    )
    overdue = CadreFactory(
        organization=world.extra_a[0],
        name="超期主席",
        position="chair",
        term_start=today - dt.timedelta(days=2000),
        term_end=today - dt.timedelta(days=1),
    )
    CadreFactory(
        organization=world.union_a,
        name="远期委员",
        term_start=today,
        term_end=today + dt.timedelta(days=91),
    )
    CadreFactory(
        organization=world.union_b,
        name="乙方将满",
        term_start=today - dt.timedelta(days=1700),
        term_end=today + dt.timedelta(days=10),
    )
    client = login(world.township_staff)
    body = client.get("/organizations/terms-due/").content.decode()
    assert due.name in body and overdue.name in body
    assert "远期委员" not in body and "乙方将满" not in body
    body = client.get("/organizations/terms-due/", {"status": "overdue"}).content.decode()
    assert overdue.name in body and due.name not in body
    body = client.get(
        "/organizations/terms-due/", {"organization": world.union_a.pk}
    ).content.decode()
    assert due.name in body and overdue.name not in body

    response = client.get("/organizations/terms-due/", {"format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.getvalue())).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [r[2] for r in rows] == ["超期主席", "将满委员"]  # by term end


def test_the_cadre_edit_page_changes_a_term_and_records_leaving_office(world, login):
    cadre = world.extra_a[6]
    client = login(world.township_staff)
    response = client.post(
        f"/organizations/cadres/{cadre.pk}/edit/",
        {
            "name": cadre.name,
            "position": "chair",
            "rank": "",
            "term_start": "2022-05-01",
            "term_end": "2022-04-01",
        },
    )
    assert response.status_code == 200 and "has-error" in response.content.decode()
    cadre.refresh_from_db()
    assert cadre.term_end == dt.date(2027, 4, 30)
    response = client.post(f"/organizations/cadres/{cadre.pk}/end/", {"ended_on": "2025-06-30"})
    assert response.status_code == 302
    cadre.refresh_from_db()
    assert cadre.ended_on == dt.date(2025, 6, 30)


def test_the_lists_cost_the_same_queries_for_more_rows(world, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(world.township_staff)
    today = timezone.localdate()

    def count(url):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    urls = ["/organizations/cadres/", "/organizations/terms-due/"]
    CadreFactory(
        organization=world.union_a, term_start=today, term_end=today + dt.timedelta(days=9)
    )
    before = [count(url) for url in urls]
    for n in range(6):
        CadreFactory(
            organization=world.extra_a[0],
            term_start=today - dt.timedelta(days=2000),
            term_end=today + dt.timedelta(days=n),
        )
    assert [count(url) for url in urls] == before
