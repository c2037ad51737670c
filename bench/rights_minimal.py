"""What the portal benchmark serves with gunicorn (``bench/bench_rights.py``).

``application`` is the platform's WSGI app with the rights rate limits off (the benchmark
measures the form, not the brake). With ``BENCH_MINIMAL=1`` it answers from this module's
URLconf instead: one view that inserts one row and answers 201 — the baseline that the public
complaint endpoint's requests per second are divided by. Same settings, same middleware.
"""

from __future__ import annotations

import os

from django.db import connection
from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

TABLE = "bench_minimal_row"


def create_table() -> None:
    """The baseline's table (created by the benchmark before gunicorn starts)."""
    serial = "BIGSERIAL" if connection.vendor == "postgresql" else "INTEGER"
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {TABLE} (id {serial} PRIMARY KEY, body TEXT NOT NULL)"
        )


@csrf_exempt
def insert_one(request):
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {TABLE} (body) VALUES (%s)", [request.body.decode()[:2000]])
    return JsonResponse({"ok": True}, status=201)


urlpatterns = [path("minimal/", insert_one)]


def _application():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gonghui.settings")
    import django
    from django.conf import settings

    django.setup()
    settings.RIGHTS_RATE_LIMITS = False
    if os.environ.get("BENCH_MINIMAL") == "1":
        settings.ROOT_URLCONF = __name__
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()


application = _application() if os.environ.get("BENCH_WSGI") == "1" else None
