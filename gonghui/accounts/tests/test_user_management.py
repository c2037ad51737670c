import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from gonghui.accounts import services
from gonghui.accounts.models import User
from gonghui.audit.models import AuditEntry


@pytest.mark.django_db
def test_an_administrator_creates_an_account_in_the_subtree_and_it_is_audited(world):
    client = Client()
    client.force_login(world.county_admin)
    response = client.post(
        "/accounts/users/new/",
        {
            "username": "new_chair",
            "full_name": "赵新",
            "organization": world.union_a.pk,
            "role": "grassroots_chair",
            "password": "a-long-enough-pass-77",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="new_chair")
    assert (user.organization, user.role) == (world.union_a, "grassroots_chair")
    entry = AuditEntry.objects.get(action="create", object_type="accounts.user")
    assert "password" not in entry.changes


@pytest.mark.django_db
def test_a_weak_password_or_taken_username_is_refused_and_nothing_saved(world):
    client = Client()
    client.force_login(world.county_admin)
    response = client.post(
        "/accounts/users/new/",
        {
            "username": "township_staff",
            "full_name": "重名",
            "organization": world.union_a.pk,
            "role": "grassroots_chair",
            "password": "123",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "用户名已被占用" in body or "taken" in body
    assert User.objects.filter(username="township_staff").count() == 1


@pytest.mark.django_db
def test_nobody_hands_out_more_rights_than_they_hold_or_outside_their_scope(world):
    with pytest.raises(PermissionDenied):
        services.user_create(
            by=world.township_staff,
            username="x1",
            full_name="x",
            role="township_staff",
            organization=world.union_a,
            password="a-long-enough-pass-77",
        )
    with pytest.raises(PermissionDenied):
        services.user_create(
            by=world.admin_a,
            username="x2",
            full_name="x",
            role="township_staff",
            organization=world.union_b,
            password="a-long-enough-pass-77",
        )
    assert not User.objects.filter(username__in=["x1", "x2"]).exists()


@pytest.mark.django_db
def test_an_administrator_cannot_lock_themselves_out(world):
    with pytest.raises(ValidationError):
        services.user_update(
            by=world.county_admin,
            user=world.county_admin,
            full_name="刘",
            role="federation_admin",
            organization=world.county,
            is_active=False,
        )
    world.county_admin.refresh_from_db()
    assert world.county_admin.is_active


@pytest.mark.django_db
def test_a_password_reset_is_audited_without_the_hash(world):
    services.user_set_password(
        by=world.county_admin, user=world.township_staff, password="another-long-pass-88"
    )
    world.township_staff.refresh_from_db()
    assert world.township_staff.check_password("another-long-pass-88")
    entry = AuditEntry.objects.get(detail="password reset")
    assert entry.changes == {"password": ["***", "***"]}


@pytest.mark.django_db
def test_a_federation_administrator_cannot_touch_a_system_administrators_account(world):
    root = User.objects.create_superuser("root", password="root-password-123456")
    root.organization = world.union_a
    root.save()
    with pytest.raises(PermissionDenied):
        services.user_set_password(by=world.county_admin, user=root, password="taken-over-12345")
    root.refresh_from_db()
    assert root.check_password("root-password-123456")


@pytest.mark.django_db
def test_changes_in_the_administration_site_are_audited(world):
    root = User.objects.create_superuser("root", password="root-password-123456")
    client = Client()
    client.force_login(root)
    response = client.post(
        f"/admin/accounts/user/{world.township_staff.pk}/password/",
        {
            "password1": "new-admin-set-pass-99",
            "password2": "new-admin-set-pass-99",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.filter(
        object_type="accounts.user", object_id=str(world.township_staff.pk)
    ).latest("id")
    assert entry.actor_username == "root" and entry.detail.startswith("admin:")


@pytest.mark.django_db
def test_the_accounts_list_exports_to_excel(world):
    client = Client()
    client.force_login(world.county_admin)
    response = client.get("/accounts/users/", {"format": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert AuditEntry.objects.filter(action="export", object_type="accounts.user").exists()
