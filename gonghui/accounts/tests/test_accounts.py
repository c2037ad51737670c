import pytest
from django.conf import settings as django_settings
from django.test import Client

from tests.world import PASSWORD


def test_passwords_are_hashed_with_argon2_in_the_real_settings():
    import gonghui.settings as real

    assert real.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_sessions_expire_when_idle_and_at_browser_close():
    assert django_settings.SESSION_SAVE_EVERY_REQUEST is True
    assert django_settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert django_settings.SESSION_COOKIE_AGE <= 8 * 3600


@pytest.mark.django_db
def test_an_account_locks_after_repeated_failed_sign_ins(world):
    client = Client()
    for _ in range(django_settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "township_staff", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "township_staff", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_signing_in_lands_on_the_workbench(world):
    client = Client()
    response = client.post("/accounts/login/", {"username": "township_staff", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/home/"
    body = client.get("/home/").content.decode()
    assert "东湖镇总工会" in body


@pytest.mark.django_db
def test_staff_pages_send_anonymous_visitors_to_sign_in(world):
    response = Client().get("/organizations/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_a_user_without_a_role_sees_nothing(world):
    from gonghui.organizations.models import Organization
    from tests.world import make_user

    nobody = make_user("nobody", "", world.county)
    assert not Organization.objects.visible_to(nobody).exists()


def test_production_settings_are_secure(monkeypatch):
    import subprocess
    import sys

    env = {
        "DEBUG": "false",
        "SECRET_KEY": "x" * 60,
        "FIELD_ENCRYPTION_KEYS": "k1:" + "A" * 43 + "=",
        "FIELD_HASH_KEY": "B" * 43 + "=",
        "PATH": "/usr/bin:/bin",
    }
    code = "import gonghui.settings as s; print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS > 0, s.SECURE_SSL_REDIRECT)"
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["True", "True", "True", "True"]


def test_a_bad_boolean_setting_fails_loudly_with_its_name():
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", "import gonghui.settings"],
        env={"DEBUG": "perhaps", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0 and "DEBUG='perhaps' is not a boolean" in result.stderr
