from unittest import mock

import pytest
from django.test import Client


@pytest.mark.django_db
def test_healthz_reports_database_migrations_and_task_backlog():
    response = Client().get("/healthz")
    data = response.json()
    assert response.status_code == 200 and data["status"] == "ok"
    assert data["checks"]["database"]["ok"] and data["checks"]["migrations"]["pending"] == 0
    assert data["checks"]["tasks"]["backlog"] == 0


@pytest.mark.django_db
def test_healthz_says_503_when_the_task_backlog_is_too_long(settings):
    from django_tasks_db.models import DBTaskResult

    settings.HEALTHZ_TASK_BACKLOG_LIMIT = -1
    assert DBTaskResult.objects.count() == 0
    response = Client().get("/healthz")
    assert response.status_code == 503 and response.json()["checks"]["tasks"]["ok"] is False


@pytest.mark.django_db
def test_healthz_says_503_when_the_database_is_unreachable():
    with mock.patch("gonghui.core.views.connection.cursor", side_effect=Exception("down")):
        response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"]["ok"] is False
