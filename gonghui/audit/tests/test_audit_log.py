import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client

from gonghui.audit.models import AppendOnlyError, AuditEntry
from gonghui.organizations import services


@pytest.mark.django_db
def test_a_change_is_logged_with_before_and_after(world):
    services.organization_update(
        by=world.county_admin, organization=world.township_a, name="东湖镇工会联合会"
    )
    entry = AuditEntry.objects.filter(action="update").latest("id")
    assert entry.actor_username == "county_admin"
    assert entry.changes["name"] == ["东湖镇总工会", "东湖镇工会联合会"]
    assert entry.object_id == str(world.township_a.pk)


@pytest.mark.django_db
def test_the_log_refuses_updates_and_deletes_from_the_app(world):
    services.organization_update(by=world.county_admin, organization=world.township_a, name="改名")
    entry = AuditEntry.objects.latest("id")
    entry.detail = "tampered"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.update(detail="x")


@pytest.mark.django_db(transaction=True)
def test_the_database_itself_refuses_to_rewrite_the_log(world):
    services.organization_update(by=world.county_admin, organization=world.township_a, name="改名")
    count = AuditEntry.objects.count()
    for sql in ("UPDATE audit_auditentry SET detail = 'x'", "DELETE FROM audit_auditentry"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql)
    assert AuditEntry.objects.count() == count
    assert not AuditEntry.objects.filter(detail="x").exists()


@pytest.mark.django_db
def test_sign_ins_and_failures_are_logged(world):
    client = Client()
    client.post("/accounts/login/", {"username": "township_staff", "password": "wrong"})
    from tests.world import PASSWORD

    client.post("/accounts/login/", {"username": "township_staff", "password": PASSWORD})
    actions = list(
        AuditEntry.objects.filter(object_repr="township_staff")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["login_failed", "login"]


@pytest.mark.django_db
def test_auditors_search_the_log_of_their_subtree(world):
    services.organization_update(
        by=world.county_admin, organization=world.township_a, name="东湖镇工会"
    )
    client = Client()
    client.force_login(world.auditor)
    body = client.get("/audit/", {"user": "county_admin", "action": "update"}).content.decode()
    assert "东湖镇工会" in body
    # a township user without the audit permission has no audit page
    staff = Client()
    staff.force_login(world.township_staff)
    assert staff.get("/audit/").status_code == 403


@pytest.mark.django_db
def test_exports_are_audited_with_their_filter_and_row_count(world):
    client = Client()
    client.force_login(world.county_admin)
    response = client.get("/workers/", {"format": "xlsx", "worker_type": "regular"})
    assert response.status_code == 200
    entry = AuditEntry.objects.get(action="export")
    from gonghui.members.models import Worker

    assert entry.changes["rows"] == Worker.objects.filter(worker_type="regular").count() > 0
    assert entry.changes["filters"]["worker_type"] == "regular"
    assert entry.changes["personal_data"] == "masked"
