"""The roster import engine: reading messy files, the rules per row, what is stored.

Rosters are built here as offices send them: a GBK CSV with header variants and every kind of
spoiled value, and the same rows as .xlsx (xlsxwriter), .xls (xlwt) and .ods (odfpy).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation

from gonghui.audit.models import AuditEntry
from gonghui.core import identifiers as ids
from gonghui.core.fields import hash_for
from gonghui.members import importing
from gonghui.members.importing import roster_import
from gonghui.members.models import Membership, MembershipEvent, Worker
from gonghui.members.search import name_keys
from tests.world import make_employer

FULLWIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def person(seq: int, born: dt.date = dt.date(1985, 3, 15), area: str = "360428") -> str:
    return ids.make_resident_id(area, born, seq)


def person_ending_in_x(born: dt.date = dt.date(1986, 7, 1)) -> str:
    return next(n for s in range(1, 999) if (n := person(s, born)).endswith("X"))


HEADER = [
    "序号",
    "姓名",
    "公民身份号码",
    "性别",
    "出生日期",
    "联系电话",
    "用工性质",
    "入会日期",
    "单位名称",
    "统一社会信用代码",
    "备注",
]


def messy_rows(world, no_union) -> list[list]:
    """Under a title line and the header (rows 1 and 2): rows 3 to 14 of a county roster."""
    x_id = person_ending_in_x()
    a = world.employer_a
    return [
        # 3: spaces in the name, full-width digits, +86, an Excel serial typed as text
        [
            1,
            "张 伟",
            x_id.translate(FULLWIDTH),
            "男",
            "",
            "+86 138 0000 1111",
            "合同制",
            "45415",
            a.name,
            "",
            "",
        ],  # fmt: skip
        # 4: lower-case x, a dashed phone, 2024/5/3, employer by name and credit code
        [
            2,
            "李娜",
            person(101).lower(),
            "男",
            "",
            "139-0000-2222",
            "农民工",
            "2024/5/3",
            a.name,
            a.uscc,
            "",
        ],  # fmt: skip
        # 5: no phone, employer by credit code only, a date in Chinese
        [3, "王芳", person(102), "", "", "", "外卖骑手", "2024年5月3日", "", a.uscc, ""],
        # 6: an ID number that Excel turned into a number
        [4, "赵强", "3.60426E+17", "男", "", "13800003333", "合同制", "", a.name, "", ""],
        # 7: the ID number of row 3 again
        [5, "陈杰", x_id, "男", "", "13800004444", "合同制", "", a.name, "", ""],
        # 8: an employer nobody knows
        [6, "刘洋", person(103), "", "", "", "正式工", "", "未登记的某某有限公司", "", ""],
        # 9: a landline where the mobile should be
        [7, "孙丽", person(104), "", "", "0792-5212345", "", "", a.name, "", ""],
        # 10: sex and birth date that disagree with the ID number (imported, flagged)
        [
            8,
            "周敏",
            person(105),
            "女",
            "1985.3.16",
            "13800005555",
            "派遣工",
            "20240503",
            a.name,
            "",
            "",
        ],  # fmt: skip
        # 11: a worker type no office uses
        [9, "吴刚", person(106), "", "", "", "临时帮忙", "", a.name, "", ""],
        # 12: an employer without a union
        [10, "郑云", person(107), "", "", "", "", "", no_union.name, "", ""],
        # 13: a month that does not exist
        [11, "马超", person(108), "", "", "", "", "2024-13-01", a.name, "", ""],
        # 14: a name with the middle dot, another township's employer
        [
            12,
            "阿依古丽．买买提",
            person(109),
            "女",
            "",
            "13800006666",
            "灵活就业",
            "",
            world.employer_b.name,
            "",
            "新入职",
        ],  # fmt: skip
    ]


def write_csv(path: Path, rows: list[list], encoding: str = "gbk") -> Path:
    lines = ["东湖镇职工（会员）花名册,,,,", ",".join(HEADER)]
    lines += [",".join(str(v) for v in row) for row in rows]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


@pytest.fixture
def no_union(world):
    return make_employer("丙方无工会商贸有限公司", world.township_a, None, 3)


@pytest.fixture
def messy_csv(tmp_path, world, no_union) -> Path:
    return write_csv(tmp_path / "花名册.csv", messy_rows(world, no_union))


def rejected_by_row(result) -> dict[int, list[str]]:
    return {r.row: [p.code for p in r.problems] for r in result.rejected_rows}


def stored(number: str) -> Worker | None:
    return Worker.objects.filter(id_number_hash=hash_for("id_number", number)).first()


@pytest.mark.django_db
def test_a_gbk_csv_with_header_variants_and_spoiled_values_stores_exactly_the_valid_rows(
    messy_csv, world
):
    workers_before = Worker.objects.count()
    result = roster_import(by=None, job_or_path=messy_csv)

    assert result.error == ""
    assert result.counts() == {
        "rows": 12,
        "created": 5,
        "updated": 0,
        "unchanged": 0,
        "rejected": 7,
    }
    assert result.header_row == 2
    assert result.ignored_columns == ["序号", "备注"]
    assert rejected_by_row(result) == {
        6: ["id_number.excel_number"],
        7: ["repeat"],
        8: ["employer.unknown"],
        9: ["phone.not_mobile"],
        11: ["worker_type"],
        12: ["employer.no_union"],
        13: ["joined_on"],
    }
    assert Worker.objects.count() == workers_before + 5

    first = stored(person_ending_in_x())
    assert first.name == "张伟"
    assert first.id_number == person_ending_in_x()  # ASCII, upper-case X
    assert first.phone == "13800001111"
    assert (first.worker_type, first.employer, first.organization) == (
        "regular",
        world.employer_a,
        world.union_a,
    )
    assert first.memberships.get().joined_on == dt.date(2024, 5, 3)  # Excel serial 45415
    second = stored(person(101))
    assert second.id_number.endswith(person(101)[-1].upper()) and second.worker_type == "migrant"
    third = stored(person(102))
    assert (third.phone, third.worker_type, third.employer) == ("", "platform", world.employer_a)
    flagged = stored(person(105))
    assert flagged.review_flags == ["sex_mismatch", "birth_date_mismatch"]
    assert (flagged.sex, flagged.birth_date) == ("M", dt.date(1985, 3, 15))  # from the ID
    assert flagged.worker_type == "dispatched"
    dotted = stored(person(109))
    assert dotted.name == "阿依古丽·买买提" and dotted.organization == world.union_b
    for seq in (103, 104, 106, 107, 108):
        assert stored(person(seq)) is None, f"a rejected row was stored ({seq})"


@pytest.mark.django_db
def test_every_created_membership_has_a_joined_event_and_the_import_one_audit_entry(
    messy_csv, world
):
    audit_before = AuditEntry.objects.count()
    roster_import(by=None, job_or_path=messy_csv)

    new = Worker.objects.filter(created_at__gte=timezone.now() - dt.timedelta(minutes=5)).exclude(
        pk__in=[world.worker_a.pk, world.worker_b.pk]
    )
    memberships = Membership.objects.filter(worker__in=new)
    assert memberships.count() == 5 and set(memberships.values_list("status", flat=True)) == {
        "active"
    }
    events = MembershipEvent.objects.filter(worker__in=new)
    assert events.count() == 5 and set(events.values_list("kind", flat=True)) == {"joined"}
    assert AuditEntry.objects.count() == audit_before + 1
    entry = AuditEntry.objects.latest("id")
    assert entry.action == "create" and entry.object_type == "members.importjob"
    assert entry.changes["created"] == 5 and entry.changes["rejected"] == 7
    assert entry.organization_path == world.county.path  # both townships were touched


@pytest.mark.django_db
def test_importing_the_same_file_again_creates_nothing_and_changes_nothing(messy_csv):
    roster_import(by=None, job_or_path=messy_csv)
    counts = (Worker.objects.count(), Membership.objects.count(), MembershipEvent.objects.count())
    changed_at = dict(Worker.objects.values_list("pk", "updated_at"))

    again = roster_import(by=None, job_or_path=messy_csv)

    assert again.counts() == {
        "rows": 12,
        "created": 0,
        "updated": 0,
        "unchanged": 5,
        "rejected": 7,
    }
    assert counts == (
        Worker.objects.count(),
        Membership.objects.count(),
        MembershipEvent.objects.count(),
    )
    assert dict(Worker.objects.values_list("pk", "updated_at")) == changed_at
    assert AuditEntry.objects.latest("id").action == "update"


@pytest.mark.django_db
def test_changed_values_update_the_existing_record(tmp_path, world, messy_csv, no_union):
    roster_import(by=None, job_or_path=messy_csv)
    rows = messy_rows(world, no_union)
    rows[1][1], rows[1][5], rows[1][6] = "李娜娜", "13900009999", "劳务派遣"  # row 4
    changed = write_csv(tmp_path / "v2.csv", rows)

    result = roster_import(by=None, job_or_path=changed)

    assert (result.created, result.updated, result.unchanged) == (0, 1, 4)
    worker = stored(person(101))
    assert (worker.name, worker.phone, worker.worker_type) == (
        "李娜娜",
        "13900009999",
        "dispatched",
    )
    assert (worker.name_initials, worker.name_pinyin) == name_keys("李娜娜")
    assert worker.phone_hash == hash_for("phone", "13900009999")
    assert Worker.objects.filter(phone_hash=hash_for("phone", "13900002222")).count() == 0
    assert worker.memberships.count() == 1


@pytest.mark.django_db
def test_a_dry_run_counts_like_an_import_and_saves_nothing(messy_csv):
    before = (
        Worker.objects.count(),
        Membership.objects.count(),
        MembershipEvent.objects.count(),
        AuditEntry.objects.count(),
    )
    dry = roster_import(by=None, job_or_path=messy_csv, dry_run=True)
    after = (
        Worker.objects.count(),
        Membership.objects.count(),
        MembershipEvent.objects.count(),
        AuditEntry.objects.count(),
    )
    assert after == before
    real = roster_import(by=None, job_or_path=messy_csv)
    assert dry.counts() == real.counts()
    assert rejected_by_row(dry) == rejected_by_row(real)


@pytest.mark.django_db
def test_the_rejected_rows_file_has_the_input_columns_a_reason_and_ids_as_text(
    messy_csv, tmp_path, world, no_union
):
    result = roster_import(by=None, job_or_path=messy_csv)
    report = tmp_path / "rejected.xlsx"
    with translation.override("en"):
        importing.write_report(report, result)

    book = openpyxl.load_workbook(report)
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == [*HEADER, "错误原因"]
    assert len(rows) == 1 + 7
    assert [r[1] for r in rows[1:]] == ["赵强", "陈杰", "刘洋", "孙丽", "吴刚", "郑云", "马超"]
    excel_row = rows[1]
    assert excel_row[2] == "3.60426E+17"
    assert sheet.cell(row=3, column=3).data_type == "s"  # the repeated ID stays text
    assert sheet.cell(row=3, column=3).value == person_ending_in_x()
    assert excel_row[-1].startswith(
        "Row 6: 公民身份号码: Excel turned this ID number into a number"
    )
    assert "already on row 3" in rows[2][-1]
    details = list(book.worksheets[1].iter_rows(values_only=True))
    assert details[0] == ("Row", "Column", "Reason")
    assert [(r[0], r[1]) for r in details[1:]] == [
        (6, "公民身份号码"),
        (7, "公民身份号码"),
        (8, "单位名称"),
        (9, "联系电话"),
        (11, "用工性质"),
        (12, "单位名称"),
        (13, "入会日期"),
    ]


@pytest.mark.django_db
def test_a_fixed_rejected_rows_file_imports_again(messy_csv, tmp_path, world, no_union):
    result = roster_import(by=None, job_or_path=messy_csv)
    report = tmp_path / "rejected.xlsx"
    importing.write_report(report, result)
    book = openpyxl.load_workbook(report)
    sheet = book.worksheets[0]
    fixes = {
        "赵强": {3: person(110)},
        "陈杰": {3: person(111)},
        "刘洋": {9: world.employer_a.name},
        "孙丽": {6: "13800007777"},
        "吴刚": {7: "合同工"},
        "郑云": {9: world.employer_a.name},
        "马超": {8: "2024-12-01"},
    }
    for row in sheet.iter_rows(min_row=2):
        for column, value in fixes[row[1].value].items():
            row[column - 1].value = value
    fixed = tmp_path / "fixed.xlsx"
    book.save(fixed)

    again = roster_import(by=None, job_or_path=fixed)

    assert again.counts() == {
        "rows": 7,
        "created": 7,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
    }
    assert again.ignored_columns == ["序号", "备注"]  # 错误原因 is our own column
    assert stored(person(108)).memberships.get().joined_on == dt.date(2024, 12, 1)


def write_xlsx(path: Path, rows: list[list]) -> Path:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("花名册")
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, ["东湖镇职工花名册"])
    for r, row in enumerate(rows, start=2):  # row 2 empty, the header on row 3
        for c, value in enumerate(row):
            if isinstance(value, dt.date):
                sheet.write_datetime(r, c, dt.datetime(value.year, value.month, value.day), date)
            elif isinstance(value, int | float):
                sheet.write_number(r, c, value)
            else:
                sheet.write_string(r, c, value)
    book.close()
    return path


def write_xls(path: Path, rows: list[list]) -> Path:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("花名册")
    date = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    sheet.write(0, 0, "东湖镇职工花名册")
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row):
            if isinstance(value, dt.date):
                sheet.write(r, c, value, date)
            else:
                sheet.write(r, c, value)
    book.save(str(path))
    return path


def write_ods(path: Path, rows: list[list]) -> Path:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    table = Table(name="花名册")
    for row in [["东湖镇职工花名册"], [], *rows]:
        line = TableRow()
        for value in row:
            if isinstance(value, dt.date):
                cell = TableCell(valuetype="date", datevalue=value.isoformat())
            elif isinstance(value, int | float):
                cell = TableCell(valuetype="float", value=value)
            else:
                cell = TableCell(valuetype="string")
            cell.addElement(P(text=str(value)))
            line.addElement(cell)
        table.addElement(line)
    doc.spreadsheet.addElement(table)
    doc.save(str(path))
    return path


def spreadsheet_rows(world) -> list[list]:
    a = world.employer_a
    return [
        ["姓名", "身份证号码", "手机", "用工类型", "入会时间", "工作单位", "会员证号", "籍贯"],
        ["王小明", person(201), 13800008888, "在编", dt.date(2023, 9, 1), a.name, "C-0001", "江西"],
        # an ID number Excel turned into a number: 3.60426E+17 in the cell
        ["李小红", 3.60426e17, 13800009999, "网约车司机", 45415, a.name, "", "湖北"],
        ["张小刚", person(202), "", "快递员", "2024.5.3", a.name, "C-0002", ""],
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("writer", [write_xlsx, write_xls, write_ods], ids=["xlsx", "xls", "ods"])
def test_xlsx_xls_and_ods_rosters_are_read_with_their_cell_types(tmp_path, world, writer):
    extension = {"write_xlsx": ".xlsx", "write_xls": ".xls", "write_ods": ".ods"}
    path = writer(tmp_path / f"roster{extension[writer.__name__]}", spreadsheet_rows(world))

    result = roster_import(by=None, job_or_path=path)

    assert result.error == "", result.error
    assert result.header_row == 3
    assert result.counts() == {
        "rows": 3,
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "rejected": 1,
    }
    assert result.ignored_columns == ["籍贯"]
    assert rejected_by_row(result) == {5: ["id_number.excel_number"]}
    first = stored(person(201))
    assert (first.phone, first.worker_type) == ("13800008888", "regular")
    membership = first.memberships.get()
    assert (membership.joined_on, membership.card_number) == (dt.date(2023, 9, 1), "C-0001")
    assert stored(person(202)).memberships.get().joined_on == dt.date(2024, 5, 3)


@pytest.mark.django_db
def test_an_excel_number_id_is_rejected_with_the_identifiers_explanation(tmp_path, world):
    path = write_xlsx(tmp_path / "r.xlsx", spreadsheet_rows(world))
    result = roster_import(by=None, job_or_path=path)
    problem = result.rejected_rows[0].problems[0]
    with pytest.raises(ids.IdentifierError) as expected:
        ids.parse_resident_id(3.60426e17)
    with translation.override("en"):
        assert str(problem.reason) == str(expected.value.message)
        assert "Excel turned this ID number into a number" in str(problem.reason)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "code"),
    [
        ("姓名,身份证号\r\n张三,1\r\n".encode("utf-16"), "encoding"),
        ("名字,号码,电话\r\n张三,1,2\r\n".encode("gbk"), "header"),
        ("姓名,身份证号码,手机\r\n,,\r\n".encode(), "empty"),
        (b"", "empty"),
    ],
    ids=["wrong encoding", "no header", "0 rows", "empty file"],
)
def test_a_file_that_cannot_be_read_gets_a_clear_message_and_changes_nothing(
    tmp_path, world, content, code
):
    path = tmp_path / "roster.csv"
    path.write_bytes(content)
    before = (Worker.objects.count(), AuditEntry.objects.count())

    with translation.override("en"):
        result = roster_import(by=None, job_or_path=path)

    assert result.error_code == code and result.error
    assert result.counts() == {"rows": 0, "created": 0, "updated": 0, "unchanged": 0, "rejected": 0}  # fmt: skip
    assert (Worker.objects.count(), AuditEntry.objects.count()) == before


@pytest.mark.django_db
def test_the_header_is_found_below_title_rows_but_only_within_ten_rows(tmp_path, world):
    lines = ["标题"] * 9 + ["姓名,身份证号", f"王五,{person(301)}"]
    path = tmp_path / "r.csv"
    path.write_text("\n".join(lines), encoding="utf-8-sig")
    assert importing.read_roster(path).header_row == 10
    path.write_text("\n".join(["标题"] * 10 + lines[-2:]), encoding="utf-8-sig")
    with pytest.raises(importing.RosterError) as failure:
        importing.read_roster(path)
    assert failure.value.code == "header"


@pytest.mark.django_db
def test_with_a_target_union_every_row_joins_it_and_unknown_employers_are_kept_as_written(
    messy_csv, world
):
    result = roster_import(by=None, job_or_path=messy_csv, organization=world.union_a)

    # unknown employer and employer without a union are no reason to reject any more
    assert rejected_by_row(result) == {
        6: ["id_number.excel_number"],
        7: ["repeat"],
        9: ["phone.not_mobile"],
        11: ["worker_type"],
        13: ["joined_on"],
    }
    assert result.created == 7
    unknown = stored(person(103))
    assert (unknown.employer, unknown.employer_name_given) == (None, "未登记的某某有限公司")
    assert unknown.organization == world.union_a
    known = stored(person(109))  # names employer B, joins union A
    assert known.employer == world.employer_b and known.employer_name_given == ""
    assert known.memberships.get().union == world.union_a


@pytest.mark.django_db
def test_a_member_of_another_union_is_rejected_with_a_transfer_hint(tmp_path, world):
    worker = world.worker_a  # an active member of union A (tests/world.py)
    path = tmp_path / "r.csv"
    path.write_text(
        f"姓名,身份证号\n{worker.name},{worker.id_number}\n王五,{person(301)}\n", encoding="utf-8"
    )

    into_b = roster_import(by=None, job_or_path=path, organization=world.union_b)
    into_a = roster_import(by=None, job_or_path=path, organization=world.union_a)

    assert rejected_by_row(into_b) == {2: ["membership.other_union"]}
    with translation.override("en"):
        assert "use a transfer" in str(into_b.rejected_rows[0].problems[0].reason)
    assert Membership.objects.filter(worker=worker).count() == 1
    assert into_a.unchanged == 1  # already a member of A
    assert rejected_by_row(into_a) == {3: ["membership.other_union"]}  # 王五 joined B just now


@pytest.mark.django_db
def test_a_known_worker_without_membership_joins_and_counts_as_updated(tmp_path, world):
    loner = Worker.objects.create(
        name="钱多多", id_number=person(401), organization=world.township_a
    )
    path = tmp_path / "r.csv"
    path.write_text(f"姓名,身份证号,入会时间\n钱多多,{person(401)},2020-06-01\n", encoding="utf-8")

    result = roster_import(by=None, job_or_path=path, organization=world.union_a)

    assert (result.created, result.updated) == (0, 1)
    loner.refresh_from_db()
    assert loner.organization == world.union_a
    assert loner.memberships.get().joined_on == dt.date(2020, 6, 1)
    assert loner.membership_events.get().kind == "joined"


@pytest.mark.django_db
def test_card_numbers_must_be_unique_in_the_file_and_in_the_registry(tmp_path, world):
    taken = Membership.objects.exclude(card_number="").first().card_number
    path = tmp_path / "r.csv"
    path.write_text(
        "姓名,身份证号,会员证号\n"
        f"甲一,{person(501)},K-1\n乙二,{person(502)},K-1\n丙三,{person(503)},{taken}\n",
        encoding="utf-8",
    )
    result = roster_import(by=None, job_or_path=path, organization=world.union_a)
    assert rejected_by_row(result) == {3: ["card_number.repeat"], 4: ["card_number.taken"]}


@pytest.mark.django_db
def test_a_user_imports_only_into_their_own_scope(tmp_path, world):
    path = tmp_path / "r.csv"
    path.write_text(
        f"姓名,身份证号,工作单位\n王五,{person(601)},{world.employer_b.name}\n"
        f"赵六,{person(602)},{world.employer_a.name}\n",
        encoding="utf-8",
    )
    with pytest.raises(PermissionDenied):
        roster_import(by=world.township_staff, job_or_path=path, organization=world.union_b)
    with pytest.raises(PermissionDenied):
        roster_import(by=world.auditor, job_or_path=path)

    result = roster_import(by=world.township_staff, job_or_path=path)

    # employer B lies in the other township: to this user it is unknown
    assert rejected_by_row(result) == {2: ["employer.unknown"]}
    assert result.created == 1
    assert MembershipEvent.objects.filter(worker=stored(person(602))).get().actor == (
        world.township_staff
    )
    entry = AuditEntry.objects.latest("id")
    assert entry.actor_username == "township_staff"
    assert entry.organization_path == world.union_a.path


@pytest.mark.django_db
def test_rows_written_in_bulk_read_back_like_rows_saved_by_the_orm(messy_csv):
    roster_import(by=None, job_or_path=messy_csv)
    worker = Worker.objects.get(id_number_hash=hash_for("id_number", person(101)))
    assert worker.id_number == person(101).upper()
    assert worker.phone == "13900002222"
    assert worker.phone_hash == hash_for("phone", "13900002222")
    assert (worker.name_initials, worker.name_pinyin) == name_keys(worker.name)
    assert (worker.sex, worker.birth_date) == ("M", dt.date(1985, 3, 15))
    assert worker.created_at is not None and worker.review_flags == []
    worker.save()  # the ORM writes the same derived values
    assert Worker.objects.get(pk=worker.pk).id_number_hash == hash_for("id_number", person(101))
    membership = worker.memberships.get()
    assert (membership.ended_on, membership.end_reason, membership.card_number) == (None, "", "")


# --- pure functions -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("张三", "张三"),
        (" 张  三 ", "张三"),
        ("欧阳娜娜", "欧阳娜娜"),
        ("阿依古丽·买买提", "阿依古丽·买买提"),
        ("阿依古丽.买买提", "阿依古丽·买买提"),
        ("John  Smith", "John Smith"),
        ("ＬＩＳＡ", "LISA"),
    ],
)
def test_names_are_cleaned(raw, clean):
    assert importing.clean_name(raw) == clean


@pytest.mark.parametrize(
    "raw", ["", "张", "张3", "·张三", "张三·", "张（三）", "王" * 21, "A"], ids=repr
)
def test_names_that_are_not_names_are_refused(raw):
    with pytest.raises(ValueError):
        importing.clean_name(raw)


@pytest.mark.parametrize(
    ("raw", "day"),
    [
        (dt.date(2024, 5, 3), dt.date(2024, 5, 3)),
        (dt.datetime(2024, 5, 3, 8, 30), dt.date(2024, 5, 3)),
        (45415, dt.date(2024, 5, 3)),
        (45415.0, dt.date(2024, 5, 3)),
        ("45415", dt.date(2024, 5, 3)),
        ("2024-05-03", dt.date(2024, 5, 3)),
        ("2024/5/3", dt.date(2024, 5, 3)),
        ("2024.5.3", dt.date(2024, 5, 3)),
        ("2024年5月3日", dt.date(2024, 5, 3)),
        ("２０２４年５月３日", dt.date(2024, 5, 3)),
        ("20240503", dt.date(2024, 5, 3)),
        (20240503, dt.date(2024, 5, 3)),
        ("2024-05-03 00:00:00", dt.date(2024, 5, 3)),
    ],
)
def test_dates_are_read_as_rosters_write_them(raw, day):
    assert importing.parse_date(raw) == day


@pytest.mark.parametrize("raw", ["2024-13-01", "2024-02-30", "明年", "24/5/3", "1899-12-31"])
def test_what_is_not_a_date_is_refused(raw):
    with pytest.raises(ValueError):
        importing.parse_date(raw)


@pytest.mark.parametrize(
    ("label", "kind"),
    [
        ("合同制", "regular"),
        ("正式工", "regular"),
        ("在编", "regular"),
        ("农民工", "migrant"),
        ("进城务工人员", "migrant"),
        ("劳务派遣", "dispatched"),
        ("派遣工", "dispatched"),
        ("劳务派遣（外包）", "dispatched"),
        ("灵活就业", "platform"),
        ("平台骑手", "platform"),
        ("外卖骑手", "platform"),
        ("美团外卖骑手", "platform"),
        ("网约车司机", "platform"),
        ("快递员", "platform"),
        (" 快 递 员 ", "platform"),
        ("migrant", "migrant"),
    ],
)
def test_worker_types_are_read_from_the_labels_offices_use(label, kind):
    assert importing.parse_worker_type(label) == kind


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("身份证号", "id_number"),
        ("身份证号码", "id_number"),
        ("公民身份号码", "id_number"),
        ("证件号码", "id_number"),
        ("*身份证号码（18位）", "id_number"),
        ("手机", "phone"),
        ("手机号", "phone"),
        ("手机号码", "phone"),
        ("联系电话", "phone"),
        ("用工形式", "worker_type"),
        ("用工性质", "worker_type"),
        ("用工类型", "worker_type"),
        ("入会时间", "joined_on"),
        ("入会日期", "joined_on"),
        ("工作单位", "employer_name"),
        ("单位名称", "employer_name"),
        ("统一社会信用代码", "employer_uscc"),
        ("姓 名", "name"),
        ("性别", "sex"),
        ("出生日期", "birth_date"),
        ("会员证号", "card_number"),
        ("派遣单位", "dispatching_employer"),
    ],
)
def test_header_variants_are_recognized(header, key):
    assert importing._HEADER_LOOKUP[importing.header_key(header)] == key


def test_the_fast_mobile_check_agrees_with_identifiers_on_every_prefix():
    """clean_mobile matches phonenumbers' pattern itself for speed; it must accept and refuse
    exactly what identifiers.normalize_mobile does, for every five-digit prefix."""
    for prefix in range(10000, 20000):
        number = f"{prefix}123456"
        try:
            expected = ids.normalize_mobile(number)
        except ids.IdentifierError:
            expected = None
        try:
            got = importing.clean_mobile(number)
        except ids.IdentifierError:
            got = None
        assert got == expected, number
    assert importing.clean_mobile("+86 138-1234-5678") == "13812345678"
    assert importing.clean_mobile(13812345678.0) == "13812345678"


@pytest.mark.parametrize(
    ("name", "head", "code"),
    [
        ("r.txt", b"abc", "extension"),
        ("r.xlsx", b"a,b,c\n", "content"),
        ("r.ods", b"\xd0\xcf\x11\xe0", "content"),
        ("r.xls", b"PK\x03\x04", "content"),
        ("r.csv", b"PK\x03\x04", "content"),
    ],
)
def test_uploads_are_checked_by_extension_and_content(name, head, code):
    with pytest.raises(importing.RosterError) as failure:
        importing.check_upload(name, head, 100)
    assert failure.value.code == code


def test_uploads_above_20_mb_are_refused_and_matching_content_passes():
    with pytest.raises(importing.RosterError) as failure:
        importing.check_upload("r.xlsx", b"PK\x03\x04", 21 * 1024 * 1024)
    assert failure.value.code == "size"
    assert importing.check_upload("R.XLSX", b"PK\x03\x04", 100) == ".xlsx"
    assert importing.check_upload("r.xls", b"\xd0\xcf\x11\xe0\xa1\xb1", 100) == ".xls"
    assert importing.check_upload("r.csv", "姓名".encode("gbk"), 100) == ".csv"


@pytest.mark.django_db
def test_small_chunks_and_transactions_give_the_same_result_and_report_progress(
    messy_csv, monkeypatch
):
    monkeypatch.setattr(importing, "CHUNK", 2)
    monkeypatch.setattr(importing, "TRANSACTION_ROWS", 5)
    steps = []
    result = roster_import(
        by=None, job_or_path=messy_csv, progress=lambda done, total: steps.append((done, total))
    )
    assert steps == [(5, 12), (10, 12), (12, 12)]
    assert result.counts() == {
        "rows": 12,
        "created": 5,
        "updated": 0,
        "unchanged": 0,
        "rejected": 7,
    }
    assert rejected_by_row(result)[7] == ["repeat"]  # row 3's ID number, two chunks earlier
