"""Managing the tree: closing with its blockers, moving a subtree, the founding record."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from gonghui.audit.models import AuditEntry
from gonghui.members.models import Membership
from gonghui.organizations import services
from gonghui.organizations.models import FoundingRecord, Organization

from .factories import MembershipFactory, OrganizationFactory, WorkerFactory

pytestmark = pytest.mark.django_db


# --- closing ---------------------------------------------------------------------------------


def test_a_union_with_active_members_cannot_close_and_the_message_counts_them(world, english):
    MembershipFactory(worker=WorkerFactory(organization=world.union_a), union=world.union_a)
    assert Membership.objects.filter(union=world.union_a, status="active").count() == 2
    with pytest.raises(ValidationError) as exc:
        services.organization_close(
            by=world.township_staff, organization=world.union_a, reason="企业注销"
        )
    assert exc.value.message_dict["status"] == [
        "2 members still belong to this union: transfer their memberships or end them first."
    ]
    world.union_a.refresh_from_db()
    assert world.union_a.status == "active" and world.union_a.closed_reason == ""
    assert not AuditEntry.objects.filter(detail="close").exists()


def test_a_union_whose_memberships_all_ended_can_close(world):
    Membership.objects.filter(union=world.union_a).update(
        status="lapsed", ended_on=dt.date(2024, 1, 1)
    )
    assert services.closing_blockers(world.union_a) == []
    services.organization_close(by=world.township_staff, organization=world.union_a, reason="注销")
    world.union_a.refresh_from_db()
    assert world.union_a.status == "closed"


def test_another_area_can_add_a_condition_that_blocks_closing(world):
    def restructuring_blocks_closing(org):
        return ["改制中的企业职工尚未安置"] if org == world.extra_a[0] else []

    services.register_closing_check(restructuring_blocks_closing)
    try:
        assert services.closing_blockers(world.extra_a[0]) == ["改制中的企业职工尚未安置"]
        with pytest.raises(ValidationError) as exc:
            services.organization_close(
                by=world.township_staff, organization=world.extra_a[0], reason="改制"
            )
        assert exc.value.message_dict["status"] == ["改制中的企业职工尚未安置"]
    finally:
        services.unregister_closing_check(restructuring_blocks_closing)
    assert services.closing_blockers(world.extra_a[0]) == []


@pytest.mark.parametrize(
    ("reason", "closed_on", "field"),
    [
        ("", None, "reason"),
        ("注销", timezone.localdate() + dt.timedelta(days=3), "closed_on"),
    ],
)
def test_closing_refuses_a_missing_reason_or_a_future_date(world, reason, closed_on, field):
    union = world.extra_a[0]
    with pytest.raises(ValidationError) as exc:
        services.organization_close(
            by=world.township_staff, organization=union, reason=reason, closed_on=closed_on
        )
    assert field in exc.value.message_dict
    union.refresh_from_db()
    assert union.status == "active"


def test_the_close_page_says_why_it_cannot_close_yet_and_keeps_the_reason(world, login, english):
    client = login(world.township_staff)
    url = f"/organizations/{world.union_a.pk}/close/"
    assert "1 member still belongs to this union" in client.get(url).content.decode()
    response = client.post(url, {"reason": "企业已注销"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "1 member still belongs to this union" in body
    assert "企业已注销</textarea>" in body
    world.union_a.refresh_from_db()
    assert world.union_a.is_active


# --- moving ----------------------------------------------------------------------------------


def test_the_move_page_offers_only_possible_parents_in_scope(world, login):
    park = OrganizationFactory(parent=world.township_a, kind="park", name="东湖园区工会")
    body = login(world.township_staff).get(f"/organizations/{park.pk}/move/").content.decode()
    # its own subtree, grassroots unions, its current parent and the sibling side are not offered
    assert f'value="{world.union_a.pk}"' not in body
    assert f'value="{world.township_a.pk}"' not in body
    assert world.township_b.name not in body
    assert f'value="{park.pk}"' not in body

    body = login(world.county_admin).get(f"/organizations/{park.pk}/move/").content.decode()
    assert f'value="{world.township_b.pk}"' in body and f'value="{world.county.pk}"' in body


def test_moving_through_the_page_moves_the_subtree_and_audits_it(world, login):
    park = OrganizationFactory(parent=world.township_a, kind="park")
    leaf = OrganizationFactory(parent=park)
    response = login(world.county_admin).post(
        f"/organizations/{park.pk}/move/", {"parent": world.township_b.pk}
    )
    assert response.status_code == 302
    leaf.refresh_from_db()
    assert leaf.path.startswith(world.township_b.path)
    assert AuditEntry.objects.filter(detail="move", object_id=str(park.pk)).exists()


def test_a_parent_outside_the_choices_is_refused_and_nothing_moves(world, login):
    park = OrganizationFactory(parent=world.township_a, kind="park")
    response = login(world.township_staff).post(
        f"/organizations/{park.pk}/move/", {"parent": world.township_b.pk}
    )
    assert response.status_code == 200 and "has-error" in response.content.decode()
    park.refresh_from_db()
    assert park.parent_id == world.township_a.pk


def test_one_cannot_move_or_close_ones_own_organization_from_its_page(world, login):
    body = login(world.township_staff).get(f"/organizations/{world.township_a.pk}/").content
    assert f"/organizations/{world.township_a.pk}/move/".encode() not in body
    assert (
        f"/organizations/{world.union_a.pk}/move/".encode()
        in login(world.township_staff).get(f"/organizations/{world.union_a.pk}/").content
    )


# --- founding record -------------------------------------------------------------------------


def test_a_founding_record_is_saved_audited_and_dates_the_organization(world):
    union = world.extra_a[0]
    record = services.founding_record_save(
        by=world.township_staff,
        organization=union,
        founded_on=dt.date(2019, 6, 1),
        founding_members=18,
        approved_by="东湖镇总工会",
        approval_number="东工字〔2019〕8号",
        first_committee="王五 组织员",
    )
    union.refresh_from_db()
    assert union.founded_on == dt.date(2019, 6, 1)
    assert record.founding_members == 18
    assert AuditEntry.objects.filter(
        object_type="organizations.foundingrecord", object_id=str(record.pk), action="create"
    ).exists()
    # saving again corrects the same record
    services.founding_record_save(
        by=world.township_staff,
        organization=union,
        founded_on=dt.date(2019, 6, 2),
        founding_members=30,
    )
    assert FoundingRecord.objects.filter(organization=union).count() == 1


@pytest.mark.parametrize(
    ("founded_on", "members", "field"),
    [
        (None, 30, "founded_on"),
        (dt.date(2999, 1, 1), 30, "founded_on"),
        (dt.date(2019, 1, 1), 0, "founding_members"),
    ],
)
def test_a_bad_founding_record_names_the_field_and_saves_nothing(world, founded_on, members, field):
    union = world.extra_a[0]
    with pytest.raises(ValidationError) as exc:
        services.founding_record_save(
            by=world.township_staff,
            organization=union,
            founded_on=founded_on,
            founding_members=members,
        )
    assert list(exc.value.message_dict) == [field]
    assert not FoundingRecord.objects.filter(organization=union).exists()


def test_fewer_than_25_founding_members_brings_the_organizer_note(world, login, english):
    client = login(world.township_staff)
    union = world.extra_a[0]
    response = client.post(
        f"/organizations/{union.pk}/founding/",
        {"founded_on": "2019-06-01", "founding_members": "12", "approved_by": "东湖镇总工会"},
        follow=True,
    )
    body = response.content.decode()
    assert "may elect one organizer instead of a committee" in body
    assert "Trade Union Law art. 11" in body


def test_the_founding_form_keeps_the_input_and_shows_the_error(world, login, english):
    union = world.extra_a[0]
    response = login(world.township_staff).post(
        f"/organizations/{union.pk}/founding/",
        {"founded_on": "2999-01-01", "founding_members": "40", "approval_number": "东工字〔1〕"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "The date is in the future." in body
    assert 'value="东工字〔1〕"' in body and 'value="40"' in body
    assert not FoundingRecord.objects.filter(organization=union).exists()


def test_the_organization_page_shows_founding_cadres_and_elections(world, login):
    body = login(world.township_staff).get(f"/organizations/{world.union_a.pk}/").content.decode()
    assert "甲方主席" in body  # the cadre in office
    assert f"/organizations/elections/{world.extra_a[5].pk}/" in body
    assert "2010" in body  # the founding record's date
    assert Organization.objects.get(pk=world.union_a.pk).is_active
