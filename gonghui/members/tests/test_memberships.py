import datetime as dt
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from gonghui.core import identifiers as ids
from gonghui.members import services
from gonghui.members.models import (
    DuplicateCandidate,
    Membership,
    MembershipEvent,
    MembershipTransfer,
    Worker,
)


@pytest.mark.django_db
def test_a_worker_is_registered_with_sex_and_birth_date_from_the_id_and_mismatches_flagged(world):
    number = ids.make_resident_id("360428", dt.date(1988, 8, 8), 123)  # odd sequence: male
    worker = services.worker_create(
        by=world.union_chair,
        organization=world.union_a,
        name="赵六",
        id_number=number.lower(),
        sex="F",
        birth_date=dt.date(1988, 8, 9),
    )
    assert (worker.sex, worker.birth_date) == ("M", dt.date(1988, 8, 8))
    assert worker.review_flags == ["sex_mismatch", "birth_date_mismatch"]
    assert worker.name_initials == "zl"


@pytest.mark.django_db
def test_a_bad_id_or_phone_is_refused_naming_the_field_and_nothing_saved(world):
    before = Worker.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.worker_create(
            by=world.union_chair,
            organization=world.union_a,
            name="赵六",
            id_number="3.60426E+17",
            phone="010-12345678",
        )
    assert set(exc.value.message_dict) == {"id_number", "phone"}
    assert "Excel" in exc.value.message_dict["id_number"][0]
    assert Worker.objects.count() == before


@pytest.mark.django_db
def test_the_same_person_cannot_be_registered_twice(world):
    with pytest.raises(ValidationError) as exc:
        services.worker_create(
            by=world.union_chair,
            organization=world.union_a,
            name="张三丰",
            id_number=world.worker_a.id_number,
        )
    assert "already on record" in exc.value.message_dict["id_number"][0]


@pytest.mark.django_db
def test_joining_gives_a_card_number_and_a_history_and_one_membership_at_a_time(world):
    worker = services.worker_create(
        by=world.union_chair,
        organization=world.union_a,
        name="赵六",
        id_number=ids.make_resident_id("360428", dt.date(1990, 2, 2), 7),
    )
    membership = services.membership_join(by=world.union_chair, worker=worker, union=world.union_a)
    assert membership.card_number.startswith("360428")
    assert MembershipEvent.objects.filter(worker=worker, kind="joined").count() == 1
    with pytest.raises(ValidationError, match="use a transfer"):
        services.membership_join(by=world.union_chair, worker=worker, union=world.union_a)


@pytest.mark.django_db
def test_a_lapsed_member_rejoins_and_the_history_says_so(world):
    membership = Membership.objects.get(worker=world.worker_a, status="active")
    MembershipTransfer.objects.filter(membership=membership).update(status="cancelled")
    services.membership_end(
        by=world.union_chair, membership=membership, status="lapsed", reason="长期未缴会费"
    )
    again = services.membership_join(
        by=world.union_chair, worker=world.worker_a, union=world.union_a
    )
    kinds = list(
        MembershipEvent.objects.filter(worker=world.worker_a)
        .order_by("at", "id")
        .values_list("kind", flat=True)
    )
    assert kinds[-2:] == ["lapsed", "rejoined"] and again.status == "active"


@pytest.mark.django_db
def test_a_transfer_moves_the_member_and_the_card_to_the_new_union(world):
    transfer = MembershipTransfer.objects.get(worker=world.worker_a)
    new = services.membership_transfer_approve(by=world.township_staff, transfer=transfer)
    old = Membership.objects.get(pk=transfer.membership_id)
    assert (old.status, new.union, new.card_number) == (
        "transferred",
        transfer.to_union,
        "3604280031",
    )
    world.worker_a.refresh_from_db()
    assert world.worker_a.organization == transfer.to_union
    assert {"transferred_out", "transferred_in"} <= set(
        MembershipEvent.objects.filter(worker=world.worker_a).values_list("kind", flat=True)
    )


@pytest.mark.django_db
def test_a_transfer_decided_twice_is_refused_the_second_time_with_the_reason(world):
    transfer = MembershipTransfer.objects.get(worker=world.worker_a)
    services.membership_transfer_approve(by=world.township_staff, transfer=transfer)
    with pytest.raises(ValidationError, match="already decided"):
        services.membership_transfer_reject(by=world.admin_a, transfer=transfer, note="重复")
    assert Membership.objects.filter(worker=world.worker_a, status="active").count() == 1


@pytest.mark.django_db
def test_a_sibling_township_cannot_decide_a_transfer(world):
    transfer = MembershipTransfer.objects.get(worker=world.worker_a)
    with pytest.raises(PermissionDenied):
        services.membership_transfer_approve(by=world.outsider, transfer=transfer)


@pytest.mark.django_db(transaction=True)
def test_two_staff_approving_one_transfer_at_the_same_moment_one_wins(world):
    """Real concurrent connections on PostgreSQL: the row lock serializes them."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks and concurrent connections")
    transfer = MembershipTransfer.objects.get(worker=world.worker_a)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def approve(user):
        from django.db import connections

        try:
            barrier.wait()
            services.membership_transfer_approve(by=user, transfer=transfer)
            outcomes.append("ok")
        except ValidationError as exc:
            outcomes.append("refused: " + " ".join(exc.messages))
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=approve, args=(u,)) for u in (world.township_staff, world.admin_a)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(o.split(":")[0] for o in outcomes) == ["ok", "refused"]
    assert Membership.objects.filter(worker=world.worker_a, status="active").count() == 1


@pytest.mark.django_db
def test_duplicates_are_found_and_a_merge_keeps_every_linked_record(world):
    assert services.duplicates_find() == 0  # the world's pairs are already queued
    candidate = (
        DuplicateCandidate.objects.get(worker_a=world.worker_a)
        if DuplicateCandidate.objects.filter(worker_a=world.worker_a).exists()
        else DuplicateCandidate.objects.get(worker_b=world.worker_a)
    )
    twin = candidate.worker_b if candidate.worker_a_id == world.worker_a.pk else candidate.worker_a
    events_before = MembershipEvent.objects.filter(worker__in=[world.worker_a, twin]).count()
    services.worker_merge(by=world.township_staff, candidate=candidate, keep=world.worker_a)
    assert not Worker.objects.filter(pk=twin.pk).exists()
    assert MembershipEvent.objects.filter(worker=world.worker_a).count() == events_before + 1
    assert Membership.objects.filter(worker=world.worker_a).count() >= 1
