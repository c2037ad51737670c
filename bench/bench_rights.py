"""Rights protection on the province demo: 1,000,000 cases in the full run (seed_demo --scale
province), the tiny county topped up to 20,000 cases in the quick one.

Figures (issue 4, "Performance"; targets: lists p95 < 150 ms, search p95 < 300 ms):

- p95 of whole page requests (test client: routing, scope gate, form, query, template) of the
  staff case list filtered (a county's wage-arrears cases of the last half year; the
  province's closed hotline cases), of the overdue list (``?due=overdue``) and the deadlines
  page, and of full-text searches of the descriptions (common and rare words);
- each list's query alone through the ORM (part A's selector) against the same query written
  as raw SQL, and their ratio; on PostgreSQL the plans of the searches, to show whether the
  GIN index of migration 0002 serves them;
- portal submissions per second: ``POST /api/v1/public/cases`` served by gunicorn with 2
  workers (the production server, README "Production"), rate limits off, against a minimal
  Django view inserting one row served the same way (``bench/rights_minimal.py``): the ratio
  is what the whole intake (validation, matching, tracking code, audit, SMS, early warning)
  costs over the bare request.
"""

from __future__ import annotations

import datetime as dt
import http.client
import io
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from bench.common import median, p95, report, timed

# The quick pass's size; BENCH_RIGHTS_CASES=300000 makes a mid-sized database in a few minutes
# (on PostgreSQL the cases are written with COPY).
QUICK_CASES = int(os.environ.get("BENCH_RIGHTS_CASES") or 20_000)
# BENCH_RIGHTS_PARTS=portal measures only the portal submissions (lists: only the page figures).
PARTS = set((os.environ.get("BENCH_RIGHTS_PARTS") or "lists,portal").split(","))
ROOT = Path(__file__).resolve().parent.parent
SEARCH_TERMS = ["拖欠工资", "工伤", "社会保险", "粉尘", "经济补偿", "怀孕"]


def _prepare(quick: bool) -> None:
    from gonghui.organizations.models import Organization
    from gonghui.rights import demo
    from gonghui.rights.models import Case

    if not Organization.objects.exists():
        call_command("seed_demo", scale="tiny" if quick else "province", stdout=io.StringIO())
    if quick and Case.objects.count() < QUICK_CASES:
        counties = Organization.objects.filter(kind="federation", level="county").count() or 1
        demo.add_cases(per_county=(QUICK_CASES - Case.objects.count()) // counties + 1)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _admin():
    from gonghui.accounts.models import User

    return (
        User.objects.filter(role="federation_admin")
        .select_related("organization")
        .order_by("organization__depth", "pk")
        .first()
    )


def _subtree_sql(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"{column} LIKE %s"
    return f"({column} >= %s AND {column} < %s)"


def _subtree_params(prefix: str) -> list[str]:
    if connection.vendor == "postgresql":
        return [prefix + "%"]
    return [prefix, prefix + "~"]


def _raw(sql: str, params: list):
    def run():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    return run


LIST_COLUMNS = """c.id, c.number, c.status, c.channel, c.category, c.title, c.received_at,
                  c.due_on, o.name, e.name, u.username"""
LIST_JOINS = """JOIN organizations_organization o ON o.id = c.organization_id
                LEFT JOIN organizations_employer e ON e.id = c.employer_id
                LEFT JOIN accounts_user u ON u.id = c.handler_id"""


def _lists(figures: dict, admin, client, repeat: int) -> None:
    from gonghui.organizations.models import Organization
    from gonghui.rights import deadlines, search, selectors

    today = deadlines.today()
    county = Organization.objects.filter(kind="federation", level="county").order_by("path").last()
    since = today - dt.timedelta(days=182)
    filtered = {
        "organization": county.pk,
        "category": "complaint.wage_arrears",
        "received_from": since.isoformat(),
    }

    def get(url):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response

    pages = {
        "case_list_filtered": "/rights/cases/?" + "&".join(f"{k}={v}" for k, v in filtered.items()),
        "case_list_status_channel": "/rights/cases/?status=closed&channel=hotline",
        "overdue_list": "/rights/cases/?due=overdue",
        "deadlines_page": "/rights/cases/deadlines/",
    }
    for key, url in pages.items():
        figures[f"{key}_p95_ms"] = round(p95(timed(lambda url=url: get(url), repeat)), 1)
    search_samples = []
    for term in SEARCH_TERMS:
        search_samples += timed(lambda term=term: get(f"/rights/cases/?q={term}"), repeat // 2)
    figures["search_page_p95_ms"] = round(p95(search_samples), 1)

    # the queries alone: part A's selectors through the ORM, against raw SQL
    related = ("organization", "handler", "employer")

    def orm_filtered():
        qs = selectors.case_list(
            admin,
            {"organization": county, "category": "complaint.wage_arrears", "received_from": since},
        )
        return list(qs.select_related(*related).order_by("-received_at", "-id")[:51])

    since_at = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
    raw_filtered = _raw(
        f"""SELECT {LIST_COLUMNS} FROM rights_case c {LIST_JOINS}
             WHERE {_subtree_sql("o.path")} AND c.category = %s AND c.received_at >= %s
             ORDER BY c.received_at DESC, c.id DESC LIMIT 51""",
        [*_subtree_params(county.path), "complaint.wage_arrears", since_at],
    )

    def orm_overdue():
        return list(selectors.overdue(admin, today).select_related(*related)[:50])

    raw_overdue = _raw(
        f"""SELECT {LIST_COLUMNS} FROM rights_case c {LIST_JOINS}
             WHERE c.status IN ('accepted', 'assigned', 'in_handling') AND NOT c.paused
               AND c.due_on < %s
             ORDER BY c.due_on, c.id LIMIT 50""",
        [today],
    )
    term = "拖欠工资"
    from gonghui.rights.models import Case

    def orm_search():
        qs = search.filter_text(Case.objects.visible_to(admin), term)
        return list(qs.select_related(*related).order_by("-received_at", "-id")[:51])

    parts = search.query_tokens(term)
    if connection.vendor == "postgresql":
        where, params = (
            "c.search_vector @@ to_tsquery('simple', %s)",  # the stored vector (migration 0004)
            [search._tsquery(parts)],
        )
    else:
        where = " AND ".join("c.search_text LIKE %s" for _ in parts)
        params = [f"%{p}%" for p in parts]
    raw_search = _raw(
        f"""SELECT {LIST_COLUMNS} FROM rights_case c {LIST_JOINS} WHERE {where}
             ORDER BY c.received_at DESC, c.id DESC LIMIT 51""",
        params,
    )
    for key, orm, raw in (
        ("filtered_list", orm_filtered, raw_filtered),
        ("overdue_list", orm_overdue, raw_overdue),
        ("search", orm_search, raw_search),
    ):
        orm_ms, raw_ms = timed(orm, repeat), timed(raw, repeat)
        figures[f"{key}_query_orm_p95_ms"] = round(p95(orm_ms), 2)
        figures[f"{key}_query_raw_sql_p95_ms"] = round(p95(raw_ms), 2)
        figures[f"{key}_query_ratio_to_raw_sql"] = round(median(orm_ms) / median(raw_ms), 2)

    if connection.vendor == "postgresql":
        # Does the GIN index (migration 0004) serve the searches? The planner may rather walk
        # the received_at index for a word in every other case (it finds 51 at once).
        used = {}
        for word in SEARCH_TERMS:
            qs = search.filter_text(Case.objects.all(), word).order_by("-received_at", "-id")[:51]
            sql, sql_params = qs.query.sql_with_params()
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN " + sql, sql_params)
                plan = "\n".join(row[0] for row in cursor.fetchall())
            used[word] = "case_search_vector" in plan
        figures["search_gin_index_used"] = used


# --- portal submissions with gunicorn --------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve(minimal: bool) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    env = {
        **os.environ,
        "BENCH_WSGI": "1",
        "BENCH_MINIMAL": "1" if minimal else "0",
        "PYTHONPATH": str(ROOT),
        "DEBUG": "false",
        "SECURE_SSL_REDIRECT": "false",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "bench.rights_minimal:application",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            "2",
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,  # its own process group: stopped as one below
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process, port
        except OSError:
            if process.poll() is not None:
                raise RuntimeError("gunicorn did not start") from None
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer")


def _stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _payload(n: int) -> bytes:
    months = ["一", "二", "三", "四", "五"][n % 5]
    return json.dumps(
        {
            "category": "complaint.wage_arrears",
            "description": f"公司拖欠我们{months}个月工资，老板一直推说没钱，请工会帮忙追讨。编号{n}",
            "employer": f"测试{n % 50}号建筑劳务有限公司",
            "workers_affected": 1 + n % 4,
            "amount_claimed": f"{3000 + n % 9000}.00",
            "anonymous": n % 5 == 0,
            "name": "张三",
            "phone": f"139{n % 100_000_000:08d}",
        },
        ensure_ascii=False,
    ).encode()


def _load(port: int, path: str, seconds: float, threads: int) -> dict:
    """POST for ``seconds`` from ``threads`` clients; requests/s of 201 answers."""
    counts = {"ok": 0, "failed": 0}
    latencies: list[float] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds
    serial = iter(range(10**9))

    def worker():
        while time.monotonic() < stop:
            with lock:
                n = next(serial)
            body = _payload(n)
            started = time.perf_counter()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                conn.request(
                    "POST", path, body, {"Content-Type": "application/json", "Host": "127.0.0.1"}
                )
                status = conn.getresponse().status
                conn.close()
            except OSError:
                status = 0
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                if status == 201:
                    counts["ok"] += 1
                    latencies.append(elapsed)
                else:
                    counts["failed"] += 1

    began = time.monotonic()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    took = time.monotonic() - began
    return {
        "rps": round(counts["ok"] / took, 1),
        "failed": counts["failed"],
        "p95_ms": round(p95(latencies), 1) if latencies else None,
    }


def _portal(figures: dict, quick: bool) -> None:
    from bench import rights_minimal

    rights_minimal.create_table()
    seconds = 5 if quick else 20
    results = {}
    for name, minimal, path in (
        ("minimal_view", True, "/minimal/"),
        ("portal_submit", False, "/api/v1/public/cases"),
    ):
        process, port = _serve(minimal)
        try:
            _load(port, path, 1.5, 4)  # warm-up: both workers loaded
            results[name] = _load(port, path, seconds, 8)
        finally:
            _stop(process)
    figures["portal_submit_rps"] = results["portal_submit"]["rps"]
    figures["portal_submit_p95_ms"] = results["portal_submit"]["p95_ms"]
    figures["portal_submit_failed"] = results["portal_submit"]["failed"]
    figures["minimal_insert_rps"] = results["minimal_view"]["rps"]
    figures["minimal_insert_failed"] = results["minimal_view"]["failed"]
    base = results["minimal_view"]["rps"]
    figures["portal_submit_ratio_to_minimal_view"] = (
        round(results["portal_submit"]["rps"] / base, 3) if base else None
    )


def run(quick: bool = False) -> None:
    from gonghui.rights.models import Case

    started = time.monotonic()
    _prepare(quick)
    seeded = time.monotonic() - started
    admin = _admin()
    client = Client()
    client.force_login(admin)
    figures: dict = {
        "cases": Case.objects.count(),
        "database": connection.vendor,
        "seed_s": round(seeded, 1),
    }
    if "lists" in PARTS:
        _lists(figures, admin, client, 10 if quick else 40)
    if "portal" in PARTS:
        _portal(figures, quick)
    for key, value in figures.items():
        print(f"   {key}: {value}", flush=True)
    report("rights", figures)
