"""Roster import pages (upload → preview → confirm → progress → result) and /api/v1/imports."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client

from gonghui.audit.models import AuditEntry
from gonghui.members.import_views import SESSION_KEY
from gonghui.members.models import ImportJob, Membership, Worker
from gonghui.members.tests.test_import_engine import messy_rows, person, write_csv
from tests.world import PASSWORD, make_employer

PAGES = "/workers/imports/"
API = "/api/v1/imports"


@pytest.fixture
def roster_bytes(world, tmp_path) -> bytes:
    no_union = make_employer("丙方无工会商贸有限公司", world.township_a, None, 3)
    return write_csv(tmp_path / "r.csv", messy_rows(world, no_union)).read_bytes()


def _import_job(records: list) -> ImportJob:
    """The world's import job of one side (other areas add their records to the same list)."""
    return next(r for r in reversed(records) if isinstance(r, ImportJob))


def signed_in(user) -> Client:
    """A browser signed in as ``user``, reading the pages in English (the source language, so
    that the assertions hold whatever the translations say)."""
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def upload(client, content: bytes, name: str = "花名册.csv", **fields):
    return client.post(
        PAGES + "new/", {"file": ContentFile(content, name=name), **fields}, follow=False
    )


@pytest.mark.django_db
def test_the_upload_page_offers_the_unions_of_the_users_scope(world):
    body = signed_in(world.township_staff).get(PAGES + "new/").content.decode()
    assert 'type="file"' in body and "身份证号码" in body
    assert world.union_a.name in body and world.union_b.name not in body
    assert signed_in(world.auditor).get(PAGES + "new/").status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content"),
    [("r.txt", b"a"), ("r.xlsx", "姓名,身份证号\n".encode()), ("r.xls", b"PK\x03\x04rest")],
)
def test_a_wrong_extension_or_content_is_refused_at_upload(world, name, content):
    client = signed_in(world.township_staff)
    response = upload(client, content, name=name)
    assert response.status_code == 200
    assert 'class="field has-error' in response.content.decode()
    assert SESSION_KEY not in client.session


@pytest.mark.django_db
def test_upload_preview_confirm_and_result(world, roster_bytes, django_capture_on_commit_callbacks):
    client = signed_in(world.township_staff)
    response = upload(client, roster_bytes)
    assert response.status_code == 302 and response["Location"].endswith("/preview/")

    body = client.get(PAGES + "preview/").content.decode()
    assert "公民身份号码" in body and "Resident ID number" in body  # the mapping
    assert "序号 · 备注" in body  # ignored columns
    assert body.count('<td class="num">') == 10  # the first 10 rows
    assert "Excel turned this ID number into a number" in body
    assert "already on row 3" in body
    assert "Import 12 rows" in body
    assert "<td>2024-05-03</td>" in body and "45415" not in body  # the serial, read as a date
    assert Worker.objects.filter(name="张伟").count() == 0  # nothing yet

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(PAGES + "preview/", {"action": "confirm"})
    job = ImportJob.objects.get(original_name="花名册.csv")
    assert response["Location"] == f"{PAGES}{job.pk}/"
    # the task ran on commit: employer B lies outside township A, so its row is rejected
    assert (job.status, job.created, job.rejected, job.rows_done) == ("done", 4, 8, 12)
    assert (job.organization, job.created_by) == (world.township_a, world.township_staff)
    assert job.ignored_columns == ["序号", "备注"]
    assert Worker.objects.filter(name="张伟").count() == 1
    assert SESSION_KEY not in client.session

    body = client.get(f"{PAGES}{job.pk}/").content.decode()
    assert "<progress" not in body
    assert 'class="value">4<' in body and 'class="value">8<' in body
    assert "未登记的某某有限公司" in body  # a reason in the list of rejected rows
    assert f"{PAGES}{job.pk}/report/" in body

    report = client.get(f"{PAGES}{job.pk}/report/")
    assert report.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(report.getvalue())).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][-1] == "错误原因" and len(rows) == 9
    export = AuditEntry.objects.filter(action="export", object_type="members.importjob").get()
    assert export.changes["personal_data"] == "full"
    entries = AuditEntry.objects.filter(object_type="members.importjob", object_id=str(job.pk))
    assert entries.filter(action="create").count() == 1

    listing = client.get(PAGES).content.decode()
    assert "花名册.csv" in listing and f"{PAGES}{job.pk}/" in listing


@pytest.mark.django_db
def test_a_dry_run_from_the_web_counts_and_saves_nothing(
    world, roster_bytes, django_capture_on_commit_callbacks
):
    client = signed_in(world.township_staff)
    upload(client, roster_bytes, target_union=world.union_a.pk, dry_run="on")
    before = (Worker.objects.count(), Membership.objects.count())
    with django_capture_on_commit_callbacks(execute=True):
        client.post(PAGES + "preview/", {"action": "confirm"})
    job = ImportJob.objects.get(original_name="花名册.csv")
    assert job.dry_run and job.target_union == world.union_a and job.status == "done"
    assert (job.created, job.rejected) == (7, 5)
    assert (Worker.objects.count(), Membership.objects.count()) == before
    assert "nothing was changed" in client.get(f"{PAGES}{job.pk}/").content.decode()


@pytest.mark.django_db
def test_an_unreadable_upload_is_explained_at_the_preview_and_can_be_discarded(world):
    client = signed_in(world.township_staff)
    upload(client, "名字,号码\n张三,1\n".encode("gbk"))
    stored = client.session[SESSION_KEY]["file"]
    body = client.get(PAGES + "preview/").content.decode()
    assert "No header row was found" in body and 'value="confirm"' not in body

    response = client.post(PAGES + "preview/", {"action": "cancel"})
    assert response.status_code == 302
    assert not default_storage.exists(stored) and SESSION_KEY not in client.session
    assert ImportJob.objects.filter(created_by=world.township_staff).count() == 0


@pytest.mark.django_db
def test_the_preview_without_an_upload_says_so(world):
    response = signed_in(world.township_staff).get(PAGES + "preview/")
    assert (
        response.status_code == 200 and 'href="/workers/imports/new/"' in response.content.decode()
    )


@pytest.mark.django_db
def test_the_progress_bar_polls_while_running_and_reloads_the_page_when_done(world):
    job = _import_job(world.extra_a)  # the world's import job of township A
    ImportJob.objects.filter(pk=job.pk).update(status="running", rows_total=200, rows_done=50)
    client = signed_in(world.township_staff)
    body = client.get(f"{PAGES}{job.pk}/").content.decode()
    assert '<progress max="200" value="50">' in body
    assert 'hx-trigger="every 1s"' in body and f'href="{PAGES}{job.pk}/"' in body  # refresh link

    fragment = client.get(f"{PAGES}{job.pk}/progress/", HTTP_HX_REQUEST="true")
    assert "<progress" in fragment.content.decode() and "<html" not in fragment.content.decode()
    assert "HX-Refresh" not in fragment

    ImportJob.objects.filter(pk=job.pk).update(status="done", rows_done=200)
    fragment = client.get(f"{PAGES}{job.pk}/progress/", HTTP_HX_REQUEST="true")
    assert fragment["HX-Refresh"] == "true"


@pytest.mark.django_db
def test_a_job_without_rejected_rows_has_nothing_to_download(world):
    job = _import_job(world.extra_a)
    response = signed_in(world.township_staff).get(f"{PAGES}{job.pk}/report/")
    assert response.status_code == 200 and "spreadsheetml" not in response.get("Content-Type", "")


@pytest.mark.django_db
def test_another_townships_import_is_not_found(world):
    theirs = _import_job(world.extra_b)
    client = signed_in(world.township_staff)
    for suffix in ("", "progress/", "report/"):
        assert client.get(f"{PAGES}{theirs.pk}/{suffix}").status_code == 404
    assert theirs.original_name not in client.get(PAGES).content.decode()


# --- the API --------------------------------------------------------------------------------


def api_client(user) -> Client:
    response = Client().post(
        "/api/v1/auth/token",
        {"username": user.username, "password": PASSWORD},
        content_type="application/json",
    )
    return Client(HTTP_AUTHORIZATION=f"Bearer {response.json()['token']}")


@pytest.mark.django_db
def test_the_api_queues_an_import_and_reports_its_counts(
    world, roster_bytes, django_capture_on_commit_callbacks
):
    client = api_client(world.township_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            API,
            {
                "file": ContentFile(roster_bytes, name="花名册.csv"),
                "organization": world.union_a.code,
            },
        )
    assert response.status_code == 202, response.content
    job_id = response.json()["id"]
    assert response.json()["target_union_id"] == world.union_a.pk

    detail = client.get(f"{API}/{job_id}").json()
    assert detail["status"] == "done"
    assert (detail["rows_done"], detail["created"], detail["rejected"]) == (12, 7, 5)
    assert detail["has_rejected_rows_file"] is True
    assert detail["ignored_columns"] == ["序号", "备注"]
    listed = client.get(API).json()["items"]
    assert job_id in [item["id"] for item in listed]
    assert _import_job(world.extra_b).pk not in [item["id"] for item in listed]


@pytest.mark.django_db
def test_the_api_refuses_what_the_pages_refuse(world, roster_bytes):
    client = api_client(world.township_staff)
    outside = client.post(
        API, {"file": ContentFile(roster_bytes, name="r.csv"), "organization": world.union_b.code}
    )
    assert outside.status_code == 404
    township = client.post(
        API,
        {"file": ContentFile(roster_bytes, name="r.csv"), "organization": world.township_a.code},
    )
    assert township.status_code == 422
    wrong = client.post(API, {"file": ContentFile(b"x", name="r.txt")})
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "file"
    auditor = api_client(world.auditor).post(API, {"file": ContentFile(roster_bytes, name="r.csv")})
    assert auditor.status_code == 403
    assert client.get(f"{API}/{_import_job(world.extra_b).pk}").status_code == 404
    assert ImportJob.objects.filter(created_by=world.township_staff).count() == 0


@pytest.mark.django_db
def test_a_queued_job_runs_once(world, tmp_path):
    from gonghui.members.importing import import_job_run

    content = f"姓名,身份证号\n王五,{person(701)}\n".encode()
    job = ImportJob.objects.create(
        organization=world.union_a,
        target_union=world.union_a,
        original_name="r.csv",
        file=ContentFile(content, name="r.csv"),
        created_by=world.township_staff,
    )
    assert import_job_run(job_id=job.pk).created == 1
    assert import_job_run(job_id=job.pk).created == 1  # a second delivery does nothing
    assert Worker.objects.filter(name="王五").count() == 1
