"""``manage.py import_members FILE [--organization CODE] [--dry-run] [--report PATH]``."""

from __future__ import annotations

import io
import json

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gonghui.members.models import Membership, Worker
from gonghui.members.tests.test_import_engine import messy_rows, person, write_csv
from tests.world import make_employer


def run(*args) -> tuple[dict, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_members", *map(str, args), stdout=out, stderr=err)
    lines = out.getvalue().strip().splitlines()
    return json.loads(lines[-1]), err.getvalue()


@pytest.fixture
def roster(tmp_path, world):
    no_union = make_employer("丙方无工会商贸有限公司", world.township_a, None, 3)
    return write_csv(tmp_path / "花名册.csv", messy_rows(world, no_union))


@pytest.mark.django_db
def test_the_command_ends_with_one_json_line_of_counts_and_exits_0_with_rejected_rows(roster):
    counts, log = run(roster)
    assert counts == {"rows": 12, "created": 5, "updated": 0, "unchanged": 0, "rejected": 7}
    assert "序号, 备注" in log
    assert "row 6: 公民身份号码" in log


@pytest.mark.django_db
def test_running_it_twice_creates_nothing_new(roster):
    run(roster)
    workers, memberships = Worker.objects.count(), Membership.objects.count()
    counts, _log = run(roster)
    assert counts == {"rows": 12, "created": 0, "updated": 0, "unchanged": 5, "rejected": 7}
    assert (Worker.objects.count(), Membership.objects.count()) == (workers, memberships)


@pytest.mark.django_db
def test_organization_makes_every_row_join_that_union(roster, world):
    counts, _log = run(roster, "--organization", world.union_a.code)
    assert counts["created"] == 7
    assert set(
        Membership.objects.filter(worker__id_number_hash__isnull=False)
        .exclude(worker__in=[world.worker_a, world.worker_b])
        .values_list("union__code", flat=True)
        .distinct()
    ) >= {world.union_a.code}
    joined = Worker.objects.get(name="阿依古丽·买买提")
    assert joined.memberships.get().union == world.union_a


@pytest.mark.django_db
def test_a_dry_run_saves_nothing_and_counts_the_same(roster):
    before = (Worker.objects.count(), Membership.objects.count())
    counts, log = run(roster, "--dry-run")
    assert (Worker.objects.count(), Membership.objects.count()) == before
    assert counts == {"rows": 12, "created": 5, "updated": 0, "unchanged": 0, "rejected": 7}
    assert "dry run" in log


@pytest.mark.django_db
def test_report_writes_the_rejected_rows_to_fix(roster, tmp_path):
    report = tmp_path / "rejected.xlsx"
    run(roster, "--report", report)
    rows = list(openpyxl.load_workbook(report).worksheets[0].iter_rows(values_only=True))
    assert rows[0][-1] == "错误原因" and len(rows) == 8


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("utf16.csv", "姓名,身份证号\r\n".encode("utf-16")),
        ("fake.xlsx", b"not a zip"),
        ("broken.xlsx", b"PK\x03\x04 and then nothing a zip needs"),
        ("no-header.csv", b"a,b\r\n1,2\r\n"),
        ("empty.csv", "姓名,身份证号\r\n".encode()),
    ],
)
def test_a_file_that_cannot_be_read_exits_with_status_2(tmp_path, world, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    workers = Worker.objects.count()
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("import_members", str(path), stdout=out, stderr=err)
    assert failure.value.returncode == 2
    line = json.loads(out.getvalue().strip().splitlines()[-1])
    assert line["rows"] == 0 and line["error"]
    assert Worker.objects.count() == workers
    assert err.getvalue().strip()  # the reason, for the person at the terminal


@pytest.mark.django_db
def test_a_missing_file_exits_with_status_2(tmp_path, world):
    with pytest.raises(CommandError) as failure:
        call_command(
            "import_members",
            str(tmp_path / "nowhere.xlsx"),
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    assert failure.value.returncode == 2


@pytest.mark.django_db
def test_an_unknown_or_non_grassroots_organization_is_a_usage_error(tmp_path, world):
    path = tmp_path / "r.csv"
    path.write_text(f"姓名,身份证号\n王五,{person(1)}\n", encoding="utf-8")
    with pytest.raises(CommandError, match="GH-NONE"):
        call_command("import_members", str(path), "--organization", "GH-NONE", stdout=io.StringIO())
    with pytest.raises(CommandError) as failure:
        call_command(
            "import_members",
            str(path),
            "--organization",
            world.township_a.code,
            stdout=io.StringIO(),
        )
    assert failure.value.returncode == 1
