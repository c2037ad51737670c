"""Workers' applications decided by union staff: services and staff pages."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse

from gonghui.audit.models import AuditEntry
from gonghui.core import identifiers as ids
from gonghui.members import applications as services
from gonghui.members.models import (
    JoinApplication,
    Membership,
    MembershipEvent,
    MembershipTransfer,
    PortalAccount,
    Worker,
)
from gonghui.members.services import membership_join, membership_transfer_approve
from gonghui.portal.selectors import application_progress
from gonghui.portal.tests import support
from gonghui.portal.tests.support import committed, sms_to
from tests.world import make_worker

pytestmark = pytest.mark.urls(support.URLS)

NEW_ID = ids.make_resident_id("360428", dt.date(1993, 9, 9), 88)
PHONE = "15100000001"


def submit(world, *, phone=PHONE, name="周新来", id_number=NEW_ID, union=None, **extra):
    account = PortalAccount.objects.get_or_create(
        phone_hash=_hash(phone), defaults={"phone": phone}
    )[0]
    return services.application_submit(
        by=account,
        kind=extra.pop("kind", "join"),
        union=union or world.union_a,
        worker_type=extra.pop("worker_type", "regular"),
        consent=True,
        name=name,
        id_number=id_number,
        **extra,
    )


def _hash(phone):
    from gonghui.core.fields import hash_for

    return hash_for("phone", phone)


# --- accepting ---------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _english(settings):
    """These tests read the English source of pages and SMS texts."""
    settings.LANGUAGE_CODE = "en"


@pytest.mark.django_db
def test_accepting_registers_the_worker_starts_the_membership_and_tells_the_worker_once(world):
    app = submit(world, employer="某某快递站")
    workers, memberships, events = (
        Worker.objects.count(),
        Membership.objects.count(),
        MembershipEvent.objects.count(),
    )
    with committed():
        services.application_accept(by=world.union_chair, application=app)
    app.refresh_from_db()
    worker = Worker.objects.get(id_number_hash=app.id_number_hash)
    assert Worker.objects.count() == workers + 1
    assert (worker.name, worker.phone, worker.organization) == ("周新来", PHONE, world.union_a)
    assert worker.employer_name_given == "某某快递站"
    membership = Membership.objects.get(worker=worker)
    assert Membership.objects.count() == memberships + 1
    assert membership.union == world.union_a and membership.status == "active"
    assert membership.card_number
    assert MembershipEvent.objects.count() == events + 1
    assert MembershipEvent.objects.get(worker=worker).kind == "joined"
    assert (app.status, app.membership, app.decided_by) == (
        "accepted",
        membership,
        world.union_chair,
    )
    # The applicant's account now opens the record it created.
    assert PortalAccount.objects.get(phone_hash=_hash(PHONE)).worker == worker
    assert AuditEntry.objects.filter(
        action="transition", object_type="members.joinapplication", object_id=str(app.pk)
    ).exists()
    texts = sms_to(PHONE)
    assert len(texts) == 1 and "accepted" in texts[0].lower()
    assert "union_chair" not in texts[0] and world.union_a.name not in texts[0]

    # Deciding again changes nothing and says why.
    with pytest.raises(ValidationError) as exc:
        services.application_accept(by=world.township_staff, application=app)
    assert "already been decided" in " ".join(exc.value.messages)
    assert Worker.objects.count() == workers + 1
    assert Membership.objects.count() == memberships + 1
    assert MembershipEvent.objects.count() == events + 1
    assert len(sms_to(PHONE)) == 1
    assert application_progress(app).tone == "ok"


@pytest.mark.django_db
def test_an_existing_record_joins_without_a_second_worker_and_moves_to_the_union(world):
    worker = make_worker("钱多多", world.township_a, None, 63)  # on record, no union yet
    app = submit(world, phone="15100000002", name="钱多多", id_number=worker.id_number)
    with committed():
        services.application_accept(by=world.township_staff, application=app)
    assert Worker.objects.filter(id_number_hash=worker.id_number_hash).count() == 1
    worker.refresh_from_db()
    assert worker.organization == world.union_a
    assert Membership.objects.get(worker=worker, status="active").union == world.union_a
    # The application's phone is not the record's: the account is not linked to it.
    assert PortalAccount.objects.get(phone_hash=_hash("15100000002")).worker is None


@pytest.mark.django_db
def test_an_application_under_someone_elses_id_number_cannot_be_accepted(world):
    app = submit(world, phone="15100000003", name="冒名", id_number=world.worker_b.id_number)
    with pytest.raises(ValidationError) as exc:
        services.application_accept(by=world.county_admin, application=app)
    assert "another name" in " ".join(exc.value.messages)
    app.refresh_from_db()
    assert app.status == "submitted"


@pytest.mark.django_db
def test_a_member_of_another_union_cannot_simply_join(world):
    app = submit(world, phone="15100000004", name="张三丰", id_number=world.worker_a.id_number)
    app.union = world.extra_a[0]  # the second union of side A
    app.save()
    with pytest.raises(ValidationError) as exc:
        services.application_accept(by=world.township_staff, application=app)
    assert "use a transfer" in " ".join(exc.value.messages)


@pytest.mark.django_db
def test_only_staff_with_the_union_in_scope_and_the_right_to_change_decide(world):
    app = world.extra_a[4]
    with pytest.raises(PermissionDenied):
        services.application_accept(by=world.outsider, application=app)
    with pytest.raises(PermissionDenied):
        services.application_decline(by=world.auditor, application=app, reason="不符合条件")
    app.refresh_from_db()
    assert app.status == "submitted"


# --- declining ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_declining_keeps_the_reason_for_the_worker_and_needs_one(world):
    app = submit(world)
    with pytest.raises(ValidationError) as exc:
        services.application_decline(by=world.union_chair, application=app, reason="  ")
    assert "reason" in exc.value.message_dict
    with committed():
        services.application_decline(
            by=world.union_chair,
            application=app,
            reason="本单位尚未建立劳动关系，请  入职后再申请。",
        )
    app.refresh_from_db()
    assert app.status == "rejected"
    assert app.decision_note == "本单位尚未建立劳动关系，请 入职后再申请。"
    progress = application_progress(app)
    assert progress.tone == "refused" and app.decision_note in progress.summary
    assert not Worker.objects.filter(id_number_hash=app.id_number_hash).exists()
    texts = sms_to(PHONE)
    assert len(texts) == 1 and "union_chair" not in texts[0]


# --- two staff at once --------------------------------------------------------------------------


@pytest.mark.django_db
def test_two_decisions_on_one_application_the_second_is_told_it_was_decided(world):
    """Both staff opened the page before either decided (stale objects in memory)."""
    app = submit(world)
    first = JoinApplication.objects.get(pk=app.pk)
    second = JoinApplication.objects.get(pk=app.pk)
    services.application_accept(by=world.union_chair, application=first)
    with pytest.raises(ValidationError) as exc:
        services.application_decline(by=world.township_staff, application=second, reason="重复")
    assert "already been decided" in " ".join(exc.value.messages)
    app.refresh_from_db()
    assert (app.status, app.decision_note) == ("accepted", "")
    assert Membership.objects.filter(worker__id_number_hash=app.id_number_hash).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_staff_deciding_at_the_same_moment_one_wins(world):
    """Real concurrent connections on PostgreSQL: the row lock serializes them."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks and concurrent connections")
    app = submit(world)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def decide(action):
        from django.db import connections

        try:
            barrier.wait()
            action()
            outcomes.append("ok")
        except ValidationError as exc:
            outcomes.append("refused: " + " ".join(exc.messages))
        finally:
            connections.close_all()

    threads = [
        threading.Thread(
            target=decide,
            args=(lambda: services.application_accept(by=world.union_chair, application=app),),
        ),
        threading.Thread(
            target=decide,
            args=(
                lambda: services.application_decline(
                    by=world.township_staff, application=app, reason="不符合条件"
                ),
            ),
        ),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(o.split(":")[0] for o in outcomes) == ["ok", "refused"], outcomes
    assert "already been decided" in [o for o in outcomes if o != "ok"][0]
    app.refresh_from_db()
    assert app.status in ("accepted", "rejected")
    members = Membership.objects.filter(worker__id_number_hash=app.id_number_hash).count()
    assert members == (1 if app.status == "accepted" else 0)


# --- transfers ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_accepted_transfer_application_becomes_a_transfer_request(world):
    worker = make_worker("孙迁移", world.union_b, None, 64)
    old = membership_join(by=None, worker=worker, union=world.union_b)
    account = PortalAccount.objects.create(phone=worker.phone, worker=worker)
    app = services.application_submit(
        by=account, kind="transfer", union=world.union_a, worker_type="regular", consent=True
    )
    with committed():
        services.application_accept(by=world.township_staff, application=app)
    transfer = MembershipTransfer.objects.get(membership=old)
    assert (transfer.status, transfer.from_union, transfer.to_union) == (
        "requested",
        world.union_b,
        world.union_a,
    )
    assert transfer.requested_by == world.township_staff
    assert MembershipEvent.objects.filter(worker=worker, kind="transfer_requested").count() == 1
    app.refresh_from_db()
    assert app.status == "accepted" and app.membership is None
    assert application_progress(app).tone == "waiting"
    assert len(sms_to(worker.phone)) == 1

    membership_transfer_approve(by=world.township_staff, transfer=transfer)
    progress = application_progress(app)
    assert progress.tone == "ok" and world.union_a.name in progress.summary


@pytest.mark.django_db
def test_a_transfer_application_of_a_membership_already_waiting_to_move_is_refused(world):
    """Worker A's membership has a transfer waiting (tests/world.py)."""
    account = PortalAccount.objects.create(phone=world.worker_a.phone, worker=world.worker_a)
    with pytest.raises(ValidationError) as exc:
        services.application_submit(
            by=account,
            kind="transfer",
            union=world.union_b,
            worker_type="regular",
            consent=True,
        )
    assert "already waiting" in " ".join(exc.value.messages)


# --- staff pages ---------------------------------------------------------------------------------


def staff(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_the_list_shows_the_applications_of_ones_scope_only(world):
    html = staff(world.township_staff).get(reverse("applications:list")).content.decode()
    assert "甲方申请人" in html and "乙方申请人" not in html
    html = staff(world.outsider).get(reverse("applications:list")).content.decode()
    assert "乙方申请人" in html and "甲方申请人" not in html
    html = staff(world.county_admin).get(reverse("applications:list")).content.decode()
    assert "甲方申请人" in html and "乙方申请人" in html


@pytest.mark.django_db
def test_the_list_filters_by_status_and_kind_and_pages_by_cursor(world, settings):
    settings.LIST_PAGE_SIZE = 2
    for n in range(3):
        submit(
            world,
            phone=f"1520000000{n}",
            name=f"申请人{n}",
            id_number=ids.make_resident_id("360428", dt.date(1990, 2, 2), 200 + n),
        )
    services.application_decline(
        by=world.county_admin, application=JoinApplication.objects.get(name="申请人0"), reason="x"
    )
    client = staff(world.county_admin)
    html = client.get(reverse("applications:list"), {"status": "rejected"}).content.decode()
    assert "申请人0" in html and "申请人1" not in html
    html = client.get(reverse("applications:list"), {"kind": "transfer"}).content.decode()
    assert "申请人1" not in html
    first = client.get(reverse("applications:list"))
    assert first.context["page"].next_cursor
    second = client.get(reverse("applications:list"), {"cursor": first.context["page"].next_cursor})
    seen = [a.pk for a in first.context["page"].rows] + [a.pk for a in second.context["page"].rows]
    assert len(seen) == len(set(seen)) == 4


@pytest.mark.django_db
def test_the_list_costs_as_many_queries_for_many_rows_as_for_one(world):
    from django.test.utils import CaptureQueriesContext

    client = staff(world.county_admin)
    client.get(reverse("applications:list"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("applications:list"))
    for n in range(5):
        submit(
            world,
            phone=f"1530000000{n}",
            name=f"申请人{n}",
            id_number=ids.make_resident_id("360428", dt.date(1991, 3, 3), 300 + n),
            employer="某某公司",
        )
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("applications:list"))
    assert len(response.context["page"].rows) == 7
    assert len(many) == len(few)


@pytest.mark.django_db
def test_another_townships_application_is_not_found(world):
    other = world.extra_b[4]
    client = staff(world.township_staff)
    assert client.get(reverse("applications:detail", args=[other.pk])).status_code == 404
    for name in ("accept", "decline"):
        response = client.post(reverse(f"applications:{name}", args=[other.pk]), {"reason": "x"})
        assert response.status_code == 404
    other.refresh_from_db()
    assert other.status == "submitted"


@pytest.mark.django_db
def test_staff_accept_on_the_page_and_the_worker_is_told(world):
    app = submit(world)
    client = staff(world.union_chair)
    page = client.get(reverse("applications:detail", args=[app.pk])).content.decode()
    assert "周新来" in page and NEW_ID not in page  # the ID number is masked
    assert "No worker with this ID number is on record" in page
    assert client.get(reverse("applications:accept", args=[app.pk])).status_code == 405
    with committed():
        response = client.post(reverse("applications:accept", args=[app.pk]), {"card_number": ""})
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.status == "accepted"
    page = client.get(reverse("applications:detail", args=[app.pk])).content.decode()
    assert app.membership.card_number in page
    assert 'action="' + reverse("applications:accept", args=[app.pk]) not in page
    assert len(sms_to(PHONE)) == 1


@pytest.mark.django_db
def test_staff_decline_on_the_page_needs_a_reason(world):
    app = submit(world)
    client = staff(world.union_chair)
    response = client.post(reverse("applications:decline", args=[app.pk]), {"reason": ""})
    assert response.status_code == 400
    assert response.context["decline_form"].errors
    response = client.post(
        reverse("applications:decline", args=[app.pk]), {"reason": "请提供在职证明后重新申请"}
    )
    assert response.status_code == 302
    app.refresh_from_db()
    assert (app.status, app.decision_note) == ("rejected", "请提供在职证明后重新申请")
    # A second decision on the page says it was already decided.
    response = client.post(reverse("applications:accept", args=[app.pk]), {})
    assert response.status_code == 400
    assert "already been decided" in response.content.decode()


@pytest.mark.django_db
def test_an_auditor_reads_but_cannot_decide(world):
    app = world.extra_a[4]
    client = staff(world.auditor)
    page = client.get(reverse("applications:detail", args=[app.pk]))
    assert page.status_code == 200
    assert reverse("applications:accept", args=[app.pk]) not in page.content.decode()
    assert client.post(reverse("applications:accept", args=[app.pk])).status_code == 403
