import datetime as dt

import pytest
from django.test import Client

from gonghui.core import identifiers as ids
from gonghui.members.models import DuplicateCandidate, Membership, MembershipTransfer, Worker


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_registering_a_worker_on_the_page_makes_them_a_member(world):
    number = ids.make_resident_id("360428", dt.date(1991, 3, 3), 55)
    response = client_for(world.union_chair).post(
        "/workers/new/",
        {
            "name": "钱七",
            "id_number": number,
            "phone": "+86 138 1234 5678",
            "worker_type": "migrant",
            "employer": world.employer_a.pk,
            "union": world.union_a.pk,
        },
    )
    worker = Worker.objects.get(name="钱七")
    assert response.status_code == 302 and response["Location"] == f"/workers/{worker.pk}/"
    assert worker.phone == "13812345678" and worker.worker_type == "migrant"
    assert Membership.objects.get(worker=worker).union == world.union_a


@pytest.mark.django_db
def test_a_bad_id_on_the_page_keeps_the_input_and_saves_nothing(world):
    before = Worker.objects.count()
    response = client_for(world.union_chair).post(
        "/workers/new/",
        {"name": "钱七", "id_number": "360428199001011234", "worker_type": "regular"},
    )
    body = response.content.decode()
    assert response.status_code == 200 and 'value="钱七"' in body and "校验" in body
    assert Worker.objects.count() == before


@pytest.mark.django_db
def test_the_receiving_union_approves_a_transfer_on_the_page(world):
    transfer = MembershipTransfer.objects.get(worker=world.worker_a)
    client = client_for(world.township_staff)
    assert "甲方第二工会" in client.get("/workers/transfers/").content.decode()
    response = client.post(
        f"/workers/transfers/{transfer.pk}/", {"decision": "approve", "note": ""}
    )
    assert response.status_code == 302
    assert Membership.objects.get(worker=world.worker_a, status="active").union == transfer.to_union


@pytest.mark.django_db
def test_a_merge_from_the_review_queue(world):
    candidate = DuplicateCandidate.objects.filter(
        worker_a=world.worker_a
    ).first() or DuplicateCandidate.objects.get(worker_b=world.worker_a)
    other = (
        candidate.worker_b_id
        if candidate.worker_a_id == world.worker_a.pk
        else candidate.worker_a_id
    )
    client = client_for(world.township_staff)
    assert client.get("/workers/duplicates/").status_code == 200
    client.post(f"/workers/duplicates/{candidate.pk}/decide/", {"keep": world.worker_a.pk})
    assert not Worker.objects.filter(pk=other).exists()


@pytest.mark.django_db
def test_the_members_list_shows_active_members_and_exports_them_masked(world):
    client = client_for(world.township_staff)
    body = client.get("/workers/members/").content.decode()
    assert "3604280031" in body  # worker A's card
    response = client.get("/workers/members/", {"format": "xlsx"})
    from tests.test_scope_walk import xlsx_text

    text = xlsx_text(response.getvalue())
    assert "3604280031" in text and world.worker_a.id_number not in text
    assert world.worker_a.id_number[:4] + "**********" in text


@pytest.mark.django_db
def test_the_worker_page_shows_one_timeline(world):
    body = client_for(world.township_staff).get(f"/workers/{world.worker_a.pk}/").content.decode()
    assert "甲方第二工会" in body  # the transfer waiting for a decision


@pytest.mark.django_db
def test_coverage_links_open_the_workers_behind_each_figure(world):
    client = client_for(world.county_admin)
    members = client.get("/workers/", {"member": "yes"}).content.decode()
    non_members = client.get("/workers/", {"member": "no"}).content.decode()
    assert world.worker_a.name in members  # worker A is an active member
    twin_names = [w.name for w in Worker.objects.filter(memberships__isnull=True)]
    assert twin_names and all(name in non_members for name in twin_names)


@pytest.mark.django_db
def test_ending_a_membership_twice_shows_why_on_the_form(world):
    membership = Membership.objects.get(worker=world.worker_b, status="active")
    MembershipTransfer.objects.filter(membership=membership).update(status="cancelled")
    client = client_for(world.outsider)
    first = client.post(
        f"/workers/memberships/{membership.pk}/end/", {"status": "lapsed", "reason": "未缴会费"}
    )
    assert first.status_code == 302
    again = client.post(f"/workers/memberships/{membership.pk}/end/", {"status": "lapsed"})
    assert again.status_code == 200 and "该会籍已终止。" in again.content.decode()
    assert Membership.objects.get(pk=membership.pk).status == "lapsed"
