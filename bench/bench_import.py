"""Roster import: a 100,000-row xlsx (quick: 5,000) into the demo county, end to end.

The roster is what a county office sends: header variants, worker-type labels as written,
dates as date cells and as text, employers by credit code or by name; about 1% of rows are
invalid (an ID number Excel turned into 3.60426E+17, a mistyped check digit, a landline, a
name with digits), about 0.5% repeat an ID number of an earlier row, and 5% are workers already
on record (a third of them with a new phone number).

Figures: (1) the import end to end, rows/s, with the CPU seconds it took in this process and,
on PostgreSQL, in the server backend (read from /proc), and the load average (other work on the
machine slows every figure) (reading, validation, encryption, keyed hashes,
de-duplication against the database, workers, memberships and their history rows, the audit
entry); (2) a floor measured in the same run: COPY (PostgreSQL) or executemany INSERT (SQLite)
of the same cleaned rows, as plain text, into a scratch table without indexes — alone, and with
the calamine read of the file that no import can skip; and on PostgreSQL a COPY of the rows
the import stored (workers, memberships, history rows) into copies of their tables with the
same indexes, the database's share of the writes alone; (3) a naive importer for comparison,
Django ORM save() per row (lookup, worker, membership, history row) over 2,000 rows,
extrapolated; (4) peak memory of the process (ru_maxrss); (5) importing the same file again
(every row unchanged); (6) django-import-export with its documented fast settings on the same
file, into the same tables (workers, memberships, history rows), after the rows of (1) are
deleted again, with its CPU and our ratio to it (see ``_django_import_export`` for what it does
and does not do). The demo data and the file are made in a child process, so that the peak
memory is the import's own.
"""

from __future__ import annotations

import datetime as dt
import gc
import multiprocessing
import os
import random
import resource
import shutil
import tempfile
import time

from django.db import connection, connections, transaction

from bench.common import report

INVALID_SHARE = 0.01
REPEAT_SHARE = 0.005
EXISTING_SHARE = 0.05
AREAS = ["360428", "360421", "360423", "360424", "360425", "360426", "360429", "360430"]
AREAS += ["360481", "360124", "361127", "361128", "362201", "431102", "420111", "340103"]
TYPE_LABELS = [
    "合同制",
    "正式工",
    "在编",
    "农民工",
    "进城务工人员",
    "劳务派遣",
    "派遣工",
    "灵活就业",
    "外卖骑手",
    "网约车司机",
    "快递员",
    "",
]
HEADER = [
    "序号",
    "姓名",
    "公民身份号码",
    "性别",
    "出生日期",
    "手机号码",
    "用工形式",
    "入会时间",
    "单位名称",
    "统一社会信用代码",
    "会员证号",
    "备注",
]


def _prepare(path: str, rows: int, scale: str) -> None:
    """Seed the demo county if the database is empty and write the roster (child process)."""
    import io

    import xlsxwriter
    from django.core.management import call_command

    from gonghui.core import identifiers as ids
    from gonghui.core.demo import person_name
    from gonghui.members.demo import MOBILE_PREFIXES
    from gonghui.members.models import Worker
    from gonghui.organizations.models import Employer

    connections.close_all()
    if not Worker.objects.exists():
        call_command("seed_demo", scale=scale, stdout=io.StringIO())
    rng = random.Random(20261125)
    employers = list(Employer.objects.filter(union__isnull=False).values_list("id", "name", "uscc"))
    n_existing = int(rows * EXISTING_SHARE)
    existing = list(
        Worker.objects.filter(employer_id__in=[e[0] for e in employers])
        .order_by("id")
        .values_list("id", flat=True)[: n_existing * 3]
    )
    existing = rng.sample(existing, min(n_existing, len(existing)))
    by_id = {e[0]: e for e in employers}
    old = {
        w.pk: (w.name, w.id_number, w.phone, by_id[w.employer_id])
        for w in Worker.objects.filter(pk__in=existing)
    }
    used: set[str] = {v[1] for v in old.values()}
    book = xlsxwriter.Workbook(path)  # shared strings, as Excel itself writes
    sheet = book.add_worksheet("花名册")
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, ["都昌县职工（会员）花名册"])
    sheet.write_row(1, 0, HEADER)
    old_rows = list(old.values())
    written: list[str] = []
    card = 0
    for i in range(rows):
        r = 2 + i
        roll = rng.random()
        if old_rows and roll < EXISTING_SHARE:
            name, number, phone, employer = old_rows.pop()
            if rng.random() < 0.33:
                phone = rng.choice(MOBILE_PREFIXES) + f"{rng.randint(0, 99_999_999):08d}"
        else:
            employer = rng.choice(employers)
            male = rng.random() < 0.55
            born = dt.date(rng.randint(1962, 2005), rng.randint(1, 12), rng.randint(1, 28))
            while True:
                number = ids.make_resident_id(
                    rng.choice(AREAS), born, rng.randint(0, 499) * 2 + male
                )
                if number not in used:
                    used.add(number)
                    break
            name = person_name(rng)
            phone = rng.choice(MOBILE_PREFIXES) + f"{rng.randint(0, 99_999_999):08d}"
        sex = "男" if int(number[16]) % 2 else "女"
        born = dt.datetime.strptime(number[6:14], "%Y%m%d")
        id_cell: object = number if rng.random() > 0.02 else number.lower()
        if roll > 1 - INVALID_SHARE:
            kind = rng.randrange(4)
            if kind == 0:
                id_cell = float(number[:17] + "0")  # Excel's 3.60426E+17
            elif kind == 1:
                id_cell = number[:17] + ("0" if number[17] != "0" else "1")
            elif kind == 2:
                phone = "0792-5212345"
            else:
                name = name + "2"
        elif roll > 1 - INVALID_SHARE - REPEAT_SHARE and written:
            id_cell = rng.choice(written)
        written.append(number)
        if rng.random() < 0.3:
            card += 1
            card_number = f"I{card:09d}"
        else:
            card_number = ""
        sheet.write_number(r, 0, i + 1)
        sheet.write_string(r, 1, name)
        if isinstance(id_cell, float):
            sheet.write_number(r, 2, id_cell)
        else:
            sheet.write_string(r, 2, id_cell)
        sheet.write_string(r, 3, sex)
        sheet.write_datetime(r, 4, born, date_format)
        sheet.write_string(r, 5, phone if rng.random() > 0.1 else "+86 " + phone)
        sheet.write_string(r, 6, rng.choice(TYPE_LABELS))
        joined = dt.date(rng.randint(2005, 2025), rng.randint(1, 12), rng.randint(1, 28))
        if rng.random() < 0.5:
            sheet.write_datetime(r, 7, dt.datetime(joined.year, joined.month, joined.day), date_format)  # fmt: skip
        else:
            sheet.write_string(r, 7, f"{joined.year}年{joined.month}月{joined.day}日")
        sheet.write_string(r, 8, employer[1])
        sheet.write_string(r, 9, employer[2] if rng.random() < 0.7 else "")
        sheet.write_string(r, 10, card_number)
        sheet.write_string(r, 11, "")
    book.close()


def _in_child(target, *args) -> None:
    connections.close_all()
    process = multiprocessing.get_context("fork").Process(target=target, args=args)
    process.start()
    process.join()
    if process.exitcode:
        raise RuntimeError(f"preparing the benchmark failed ({process.exitcode})")


def _baseline(path: str) -> tuple[float, float, int]:
    """Seconds to read the file with calamine, and to COPY / executemany its cleaned rows
    (plain text, no encryption, no lookups) into a scratch table without indexes."""
    from gonghui.members import importing

    started = time.perf_counter()
    roster = importing.read_roster(path)
    read_s = time.perf_counter() - started
    cols = roster.columns
    keys = [
        importing.NAME,
        importing.ID_NUMBER,
        importing.PHONE,
        importing.WORKER_TYPE,
        importing.JOINED_ON,
        importing.EMPLOYER_NAME,
        importing.EMPLOYER_USCC,
        importing.CARD_NUMBER,
    ]
    rows = [
        tuple(importing._text(cells[cols[k]]) for k in keys)
        + (importing._text(cells[cols[importing.ID_NUMBER]])[6:14],)
        for _n, cells in roster.rows
    ]
    names = [*keys, "born"]
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_import_scratch")
        cursor.execute(
            "CREATE TABLE bench_import_scratch ("
            + ", ".join(f"{n} varchar(200)" for n in names)
            + ")"
        )
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(
                f"COPY bench_import_scratch ({', '.join(names)}) FROM STDIN"
            ) as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(
                f"INSERT INTO bench_import_scratch VALUES ({', '.join(['%s'] * len(names))})",
                rows,
            )
    copy_s = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_import_scratch")
    return read_s, copy_s, len(rows)


# django-import-export on the full roster: every row (set a number to time it on the first rows).
DIE_FULL_ROWS: int | None = None

_IMPORTED_TABLES = ("members_worker", "members_membership", "members_membershipevent")


def _top_ids() -> dict[str, int]:
    with connection.cursor() as cursor:
        tops = {}
        for table in _IMPORTED_TABLES:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608
            tops[table] = cursor.fetchone()[0]
    return tops


def _indexed_floor(after: dict[str, int]) -> float | None:
    """PostgreSQL: seconds to COPY the rows the import wrote (workers, memberships, history
    rows, as stored: ciphertext, keyed hashes) into copies of their tables with the same indexes
    (no foreign keys, no lookups, no checking): what the database needs for the writes alone."""
    if connection.vendor != "postgresql":
        return None
    blocks = []
    with connection.cursor() as cursor:
        for table in _IMPORTED_TABLES:
            with cursor.cursor.copy(
                f"COPY (SELECT * FROM {table} WHERE id > {int(after[table])}) TO STDOUT"
            ) as copy:
                blocks.append((table, b"".join(bytes(b) for b in copy)))
            cursor.execute(f"DROP TABLE IF EXISTS bench_floor_{table}")
            cursor.execute(
                f"CREATE TABLE bench_floor_{table} (LIKE {table} INCLUDING DEFAULTS "
                "INCLUDING INDEXES INCLUDING CONSTRAINTS)"
            )
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for table, data in blocks:
            with cursor.cursor.copy(f"COPY bench_floor_{table} FROM STDIN") as copy:
                copy.write(data)
    floor_s = time.perf_counter() - started
    with connection.cursor() as cursor:
        for table in _IMPORTED_TABLES:
            cursor.execute(f"DROP TABLE bench_floor_{table}")
    return floor_s


def _orm_save_per_row(count: int) -> float:
    """Seconds for ``count`` rows imported the naive way: per row a lookup by keyed hash and
    three ORM saves (worker, membership, history row), in one transaction."""
    from gonghui.core import identifiers as ids
    from gonghui.core.demo import person_name
    from gonghui.core.fields import hash_for
    from gonghui.members.models import Membership, MembershipEvent, Worker
    from gonghui.organizations.models import Employer

    rng = random.Random(7)
    employers = list(Employer.objects.filter(union__isnull=False).select_related("union")[:50])
    rows = []
    for i in range(count):
        born = dt.date(1950, 1, 1) + dt.timedelta(days=i)  # birth dates no roster row uses
        rows.append(
            (
                person_name(rng),
                ids.make_resident_id("360402", born, 777),
                f"139{rng.randint(0, 99_999_999):08d}",
                rng.choice(employers),
            )
        )
    started = time.perf_counter()
    with transaction.atomic():
        for name, number, phone, employer in rows:
            parsed = ids.parse_resident_id(number)
            phone = ids.normalize_mobile(phone)
            if Worker.objects.filter(id_number_hash=hash_for("id_number", number)).exists():
                continue
            worker = Worker(
                name=name,
                id_number=parsed.number,
                phone=phone,
                sex=parsed.sex,
                birth_date=parsed.birth_date,
                employer=employer,
                organization=employer.union,
            )
            worker.save()
            Membership.objects.create(
                worker=worker, union=employer.union, joined_on=dt.date(2024, 5, 3)
            )
            MembershipEvent.objects.create(
                worker=worker, organization=employer.union, kind="joined"
            )
    return time.perf_counter() - started


def _forget_first_import(tops: dict[str, int]) -> None:
    """Delete what the import (and the ORM comparison) added, so that django-import-export
    meets the database as the first import did: the demo county with 5% of the roster on
    record. The updates the import made to those workers stay (django-import-export with
    ``skip_diff`` updates every row it finds, changed or not, so they do not change its work)."""
    worker_top = int(tops["members_worker"])
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM members_membershipevent WHERE id > {int(tops['members_membershipevent'])}")  # fmt: skip
        cursor.execute(f"DELETE FROM members_membership WHERE id > {int(tops['members_membership'])}")  # fmt: skip
        cursor.execute(f"DELETE FROM members_worker WHERE id > {worker_top}")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"VACUUM ANALYZE {', '.join(_IMPORTED_TABLES)}")
        else:
            cursor.execute("ANALYZE")


def _django_import_export(path: str, limit: int | None, worker_top: int) -> dict:
    """django-import-export 4 with the settings its documentation calls fast ("Bulk imports:
    performance tuning"): ``use_bulk`` with the default ``batch_size`` (1,000; ``None`` is
    documented as slower), ``skip_diff`` (so ``skip_html_diff`` and ``skip_unchanged`` do not
    apply), ``CachedInstanceLoader`` (the roster has updates, so not ``force_init_instance``),
    ``report_skipped = False``, no ``store_instance``/``store_row_values``, one transaction per
    resource, and foreign keys resolved from an in-memory map (its documented advice instead of
    ``ForeignKeyWidget``'s query per row). The file is read with its own ``XLSX`` format
    (openpyxl, read-only). Two resources on the same dataset, as its documentation suggests
    for two tables: workers keyed on ``id_number_hash`` (the keyed hash, added as a column in
    ``before_import``), then memberships of the workers with no active one, each with its
    ``joined`` history row. A row is rejected for an ID number of the wrong shape or check digit
    (a plain checksum: the same rows our import rejects for their ID number) and for an ID
    number repeating an earlier row; nothing else is checked. Returns its counts and seconds."""
    from django.core.exceptions import ValidationError
    from import_export import fields, resources, widgets
    from import_export.formats.base_formats import XLSX
    from import_export.instance_loaders import CachedInstanceLoader
    from import_export.results import RowResult

    from gonghui.core import identifiers as ids
    from gonghui.core.fields import hash_for
    from gonghui.members import importing
    from gonghui.members.models import Membership, MembershipEvent, Worker
    from gonghui.organizations.models import Employer

    id_col, hash_col, employer_col = "公民身份号码", "id_number_hash", "单位名称"
    employers = {
        name: (pk, union_id)
        for pk, name, union_id in Employer.objects.filter(union__isnull=False)
        .order_by("-id")
        .values_list("id", "name", "union_id")
    }

    def id_number_or_none(value) -> str | None:
        code = ids.normalize_id_number(importing._text(value))
        if len(code) == 18 and code[:17].isdigit() and ids._id_check_char(code[:17]) == code[17]:
            return code
        return None

    def add_hashes(dataset) -> None:
        """The keyed hash of each row's ID number as a column ("" for a bad ID number,
        "repeat" for one seen on an earlier row)."""
        if hash_col in dataset.headers:
            return
        seen: set[str] = set()
        hashes = []
        for value in dataset[id_col]:
            code = id_number_or_none(value)
            digest = hash_for("id_number", code) if code else ""
            if digest and digest in seen:
                digest = "repeat"
            seen.add(digest)
            hashes.append(digest)
        dataset.append_col(hashes, header=hash_col)

    def check_id(row) -> None:
        if not row[hash_col]:
            raise ValidationError({"id_number": "invalid ID number"})
        if row[hash_col] == "repeat":
            raise ValidationError({"id_number": "ID number repeated in the file"})

    class IdNumberWidget(widgets.CharWidget):
        def clean(self, value, row=None, **kwargs):
            return id_number_or_none(value) or ""

    class MapWidget(widgets.Widget):
        def __init__(self, mapping, default=None):
            super().__init__()
            self.mapping, self.default = mapping, default

        def clean(self, value, row=None, **kwargs):
            found = self.mapping(value)
            if found is None:
                if self.default is not None:
                    return self.default
                raise ValueError(f"unknown value {value!r}")
            return found

    def type_of(value):
        try:
            return importing.parse_worker_type(value)
        except ValueError:
            return None

    class WorkerResource(resources.ModelResource):
        name = fields.Field(attribute="name", column_name="姓名")
        id_number = fields.Field(attribute="id_number", column_name=id_col, widget=IdNumberWidget())  # fmt: skip
        id_number_hash = fields.Field(attribute="id_number_hash", column_name=hash_col)
        phone = fields.Field(attribute="phone", column_name="手机号码", widget=widgets.CharWidget())  # fmt: skip
        sex = fields.Field(attribute="sex", column_name="性别", widget=MapWidget({"男": "M", "女": "F"}.get, ""))  # fmt: skip
        birth_date = fields.Field(attribute="birth_date", column_name="出生日期", widget=widgets.DateWidget())  # fmt: skip
        worker_type = fields.Field(attribute="worker_type", column_name="用工形式", widget=MapWidget(type_of, "regular"))  # fmt: skip
        employer_id = fields.Field(attribute="employer_id", column_name=employer_col, widget=MapWidget(lambda v: employers.get(v, (None,))[0]))  # fmt: skip
        organization_id = fields.Field(attribute="organization_id", column_name=employer_col, widget=MapWidget(lambda v: employers.get(v, (0, None))[1]))  # fmt: skip

        class Meta:
            model = Worker
            fields = ("name", "id_number", "id_number_hash", "phone", "sex", "birth_date")
            fields += ("worker_type", "employer_id", "organization_id")
            import_id_fields = ["id_number_hash"]
            instance_loader_class = CachedInstanceLoader
            use_bulk = True
            batch_size = 1000
            skip_diff = True
            skip_html_diff = True
            report_skipped = False
            use_transactions = True

        def before_import(self, dataset, **kwargs):
            add_hashes(dataset)

        def before_import_row(self, row, **kwargs):
            check_id(row)

        def get_bulk_update_fields(self):
            # bulk_update() does not call Field.pre_save: the derived columns of a changed
            # name or phone are listed here and computed in before_save_instance.
            return [*super().get_bulk_update_fields(), "phone_hash", "name_initials", "name_pinyin", "updated_at"]  # fmt: skip

        def before_save_instance(self, instance, row, **kwargs):
            if instance.pk is not None:  # an update: bulk_create computes these itself
                for name in ("phone_hash", "name_initials", "name_pinyin", "updated_at"):
                    Worker._meta.get_field(name).pre_save(instance, False)

    worker_ids: dict[str, int] = {}

    class CheapRowResult(RowResult):
        # Each row's result keeps ``str(instance)``; Membership.__str__ reads the worker and
        # the union (two queries per row, which made the memberships four times slower).
        def add_instance_info(self, instance):
            if instance is not None:
                self.object_id = instance.pk

    class WorkerIdWidget(widgets.Widget):
        def clean(self, value, row=None, **kwargs):
            return worker_ids.get(value)  # None for a rejected row (before_import_row)

    class MembershipResource(resources.ModelResource):
        worker_id = fields.Field(attribute="worker_id", column_name=hash_col, widget=WorkerIdWidget())  # fmt: skip
        union_id = fields.Field(attribute="union_id", column_name=employer_col, widget=MapWidget(lambda v: employers.get(v, (0, None))[1]))  # fmt: skip
        joined_on = fields.Field(attribute="joined_on", column_name="入会时间", widget=widgets.DateWidget(format="%Y年%m月%d日"))  # fmt: skip
        card_number = fields.Field(attribute="card_number", column_name="会员证号", widget=widgets.CharWidget())  # fmt: skip

        class Meta:
            model = Membership
            fields = ("worker_id", "union_id", "joined_on", "card_number")
            import_id_fields = ["worker_id"]
            instance_loader_class = CachedInstanceLoader
            use_bulk = True
            batch_size = 1000
            skip_diff = True
            skip_html_diff = True
            report_skipped = False
            use_transactions = True

        def get_queryset(self):
            return Membership.objects.filter(status="active")

        def get_row_result_class(self):
            return CheapRowResult

        def before_import_row(self, row, **kwargs):
            check_id(row)
            if row[hash_col] not in worker_ids:
                raise ValidationError({"worker": "the worker was not imported"})

        def skip_row(self, instance, original, row, import_validation_errors=None):
            return instance.pk is not None  # an active membership already: left alone

        def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):  # fmt: skip
            joined = [
                MembershipEvent(worker_id=m.worker_id, organization_id=m.union_id, kind="joined")
                for m in self.create_instances
            ]
            super().bulk_create(using_transactions, dry_run, raise_errors, batch_size, result)
            if joined and not (result and result.has_errors()):
                MembershipEvent.objects.bulk_create(joined, batch_size=batch_size)

    cpu_before = time.process_time()
    started = time.perf_counter()
    with open(path, "rb") as handle:
        dataset = XLSX().create_dataset(handle.read())
    # The roster has a title line above the header row, as county offices write them; the
    # format takes the first line for the header, so the header is moved up by hand.
    dataset.headers = list(dataset[0])
    del dataset[0]
    if limit is not None and limit < len(dataset):
        del dataset[limit:]
    read_s = time.perf_counter() - started

    started = time.perf_counter()
    workers = WorkerResource().import_data(dataset, raise_errors=False)
    workers_s = time.perf_counter() - started
    if workers.has_errors():
        raise RuntimeError(f"django-import-export failed: {workers.base_errors or workers.row_errors()[:1]}")  # fmt: skip

    started = time.perf_counter()
    hashes = [h for h in dataset[hash_col] if h and h != "repeat"]
    for i in range(0, len(hashes), 10_000):
        worker_ids.update(
            Worker.objects.filter(id_number_hash__in=hashes[i : i + 10_000]).values_list(
                "id_number_hash", "id"
            )
        )
    memberships = MembershipResource().import_data(dataset, raise_errors=False)
    memberships_s = time.perf_counter() - started
    python_cpu_s = time.process_time() - cpu_before
    if memberships.has_errors():
        raise RuntimeError(f"django-import-export failed: {memberships.base_errors or memberships.row_errors()[:1]}")  # fmt: skip

    # bulk_create() calls each field's pre_save (only the pre_save *signal* is not sent), so
    # new rows get their keyed hashes and pinyin keys; updates get them from
    # before_save_instance above. Checked here on the rows it wrote.
    sample = hashes[:: max(1, len(hashes) // 500)]
    checked = []
    for i in range(0, len(hashes), 10_000):
        found = Worker.objects.filter(id_number_hash__in=hashes[i : i + 10_000])
        checked += found.filter(id__lte=worker_top)  # every worker it updated
    checked += Worker.objects.filter(id_number_hash__in=sample, id__gt=worker_top)
    wrong = sum(
        1
        for w in checked
        if w.id_number_hash != hash_for("id_number", w.id_number)
        or w.phone_hash != (hash_for("phone", w.phone) if w.phone else "")
        or not w.name_initials
    )
    if wrong:
        raise RuntimeError(f"django-import-export left {wrong} of {len(checked)} workers with stale keyed hashes")  # fmt: skip
    return {
        "rows": len(dataset),
        "read_s": read_s,
        "workers_s": workers_s,
        "memberships_s": memberships_s,
        "workers": dict(workers.totals),
        "memberships": dict(memberships.totals),
        "checked": len(checked),
        "python_cpu_s": python_cpu_s,
    }


def _backend_cpu_s() -> float | None:
    """CPU seconds the PostgreSQL backend of this connection has used (from /proc), or None."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def run(quick: bool = False) -> None:
    from gonghui.members.importing import roster_import

    rows = 5_000 if quick else 100_000
    folder = tempfile.mkdtemp(prefix="gonghui-import-")
    path = os.path.join(folder, "花名册.xlsx")
    started = time.perf_counter()
    _in_child(_prepare, path, rows, "tiny" if quick else "county")
    print(
        f"   roster of {rows} rows written ({os.path.getsize(path) / 1e6:.1f} MB, "
        f"{time.perf_counter() - started:.1f} s with the demo data)",
        flush=True,
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    memory_before = _peak_mb()
    tops = _top_ids()

    backend_before = _backend_cpu_s()
    cpu_before = time.process_time()
    started = time.perf_counter()
    first = roster_import(by=None, job_or_path=path)
    import_s = time.perf_counter() - started
    python_cpu_s = time.process_time() - cpu_before
    backend_after = _backend_cpu_s()
    backend_cpu_s = (
        backend_after - backend_before
        if backend_after is not None and backend_before is not None
        else None
    )
    load = os.getloadavg()[0]
    peak = _peak_mb()
    print(
        f"   import: {first.counts()} in {import_s:.2f} s (CPU: Python {python_cpu_s:.2f} s"
        + (f", PostgreSQL backend {backend_cpu_s:.2f} s" if backend_cpu_s is not None else "")
        + f"; load average {load:.1f} on {os.cpu_count()} CPUs)",
        flush=True,
    )

    started = time.perf_counter()
    again = roster_import(by=None, job_or_path=path)
    reimport_s = time.perf_counter() - started
    print(f"   re-import: {again.counts()} in {reimport_s:.2f} s", flush=True)

    gc.collect()  # the import holds the cyclic collector back; let its catch-up land here
    read_s, copy_s, copied = _baseline(path)
    indexed_s = _indexed_floor(tops)
    orm_rows = 2_000
    orm_s = _orm_save_per_row(orm_rows)
    orm_extrapolated = orm_s / orm_rows * rows

    _forget_first_import(tops)
    die_backend_before = _backend_cpu_s()
    die = _django_import_export(path, None if quick else DIE_FULL_ROWS, tops["members_worker"])
    die_python_cpu_s = die["python_cpu_s"]
    die_backend_after = _backend_cpu_s()
    die_backend_cpu_s = (
        die_backend_after - die_backend_before
        if die_backend_after is not None and die_backend_before is not None
        else None
    )
    die_s = die["read_s"] + die["workers_s"] + die["memberships_s"]
    die_rate = die["rows"] / die_s
    # CPU per row, ours against django-import-export's (Python + PostgreSQL backend): on a
    # loaded machine a steadier figure than the wall-clock ratio.
    die_cpu_per_row = (die_python_cpu_s + (die_backend_cpu_s or 0)) / die["rows"]
    import_cpu_per_row = (python_cpu_s + (backend_cpu_s or 0)) / rows
    print(
        f"   django-import-export (fast settings) on {die['rows']} rows of the same file: "
        f"workers {die['workers']}, memberships {die['memberships']}; {die_s:.2f} s "
        f"(read {die['read_s']:.2f} s, workers {die['workers_s']:.2f} s, memberships "
        f"{die['memberships_s']:.2f} s; keyed hashes checked on {die['checked']} workers; CPU: Python {die_python_cpu_s:.2f} s"
        + (
            f", PostgreSQL backend {die_backend_cpu_s:.2f} s"
            if die_backend_cpu_s is not None
            else ""
        )
        + f"), {die_rate:.0f} rows/s -> the import is {rows / import_s / die_rate:.1f}x "
        f"faster ({die_cpu_per_row / import_cpu_per_row:.1f}x less CPU per row; load average "
        f"{os.getloadavg()[0]:.1f})",
        flush=True,
    )

    figures = {
        "database": connection.vendor,
        "rows": rows,
        **{k: v for k, v in first.counts().items() if k != "rows"},
        "import_s": round(import_s, 2),
        "import_rows_per_s": round(rows / import_s),
        "import_python_cpu_s": round(python_cpu_s, 2),
        "import_db_backend_cpu_s": None if backend_cpu_s is None else round(backend_cpu_s, 2),
        "load_average_1m": round(load, 2),
        "baseline_copy_s": round(copy_s, 2),
        "baseline_read_s": round(read_s, 2),
        "ratio_import_to_copy": round(import_s / copy_s, 1),
        "ratio_import_to_read_and_copy": round(import_s / (read_s + copy_s), 1),
        "indexed_copy_s": None if indexed_s is None else round(indexed_s, 2),
        "ratio_import_to_indexed_copy": None
        if indexed_s is None
        else round(import_s / indexed_s, 1),
        "orm_save_per_row_rows_per_s": round(orm_rows / orm_s),
        "orm_save_per_row_extrapolated_s": round(orm_extrapolated, 1),
        "ratio_orm_save_per_row_to_import": round(orm_extrapolated / import_s, 1),
        "die_rows": die["rows"],
        "die_s": round(die_s, 2),
        "die_rows_per_s": round(die_rate),
        "ratio_to_die": round(rows / import_s / die_rate, 1),
        "die_python_cpu_s": round(die_python_cpu_s, 2),
        "die_db_backend_cpu_s": None if die_backend_cpu_s is None else round(die_backend_cpu_s, 2),
        "cpu_per_row_ratio_to_die": round(die_cpu_per_row / import_cpu_per_row, 1),
        "peak_rss_mb": peak,
        "rss_before_import_mb": memory_before,
        "reimport_unchanged": again.unchanged,
        "reimport_s": round(reimport_s, 2),
        "reimport_rows_per_s": round(rows / reimport_s),
    }
    print(
        f"   import {figures['import_rows_per_s']} rows/s; floor: COPY/INSERT {copy_s:.2f} s "
        f"(+ read {read_s:.2f} s) of {copied} rows -> ratio {figures['ratio_import_to_copy']} "
        f"({figures['ratio_import_to_read_and_copy']} with the read)"
        + (
            f"; COPY of the stored rows into tables with the same indexes {indexed_s:.2f} s "
            f"-> ratio {figures['ratio_import_to_indexed_copy']}"
            if indexed_s is not None
            else ""
        )
        + "; "
        f"ORM save() per row: {figures['orm_save_per_row_rows_per_s']} rows/s, "
        f"{figures['ratio_orm_save_per_row_to_import']}x slower; peak {peak} MB",
        flush=True,
    )
    shutil.rmtree(folder, ignore_errors=True)
    report("import", figures)
