"""Settings for the test run and the named personas every test module can use.

The tree the personas live in:

    都昌县总工会 (county federation)            county_admin, auditor, mediator
    ├── 东湖镇总工会 (township A)                 township_staff (A)
    │   └── 甲公司工会 (grassroots A)            union_chair (A)
    │        employer A, workers of A
    └── 西岭镇总工会 (township B)                 outsider (township staff of B)
        └── 乙公司工会 (grassroots B)
             employer B, workers of B
"""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": settings.TASKS["default"]["QUEUES"],
        }
    }
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.SMS_BACKEND = "gonghui.notifications.sms.LocmemSmsBackend"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SMS_FILE_PATH = tmp_path / "sms.log"
    settings.MEDIA_ROOT = tmp_path / "media"
    # Argon2 is what production uses (a test checks the setting); here speed matters.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.WHITENOISE_USE_FINDERS = True
    settings.LANGUAGE_CODE = "zh-hans"
    settings.SECURE_SSL_REDIRECT = False
    # Code called directly (services, commands) speaks English in tests, so assertions on
    # messages read the source text; pages still answer in the language each request asks
    # for (Chinese by default), through the locale middleware.
    from django.utils import translation

    translation.activate("en")
    from gonghui.notifications.sms import LocmemSmsBackend

    LocmemSmsBackend.outbox.clear()
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def world(db):
    from tests.world import build_world

    return build_world()


@pytest.fixture(autouse=True)
def _audit_log_flushable(request):
    """Transactional tests empty every table afterwards; the audit log's append-only triggers
    would refuse that, so they are lifted for the flush and put back for the next test."""
    if not _is_transactional(request):
        yield
        return
    from django.db import connection

    from gonghui.audit.db import install_append_only, remove_append_only

    request.getfixturevalue("transactional_db")
    install_append_only(connection)
    yield
    remove_append_only(connection)


def _is_transactional(request) -> bool:
    if {"transactional_db", "live_server"} & set(request.fixturenames):
        return True
    marker = request.node.get_closest_marker("django_db")
    return bool(marker and marker.kwargs.get("transaction"))
