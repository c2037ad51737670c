"""Roster import: a union office's spreadsheet of workers into the registry.

Reading (``read_roster``): .xlsx, .xls and .ods through python-calamine, .csv in UTF-8 or
GB18030 (which includes GBK and GB2312) through the csv module. The header row is the first of
the first ten rows naming at least the name and the ID number column, under any of the names
offices use (``HEADERS``). Columns not recognized are ignored and listed.

Checking (``_Importer._check``): every value is cleaned as spreadsheets and input methods spoil
it (spaces, full-width digits, lower-case x, +86, Excel date serials, 2024年5月3日 …) and then
validated; a row with any invalid value is rejected whole, with the column and the reason, and
so is a second row with an ID number already seen in the file. Sex and birth date always come
from the ID number; a file that says otherwise is imported and flagged for a person to check.

Writing (``roster_import``): rows are processed in chunks of ``CHUNK`` rows, a few chunks per
transaction: existing workers are looked up by their keyed hash with one query per chunk, new
workers, memberships and their history rows are inserted in bulk (COPY on PostgreSQL,
``executemany`` on SQLite) with the encryption, keyed hashes and pinyin keys computed here, and
changed workers are written with one ``executemany`` UPDATE per set of changed columns. Why
several transactions and not one: the progress bar of the web page reads
``ImportJob.rows_done`` from another connection, and rows are independent of each other (an
import stopped half-way is finished by importing the file again: imported rows are recognized
and left unchanged). Why not the ORM's ``bulk_create``: building a model instance and running
every field's ``pre_save`` and ``get_db_prep_save`` took three to four times the CPU of writing
the same worker rows here (measured on both databases); the columns written here are checked
against the model at the first use, so that a new field cannot be forgotten silently.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import csv
import datetime as dt
import functools
import gc
import io
import json
import os
import queue
import re
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import phonenumbers
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from gonghui.accounts.roles import CHANGE
from gonghui.audit.models import AuditAction
from gonghui.audit.services import audit_record
from gonghui.core import crypto
from gonghui.core import identifiers as ids
from gonghui.organizations.models import (
    GRASSROOTS_KINDS,
    Employer,
    Organization,
    OrganizationStatus,
)

from .models import (
    ImportJob,
    ImportStatus,
    Membership,
    MembershipEvent,
    MembershipEventKind,
    MembershipStatus,
    Worker,
    WorkerType,
)
from .search import name_keys

# Names repeat (张伟, 王芳 …): their pinyin keys are worked out once per process.
_name_keys = functools.lru_cache(maxsize=100_000)(name_keys)

CHUNK = 5000  # rows per lookup query (and per COPY)
# Rows per transaction, and so per step of the progress bar. Fewer, larger transactions are
# faster: SQLite writes every page a transaction changed to its log at commit, and rows with
# keyed hashes change pages all over a dozen indexes (50,000 rows took 15.4 s in transactions
# of 5,000 rows and 8.2 s in one; PostgreSQL 13.7 s and 11.5 s).
TRANSACTION_ROWS = 20_000
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
HEADER_SEARCH_ROWS = 10
PREVIEW_ROWS = 10
ERROR_COLUMN = "错误原因"
EXTENSIONS = (".xlsx", ".xls", ".csv", ".ods")
_ZIP_MAGIC = b"PK\x03\x04"  # .xlsx and .ods are zip archives
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # .xls is an OLE2 compound document


def _interpolate(message: Any, params: dict[str, Any]) -> str:
    return str(message) % params


# A lazy "%"-interpolation (as in core.identifiers): reasons are collected while importing and
# turned into text in the language of whoever reads them (the report, the page, the log).
_lazy_interpolate = lazy(_interpolate, str)


def _msg(message: Any, **params: Any) -> str:
    return _lazy_interpolate(message, params) if params else message


class RosterError(Exception):
    """The file cannot be imported at all: nothing is changed. ``code`` is one of
    "extension", "content", "size", "encoding", "format", "header", "empty", "missing"."""

    def __init__(self, message: Any, code: str) -> None:
        super().__init__(message, code)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return str(self.message)


# --------------------------------------------------------------------------------------------
# Headers and labels as offices write them
# --------------------------------------------------------------------------------------------

NAME = "name"
ID_NUMBER = "id_number"
SEX = "sex"
BIRTH_DATE = "birth_date"
PHONE = "phone"
WORKER_TYPE = "worker_type"
JOINED_ON = "joined_on"
EMPLOYER_NAME = "employer_name"
EMPLOYER_USCC = "employer_uscc"
CARD_NUMBER = "card_number"
DISPATCHER = "dispatching_employer"

FIELD_LABELS = {
    NAME: _("Full name"),
    ID_NUMBER: _("Resident ID number"),
    SEX: _("Sex"),
    BIRTH_DATE: _("Birth date"),
    PHONE: _("Mobile phone"),
    WORKER_TYPE: _("Worker type"),
    JOINED_ON: _("Joined on"),
    EMPLOYER_NAME: _("Employer"),
    EMPLOYER_USCC: _("Employer's credit code"),
    CARD_NUMBER: _("Membership card number"),
    DISPATCHER: _("Dispatching agency"),
}

HEADERS = {
    NAME: "姓名 职工姓名 会员姓名".split(),
    ID_NUMBER: (
        "身份证号 身份证号码 公民身份号码 证件号码 身份证 居民身份证号码 公民身份证号码 "
        "身份证件号码".split()
    ),
    SEX: ["性别"],
    BIRTH_DATE: "出生日期 出生年月日".split(),
    PHONE: "手机 手机号 手机号码 联系电话 移动电话 电话 联系方式".split(),
    WORKER_TYPE: "用工形式 用工性质 用工类型 职工类型 人员类型".split(),
    JOINED_ON: "入会时间 入会日期 入会年月日".split(),
    EMPLOYER_NAME: "工作单位 单位名称 所在单位 用工单位 单位".split(),
    EMPLOYER_USCC: "统一社会信用代码 单位统一社会信用代码 社会信用代码 信用代码".split(),
    CARD_NUMBER: "会员证号 会员证号码 会员卡号 会员证编号".split(),
    DISPATCHER: "派遣单位 劳务派遣单位 派遣公司".split(),
}
_HEADER_LOOKUP = {alias: key for key, aliases in HEADERS.items() for alias in aliases}
# Our own report's reason column: a fixed report is imported again without a word about it.
_SILENT_HEADERS = {ERROR_COLUMN}

# Worker types as rosters write them. Exact labels first; then words that decide the type
# wherever they appear ("劳务派遣（外包）", "美团外卖骑手").
_TYPE_LABELS = {
    WorkerType.REGULAR: (
        "合同制 合同工 劳动合同制 正式工 正式职工 正式员工 正式 在编 在编人员 编内 固定工 "
        "长期工 全日制 聘用 聘用制 职工 员工"
    ),
    WorkerType.MIGRANT: "农民工 进城务工 进城务工人员 外来务工 外来务工人员 务工人员",
    WorkerType.DISPATCHED: "劳务派遣 派遣工 派遣 劳务派遣工 派遣员工 派遣制 劳务派遣人员",
    WorkerType.PLATFORM: (
        "灵活就业 灵活就业人员 新就业形态 新就业形态劳动者 平台骑手 外卖骑手 骑手 外卖员 "
        "送餐员 网约配送员 网约车司机 网约车 快递员 快递小哥 货车司机 代驾 代驾司机 网络主播 "
        "平台从业人员"
    ),
}
WORKER_TYPE_LABELS = {
    **{value: value for value in WorkerType.values},
    **{label: kind for kind, labels in _TYPE_LABELS.items() for label in labels.split()},
}
_WORKER_TYPE_WORDS = (
    ("派遣", WorkerType.DISPATCHED),
    ("骑手", WorkerType.PLATFORM),
    ("外卖", WorkerType.PLATFORM),
    ("快递", WorkerType.PLATFORM),
    ("网约", WorkerType.PLATFORM),
    ("灵活", WorkerType.PLATFORM),
    ("平台", WorkerType.PLATFORM),
    ("农民工", WorkerType.MIGRANT),
    ("务工", WorkerType.MIGRANT),
    ("合同", WorkerType.REGULAR),
    ("正式", WorkerType.REGULAR),
    ("在编", WorkerType.REGULAR),
)
# GB/T 2261.1: 1 male, 2 female.
_SEX_LABELS = {
    **dict.fromkeys(("男", "男性", "M", "MALE", "1"), "M"),
    **dict.fromkeys(("女", "女性", "F", "FEMALE", "2"), "F"),
}

# Review flags (Worker.review_flags) and the column each is judged from: a file without that
# column leaves the flag as it was.
FLAG_SOURCES = {
    "sex_mismatch": SEX,
    "birth_date_mismatch": BIRTH_DATE,
    "area_code_unknown": ID_NUMBER,
    "dispatching_employer_unknown": DISPATCHER,
}


# --------------------------------------------------------------------------------------------
# Cleaning values
# --------------------------------------------------------------------------------------------

_FULLWIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20
_BRACKETED = re.compile(r"[(\[（【].*?[)\]）】]")
_HEADER_NOISE = str.maketrans("", "", "*＊:：")


def header_key(text: Any) -> str:
    """A header cell reduced to what identifies it: "* 身份证号码（18位）：" -> "身份证号码"."""
    text = _text(text)
    text = _BRACKETED.sub("", text).translate(_HEADER_NOISE)
    return "".join(text.split()).lower()


def _text(value: Any) -> str:
    """A cell as clean text: full-width forms to ASCII, no surrounding spaces, whole floats
    without ".0" (a spreadsheet's 13812345678.0)."""
    kind = value.__class__
    if kind is str:
        return (value if value.isascii() else value.translate(_FULLWIDTH)).strip()
    if value is None:
        return ""
    if kind is float:
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value).upper()
    if kind is bool:
        return "TRUE" if value else "FALSE"
    if kind is dt.datetime:
        if value.time() == dt.time():
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if kind is dt.date:
        return value.isoformat()
    return str(value).strip()


def _blank(value: Any) -> bool:
    return value is None or value == "" or (value.__class__ is str and not value.strip())


def _one_line(value: Any) -> str:
    """Text of at most 200 characters with runs of spaces as one (employer names)."""
    return " ".join(_text(value).split())[:200]


_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_NAME = re.compile(rf"[{_CJK}A-Za-z]+(?:[· ][{_CJK}A-Za-z]+)*")
_NAME_CHAR = re.compile(rf"[{_CJK}A-Za-z· ]")
_HAS_CJK = re.compile(rf"[{_CJK}]")
# Middle dots as input methods and fonts give them (•, ・, ‧, ∙, ･, ⋅, and a plain period).
_DOTS = str.maketrans({c: "·" for c in "•・‧∙･⋅.．"})


def clean_name(value: Any) -> str:
    """A person's name: 2 to 20 Chinese characters or letters, with · between parts of an
    ethnic-minority or foreign name. Raises ValueError with the reason."""
    name = _text(value).translate(_DOTS)
    if _HAS_CJK.search(name):
        name = "".join(name.split())  # "张  三": rosters pad two-character names
    else:
        name = " ".join(name.split())
    if not name:
        raise ValueError(_("The name is empty."))
    if not _NAME.fullmatch(name):
        bad = next((c for c in name if not _NAME_CHAR.match(c)), None)
        if bad is None:
            raise ValueError(_("A · can only stand between two parts of a name."))
        raise ValueError(
            _msg(
                _(
                    "The character “%(char)s” cannot be in a name: only Chinese characters, "
                    "letters, and · between the parts of a name."
                ),
                char=bad,
            )
        )
    if not 2 <= len(name) <= 20:
        raise ValueError(_msg(_("A name has 2 to 20 characters; this one has %(n)d."), n=len(name)))
    return name


# ids.normalize_mobile asks phonenumbers, ~20 µs a number. For the common shape, 11 ASCII
# digits starting with 1, its answer is exactly "phonenumbers' own pattern for mainland mobiles
# matches" (the general pattern of the CN metadata admits every 1 + 10 digits), or the segment
# identifiers.py adds (149). Matching that pattern directly takes well under a microsecond; any
# other shape, and every number the pattern refuses, still goes through normalize_mobile, for
# its cleaning and its message. A test compares the two on every five-digit prefix.
_MOBILE = re.compile(
    phonenumbers.PhoneMetadata.metadata_for_region("CN").mobile.national_number_pattern
)
_EXTRA_MOBILE_PREFIXES = ids._EXTRA_MOBILE_PREFIXES


def clean_mobile(value: Any) -> str:
    """An 11-digit mainland mobile number, or ids.IdentifierError with the reason."""
    text = _text(value)
    if len(text) != 11:  # "+86 138 1234 5678", "138-1234-5678": the usual decorations
        text = text.replace(" ", "").replace("-", "")
        if text.startswith("+86"):
            text = text[3:]
    if (
        len(text) == 11
        and text.isdigit()
        and text.isascii()
        and (_MOBILE.fullmatch(text) or text[:3] in _EXTRA_MOBILE_PREFIXES)
    ):
        return text
    return ids.normalize_mobile(_text(value))


_EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 = 1900-01-01 (after Excel's 1900-02-29 bug)
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_TIME_TAIL = re.compile(r"(?:\s*T?\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")


def parse_date(value: Any) -> dt.date:
    """A date as rosters hold it: a date cell, an Excel serial (45415), 2024-05-03, 2024/5/3,
    2024.5.3, 2024年5月3日, 20240503. Raises ValueError with the reason."""
    kind = value.__class__
    if kind is dt.date:
        return value
    if kind is dt.datetime:
        return value.date()
    if kind is float or kind is int:
        return _date_from_number(value, _text(value))
    text = _text(value)
    match = _DATE.match(text)
    if match and _TIME_TAIL.fullmatch(text, match.end()):
        year, month, day = (int(g) for g in match.groups())
        return _checked_date(year, month, day, text)
    if text.replace(".", "", 1).isdigit():
        return _date_from_number(float(text) if "." in text else int(text), text)
    raise ValueError(
        _msg(
            _("“%(value)s” is not a date: write it like 2024-05-03 or 2024年5月3日."),
            value=text,
        )
    )


def _date_from_number(number: float, text: str) -> dt.date:
    whole = int(number)
    if 19000101 <= whole <= 21001231:  # 20240503 typed or stored as a number
        return _checked_date(whole // 10000, whole // 100 % 100, whole % 100, text)
    if 1 <= whole <= 73050:  # an Excel serial: 1900-01-01 to 2099-12-31
        return _EXCEL_EPOCH + dt.timedelta(days=whole)
    raise ValueError(
        _msg(
            _("“%(value)s” is not a date: write it like 2024-05-03 or 2024年5月3日."),
            value=text,
        )
    )


def _checked_date(year: int, month: int, day: int, text: str) -> dt.date:
    try:
        day_ = dt.date(year, month, day)
    except ValueError:
        raise ValueError(_msg(_("“%(value)s” is not a real date."), value=text)) from None
    if year < 1900:
        raise ValueError(_msg(_("“%(value)s” is before 1900."), value=text))
    return day_


def parse_worker_type(value: Any) -> str:
    """WorkerType of a label as offices write it ("合同制", "外卖骑手", "劳务派遣")."""
    text = "".join(_text(value).split())
    found = WORKER_TYPE_LABELS.get(text) or WORKER_TYPE_LABELS.get(text.lower())
    if found:
        return found
    for word, worker_type in _WORKER_TYPE_WORDS:
        if word in text:
            return worker_type
    raise ValueError(
        _msg(
            _(
                "Unknown worker type “%(value)s”: write one of 合同制, 正式工, 农民工, "
                "劳务派遣, 灵活就业, 外卖骑手, 网约车司机, 快递员."
            ),
            value=text,
        )
    )


# --------------------------------------------------------------------------------------------
# Reading a file
# --------------------------------------------------------------------------------------------


@dataclass
class Roster:
    """A file's rows with the header found: ``columns`` maps a field to its column index."""

    name: str
    header_row: int  # 1-based, as the spreadsheet shows it
    header: list[str]  # the header cells as written
    columns: dict[str, int]
    ignored: list[str]
    rows: list[tuple[int, list]]  # (row number, cells) of the non-empty rows under the header

    def label(self, key: str) -> str:
        """The column's header as the file writes it, for messages."""
        if key in self.columns:
            return self.header[self.columns[key]]
        return str(FIELD_LABELS[key])


def check_upload(name: str, head: bytes, size: int) -> str:
    """The extension of an uploaded roster after checking it against the content; raises
    RosterError. ``head`` is the first bytes of the file."""
    extension = os.path.splitext(name or "")[1].lower()
    if extension not in EXTENSIONS:
        raise RosterError(
            _("Upload an .xlsx, .xls, .ods or .csv file."),
            "extension",
        )
    if size > MAX_UPLOAD_BYTES:
        raise RosterError(
            _msg(
                _("The file has %(size)s MB; at most %(max)s MB can be imported at once."),
                size=f"{size / 1024 / 1024:.1f}",
                max=MAX_UPLOAD_BYTES // 1024 // 1024,
            ),
            "size",
        )
    expected = {".xlsx": _ZIP_MAGIC, ".ods": _ZIP_MAGIC, ".xls": _OLE_MAGIC}.get(extension)
    if expected is not None and not head.startswith(expected):
        raise RosterError(
            _msg(
                _(
                    "The file is named %(extension)s but its content is not an %(extension)s "
                    "spreadsheet: save it again from the spreadsheet program."
                ),
                extension=extension,
            ),
            "content",
        )
    if extension == ".csv" and (head.startswith(_ZIP_MAGIC) or head.startswith(_OLE_MAGIC)):
        raise RosterError(
            _(
                "The file is named .csv but holds an Excel workbook: rename it to .xlsx or "
                ".xls, or save it again as CSV."
            ),
            "content",
        )
    return extension


def read_roster(source: str | Path | bytes, name: str | None = None) -> Roster:
    """Read a roster from a path or the file's bytes; raises RosterError."""
    if isinstance(source, bytes):
        data: bytes | None = source
        path = None
        name = name or "roster"
        size = len(source)
    else:
        path = str(source)
        name = name or os.path.basename(path)
        try:
            size = os.path.getsize(path)
            with open(path, "rb") as handle:
                head = handle.read(8)
        except OSError as exc:
            raise RosterError(
                _msg(_("The file cannot be opened: %(error)s"), error=exc.strerror or exc),
                "missing",
            ) from None
        data = None
    head = data[:8] if data is not None else head
    # The size limit protects the web server; a file named on the command line may be larger.
    extension = check_upload(name, head, 0 if path else size)
    if extension == ".csv":
        raw = data if data is not None else Path(path).read_bytes()
        rows = _csv_rows(raw)
    else:
        rows = _sheet_rows(path, data)
    return _find_header(name, rows)


def _csv_rows(raw: bytes) -> Iterable[tuple[int, list]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise RosterError(
            _(
                "The file is in an unknown text encoding: save it as CSV UTF-8 (or GBK) from "
                "the spreadsheet program, or upload the .xlsx file itself."
            ),
            "encoding",
        )
    # The separator most used in the first lines (title lines may have none): comma, tab or the
    # semicolon of spreadsheets set up for European locales.
    sample = "\n".join(text[:20000].splitlines()[:HEADER_SEARCH_ROWS])
    delimiter = max(",\t;", key=sample.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return ((number, row) for number, row in enumerate(reader, start=1))


def _sheet_rows(path: str | None, data: bytes | None) -> Iterable[tuple[int, list]]:
    import python_calamine as calamine

    try:
        book = (
            calamine.CalamineWorkbook.from_path(path)
            if path is not None
            else calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        )
        sheets = [
            meta.name
            for meta in book.sheets_metadata
            if meta.visible == calamine.SheetVisibleEnum.Visible
            and meta.typ == calamine.SheetTypeEnum.WorkSheet
        ] or book.sheet_names
        for sheet_name in sheets:
            sheet = book.get_sheet_by_name(sheet_name)
            if sheet.height:
                # iter_rows starts at the sheet's first row whatever the used range, so the
                # index is the row number the user sees, less one.
                return [(number, row) for number, row in enumerate(sheet.iter_rows(), start=1)]
    except calamine.PasswordError:
        raise RosterError(
            _("The workbook is protected by a password: save a copy without it."), "format"
        ) from None
    except (calamine.CalamineError, OSError, ValueError) as exc:
        raise RosterError(
            _msg(
                _("The file cannot be read as a spreadsheet (%(error)s): save it again."),
                error=str(exc)[:200],
            ),
            "format",
        ) from None
    return []


def _is_blank(row: list) -> bool:
    for cell in row:
        if cell is not None and cell != "" and not (isinstance(cell, str) and not cell.strip()):
            return False
    return True


def _find_header(name: str, rows: Iterable[tuple[int, list]]) -> Roster:
    rows = iter(rows)
    seen = 0
    for number, cells in rows:
        if _is_blank(cells):
            continue
        seen += 1
        keys = [header_key(cell) for cell in cells]
        found = {_HEADER_LOOKUP[k] for k in keys if k in _HEADER_LOOKUP}
        if NAME in found and ID_NUMBER in found:
            header = [_text(cell) for cell in cells]
            columns: dict[str, int] = {}
            ignored: list[str] = []
            for index, key in enumerate(keys):
                field_key = _HEADER_LOOKUP.get(key)
                if field_key is not None and field_key not in columns:
                    columns[field_key] = index
                elif header[index] and header[index] not in _SILENT_HEADERS:
                    ignored.append(header[index])  # unknown, or a second column for one field
            width = len(header)
            data = []
            for row_number, row in rows:
                if _is_blank(row):
                    continue
                if len(row) < width:
                    row = list(row) + [""] * (width - len(row))
                data.append((row_number, row))
            if not data:
                raise RosterError(
                    _msg(
                        _("The file has a header (row %(row)d) but no rows of workers under it."),
                        row=number,
                    ),
                    "empty",
                )
            return Roster(name, number, header, columns, ignored, data)
        if seen >= HEADER_SEARCH_ROWS:
            break
    if seen == 0:
        raise RosterError(_("The file is empty."), "empty")
    raise RosterError(
        _(
            "No header row was found: none of the first 10 rows has both a 姓名 column and an "
            "ID number column (身份证号, 身份证号码, 公民身份号码 or 证件号码)."
        ),
        "header",
    )


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


@dataclass
class Problem:
    column: str  # the header as the file writes it
    reason: Any  # lazy text
    code: str  # stable key for programs and tests: "id_number.excel_number", "repeat", …


@dataclass
class RejectedRow:
    row: int
    cells: list
    problems: list[Problem]

    @property
    def column(self) -> str:
        return self.problems[0].column

    @property
    def reason(self) -> str:
        return "; ".join(f"{p.column}: {p.reason}" for p in self.problems)


@dataclass
class RowOutcome:
    """What happened (or, in a dry run or preview, would happen) to one row."""

    row: int
    outcome: str  # "created", "updated", "unchanged", "rejected"
    values: dict[str, Any]
    problems: list[Problem]
    flags: list[str] = field(default_factory=list)


@dataclass
class ImportResult:
    file_name: str
    dry_run: bool = False
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    memberships_created: int = 0
    error: str = ""  # the file could not be read (nothing was changed)
    error_code: str = ""
    header_row: int = 0
    header: list[str] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)  # header as written -> field
    ignored_columns: list[str] = field(default_factory=list)
    rejected_rows: list[RejectedRow] = field(default_factory=list)
    outcomes: list[RowOutcome] = field(default_factory=list)  # preview only

    def counts(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
        }


def write_report(path: str | Path, result: ImportResult) -> None:
    """The rejected rows as an xlsx to fix and import again: the input's columns (every cell as
    text, so Excel cannot turn an ID number into 3.60426E+17) plus 错误原因; and a second sheet
    with one line per problem (row, column, reason)."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    text = book.add_format({"num_format": "@"})
    bold = book.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1, "num_format": "@"})
    sheet = book.add_worksheet(str(_("Rejected rows"))[:31])
    header = [*result.header, ERROR_COLUMN]
    for col, title in enumerate(header):
        sheet.set_column(col, col, 22 if col == len(header) - 1 else 16, text)
        sheet.write_string(0, col, title, bold)
    for line, rejected in enumerate(result.rejected_rows, start=1):
        for col, cell in enumerate(rejected.cells[: len(result.header)]):
            sheet.write_string(line, col, _text(cell), text)
        reason = _msg(_("Row %(row)d: %(reason)s"), row=rejected.row, reason=rejected.reason)
        sheet.write_string(line, len(result.header), str(reason), text)
    sheet.freeze_panes(1, 0)
    details = book.add_worksheet(str(_("Problems"))[:31])
    for col, title in enumerate((_("Row"), _("Column"), _("Reason"))):
        details.set_column(col, col, (8, 18, 80)[col])
        details.write_string(0, col, str(title), bold)
    line = 1
    for rejected in result.rejected_rows:
        for problem in rejected.problems:
            details.write_number(line, 0, rejected.row)
            details.write_string(line, 1, problem.column)
            details.write_string(line, 2, str(problem.reason))
            line += 1
    book.close()


def read_report_problems(path_or_bytes, limit: int = 200) -> list[tuple[int, str, str]]:
    """(row, column, reason) from a report's second sheet, for the result page."""
    import python_calamine as calamine

    try:
        book = (
            calamine.CalamineWorkbook.from_filelike(io.BytesIO(path_or_bytes))
            if isinstance(path_or_bytes, bytes)
            else calamine.CalamineWorkbook.from_path(str(path_or_bytes))
        )
        rows = book.get_sheet_by_index(1).to_python()
    except (calamine.CalamineError, OSError, ValueError, IndexError):
        return []
    return [(int(r[0]), str(r[1]), str(r[2])) for r in rows[1 : limit + 1] if len(r) >= 3]


# --------------------------------------------------------------------------------------------
# Writing rows in bulk
# --------------------------------------------------------------------------------------------


class _BulkWriter:
    """Inserts plain tuples into a model's table: COPY on PostgreSQL, executemany elsewhere.

    The caller gives values for some fields; every other concrete field gets its default. Values
    are in database form: ciphertext, keyed hashes, JSON text (ids and dates as Python values).
    """

    def __init__(self, model, names: list[str]):
        self.model = model
        concrete = {f.name: f for f in model._meta.concrete_fields}
        unknown = set(names) - set(concrete)
        if unknown:
            raise ValueError(f"{model.__name__} has no fields {sorted(unknown)}")
        self.names = names
        self.defaults = []
        for f in model._meta.concrete_fields:
            if f.name in names or f.primary_key:
                continue
            value = f.get_default()  # "" for a text field without a default
            if value is None and not f.null:
                raise ValueError(f"{model.__name__}.{f.name} needs a value in the import")
            self.defaults.append((f.column, f.get_db_prep_save(value, connection)))
        self.columns = [concrete[n].column for n in names] + [c for c, _v in self.defaults]
        self.tail = tuple(v for _c, v in self.defaults)
        self.table = model._meta.db_table
        self.sequence: str | None = None  # PostgreSQL: the primary key's sequence
        # Made here, in the main thread: the database thread touches nothing of Django's.
        self.postgresql = connection.vendor == "postgresql"
        table = connection.ops.quote_name(self.table)
        quoted = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        marks = ", ".join(["%s"] * len(self.columns))
        self.copy_sql = f"COPY {table} ({quoted}) FROM STDIN"
        self.insert_sql = f"INSERT INTO {table} ({quoted}) VALUES ({marks})"  # noqa: S608

    def allocate_ids(self, count: int, cursor=None) -> list[int]:
        """Primary keys for ``count`` new rows, taken inside the caller's transaction (with
        ``cursor``, a psycopg cursor of the import's connection, or Django's)."""
        if not count:
            return []
        if cursor is None:
            with connection.cursor() as cursor:
                return self._allocate(count, cursor)
        return self._allocate(count, cursor)

    def _allocate(self, count: int, cursor) -> list[int]:
        if self.postgresql:
            if self.sequence is None:  # looked up once: per row it was 2% of an import's time
                cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [self.table])
                self.sequence = cursor.fetchone()[0]
            cursor.execute(
                "SELECT nextval(%s::regclass) FROM generate_series(1, %s)",
                [self.sequence, count],
            )
            return [row[0] for row in cursor.fetchall()]
        # SQLite: transactions are IMMEDIATE (settings), so the write lock is held from the
        # first statement and no one else can take these ids before the insert.
        cursor.execute(f'SELECT MAX(id) FROM "{self.table}"')  # noqa: S608 - table name
        top = cursor.fetchone()[0] or 0
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [self.table])
        row = cursor.fetchone()
        start = max(top, row[0] if row else 0) + 1
        return list(range(start, start + count))

    def write(self, cursor, rows: list[tuple]) -> None:
        """Insert ``rows`` (values for ``names``; the defaults are added here): COPY on
        PostgreSQL (``cursor`` a psycopg cursor), one ``executemany`` elsewhere."""
        if not rows:
            return
        tail = self.tail
        if self.postgresql:
            with cursor.copy(self.copy_sql) as copy:
                write = copy.write_row
                if tail:
                    for row in rows:
                        write(row + tail)
                else:
                    for row in rows:
                        write(row)
            return
        cursor.executemany(self.insert_sql, [row + tail for row in rows] if tail else rows)


class _Pipe:
    """The import's database work on a thread of its own (PostgreSQL), in the order given, on
    the import's connection and so in its transaction.

    Why: most of a PostgreSQL import's time is the server's (index insertions, foreign-key
    checks), and without this the application waited for it, and the server for the
    application. Here the thread waits for the server (psycopg releases the GIL meanwhile)
    while the main thread reads, checks and encrypts the next chunk. The thread uses the psycopg
    connection under Django's (psycopg serializes the two threads' statements); the main thread
    only ``wait``s for results and ``drain``s before every commit or rollback. A statement's
    error comes back, as Django's exception, from the next ``wait``, ``submit`` or ``drain``.
    """

    def __init__(self) -> None:
        connection.ensure_connection()
        self.raw = connection.connection
        self.jobs: queue.Queue = queue.Queue(maxsize=8)
        self.error: BaseException | None = None  # not yet raised in the main thread
        self.failed = False  # after an error every later job is skipped
        self.thread = threading.Thread(target=self._work, name="roster-import-db", daemon=True)
        self.thread.start()

    def _work(self) -> None:
        while True:
            job = self.jobs.get()
            try:
                if job is None:
                    return
                fn, future = job
                if self.failed:
                    future.cancel()
                    continue
                try:
                    with self.raw.cursor() as cursor:
                        future.set_result(fn(cursor))
                except BaseException as exc:  # noqa: BLE001 - handed to the main thread
                    self.failed = True
                    self.error = exc
                    future.set_exception(exc)
            finally:
                self.jobs.task_done()

    def _raise(self) -> None:
        if self.error is not None:
            error, self.error = self.error, None
            with connection.wrap_database_errors:
                raise error

    def submit(self, fn: Callable) -> concurrent.futures.Future:
        """Queue ``fn(cursor)``; its Future."""
        self._raise()
        future: concurrent.futures.Future = concurrent.futures.Future()
        self.jobs.put((fn, future))
        return future

    def wait(self, future: concurrent.futures.Future):
        """The result of a submitted job (raising its error, or an earlier job's)."""
        try:
            return future.result()
        except BaseException:
            self._raise()
            raise

    def drain(self) -> None:
        """Wait until every queued statement has run; raise the first error."""
        self.jobs.join()
        self._raise()

    def stop(self) -> None:
        self.jobs.put(None)
        self.thread.join()


_WORKER_FIELDS = [
    "id",
    "name",
    "name_initials",
    "name_pinyin",
    "id_number",
    "id_number_hash",
    "phone",
    "phone_hash",
    "sex",
    "birth_date",
    "worker_type",
    "employer",
    "dispatching_employer",
    "employer_name_given",
    "review_flags",
    "organization",
    "created_at",
    "updated_at",
]
_MEMBERSHIP_FIELDS = ["worker", "union", "status", "joined_on", "card_number", "created_at", "updated_at"]  # fmt: skip
_EVENT_FIELDS = ["worker", "organization", "kind", "at", "actor", "data"]


# Lookups in raw SQL: the ORM prepares each of 5,000 IN parameters one by one, which was a
# third of a re-import's time. Column names come from the models.
def _sql(model, columns: str, where: str) -> str:
    table = model._meta.db_table
    return f"SELECT {columns} FROM {table} WHERE {where}"  # noqa: S608 - names from the model


_EXISTING_SQL = _sql(
    Worker,
    # The date as text: SQLite's declared-type converter (Django's parse_date) would cost more
    # than the rest of the lookup.
    "id, id_number_hash, name, phone_hash, sex, CAST(birth_date AS VARCHAR(10)), worker_type, "
    "employer_id, "
    "dispatching_employer_id, employer_name_given, review_flags, organization_id",
    "id_number_hash IN ({})",
)
_ACTIVE_SQL = _sql(Membership, "worker_id, union_id", "status = 'active' AND worker_id IN ({})")
_CARDS_SQL = _sql(Membership, "card_number, worker_id", "card_number IN ({})")


def _rows_in(
    cursor, sql: str, values: list, array_type: str = "varchar[]", postgresql: bool = False
) -> list[tuple]:
    """``sql`` with its ``{}`` made "IN" the values. On PostgreSQL one array parameter, as a
    subquery: with ``= ANY(array)`` of 5,000 hashes the planner chose a parallel sequential scan
    of the whole table, whose cost grows with the registry; the subquery gets index lookups."""
    if not values:
        return []
    if postgresql:
        cursor.execute(sql.format(f"SELECT unnest(%s::{array_type})"), [values])
    else:
        cursor.execute(sql.format(", ".join(["%s"] * len(values))), values)
    return cursor.fetchall()


def _lookups(cursor, hashes: list[str], cards: list[str], new_ids: int, writer: _BulkWriter):
    """What the database knows of a chunk's rows: the workers with these ID numbers, their
    active memberships, the memberships holding these card numbers, and ``new_ids`` primary
    keys for the workers the chunk may create. One function, so that on PostgreSQL the import's
    database thread runs it as one job."""
    pg = writer.postgresql
    existing = _rows_in(cursor, _EXISTING_SQL, hashes, postgresql=pg)
    active = _rows_in(cursor, _ACTIVE_SQL, [row[0] for row in existing], "bigint[]", pg)
    used_cards = _rows_in(cursor, _CARDS_SQL, cards, postgresql=pg)
    ids_ = writer.allocate_ids(new_ids, cursor) if new_ids else []
    return existing, active, used_cards, ids_


# --------------------------------------------------------------------------------------------
# The import
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Candidate:
    """One row whose values are all valid, waiting for the lookups against the database."""

    row: int
    cells: list
    name: str
    id_number: str
    id_hash: str
    sex: str
    birth_date: dt.date
    phone: str | None  # None: not given (an existing record keeps its phone)
    worker_type: str | None
    joined_on: dt.date | None
    uscc: str
    employer_name: str
    dispatcher: str
    card_number: str
    flags: list[str]


@dataclass
class _UnionInfo:
    id: int
    name: str
    path: str
    usable: bool


class _Importer:
    """One import's state across its chunks: what the file has shown so far (ID numbers and
    card numbers by first row, for repeats), caches of cleaned values and employers, the
    counts, and the writers. ``track`` keeps every row's outcome (the preview)."""

    def __init__(self, *, by, roster: Roster, organization, dry_run: bool, track: bool, job_id):
        self.by = by
        self.roster = roster
        self.target = organization
        self.dry_run = dry_run
        self.track = track
        self.job_id = job_id
        self.result = ImportResult(file_name=roster.name, dry_run=dry_run)
        self.result.header_row = roster.header_row
        self.result.header = roster.header
        self.result.mapping = {roster.header[i]: k for k, i in roster.columns.items()}
        self.result.ignored_columns = list(roster.ignored)
        self.keyring = crypto.keyring()
        self.blind = self.keyring.blind_index
        self.today = timezone.localdate()
        self.seen_ids: dict[str, int] = {}  # id hash -> first row
        self.seen_cards: dict[str, int] = {}
        self.uscc_cache: dict[str, str | ids.IdentifierError] = {}
        self.names: dict[str, str] = {}
        self.dates: dict[str, dt.date] = {}
        self.employers_by_uscc: dict[str, tuple | None] = {}
        self.employers_by_name: dict[str, list[tuple]] = {}
        self.unions: dict[int, _UnionInfo] = {}
        self.judged_flags = {
            flag for flag, source in FLAG_SOURCES.items() if source in roster.columns
        }
        self.scope_prefix = "" if by is None or by.is_superuser else by.scope_prefix
        self.touched_paths: set[str] = set()
        self.worker_writer = self.membership_writer = self.event_writer = None
        self.pipe: _Pipe | None = None  # roster_import sets it on PostgreSQL
        self.foreign_keys: str | None = None
        self.event_data = {}
        cols = roster.columns
        self.labels = {key: roster.label(key) for key in FIELD_LABELS}
        self.col = {key: cols.get(key) for key in FIELD_LABELS}

    # --- one row, no database ---------------------------------------------------------------

    def _check(self, number: int, cells: list) -> _Candidate | list[Problem]:
        """Clean and validate one row without the database; the problems, or a candidate."""
        col, labels = self.col, self.labels
        problems: list[Problem] = []

        # Names and dates repeat across a roster: each distinct text is cleaned once.
        raw = cells[col[NAME]]
        name = self.names.get(raw) if raw.__class__ is str else None
        if name is None:
            try:
                name = clean_name(raw)
            except ValueError as exc:
                problems.append(Problem(labels[NAME], exc.args[0], "name"))
                name = ""
            else:
                if raw.__class__ is str:
                    self.names[raw] = name

        parsed = None
        id_hash = ""
        try:
            parsed = ids.parse_resident_id(cells[col[ID_NUMBER]])
        except ids.IdentifierError as exc:
            problems.append(Problem(labels[ID_NUMBER], exc.message, f"id_number.{exc.code}"))
        else:
            id_hash = self.blind(parsed.number, "id_number")
            first = self.seen_ids.setdefault(id_hash, number)
            if first != number:
                problems.append(
                    Problem(
                        labels[ID_NUMBER],
                        _msg(
                            _("The same ID number is already on row %(row)d of this file."),
                            row=first,
                        ),
                        "repeat",
                    )
                )

        phone = None
        index = col[PHONE]
        if index is not None and not _blank(cells[index]):
            try:
                phone = clean_mobile(cells[index])
            except ids.IdentifierError as exc:
                problems.append(Problem(labels[PHONE], exc.message, f"phone.{exc.code}"))

        worker_type = None
        index = col[WORKER_TYPE]
        if index is not None and not _blank(cells[index]):
            try:
                worker_type = parse_worker_type(cells[index])
            except ValueError as exc:
                problems.append(Problem(labels[WORKER_TYPE], exc.args[0], "worker_type"))

        joined_on = None
        index = col[JOINED_ON]
        if index is not None and not _blank(cells[index]):
            try:
                joined_on = self._date(cells[index])
            except ValueError as exc:
                problems.append(Problem(labels[JOINED_ON], exc.args[0], "joined_on"))
            else:
                if joined_on > self.today:
                    problems.append(
                        Problem(
                            labels[JOINED_ON],
                            _msg(_("The date %(date)s is in the future."), date=joined_on),
                            "joined_on.future",
                        )
                    )

        flags: list[str] = []
        if parsed is not None and parsed.warnings:
            flags.append("area_code_unknown")
        index = col[SEX]
        if index is not None and parsed is not None and not _blank(cells[index]):
            if _SEX_LABELS.get(_text(cells[index]).upper()) != parsed.sex:
                flags.append("sex_mismatch")
        index = col[BIRTH_DATE]
        if index is not None and not _blank(cells[index]):
            try:
                born = self._date(cells[index])
            except ValueError as exc:
                problems.append(Problem(labels[BIRTH_DATE], exc.args[0], "birth_date"))
            else:
                if parsed is not None and born != parsed.birth_date:
                    flags.append("birth_date_mismatch")

        uscc = ""
        index = col[EMPLOYER_USCC]
        if index is not None and not _blank(cells[index]):
            raw = _text(cells[index])
            # A roster names a few employers many times: check each code once.
            checked = self.uscc_cache.get(raw)
            if checked is None:
                try:
                    checked = ids.parse_uscc(raw)
                except ids.IdentifierError as exc:
                    checked = exc
                self.uscc_cache[raw] = checked
            if isinstance(checked, ids.IdentifierError):
                problems.append(
                    Problem(labels[EMPLOYER_USCC], checked.message, f"employer_uscc.{checked.code}")
                )
            else:
                uscc = checked
        index = col[EMPLOYER_NAME]
        employer_name = _one_line(cells[index]) if index is not None else ""
        index = col[DISPATCHER]
        dispatcher = _one_line(cells[index]) if index is not None else ""
        if dispatcher and worker_type is None:
            worker_type = WorkerType.DISPATCHED  # a dispatching agency says what the type is

        card = ""
        index = col[CARD_NUMBER]
        if index is not None and not _blank(cells[index]):
            card = "".join(_text(cells[index]).split())
            if len(card) > 32:
                problems.append(
                    Problem(
                        labels[CARD_NUMBER],
                        _("A membership card number has at most 32 characters."),
                        "card_number",
                    )
                )
            elif not problems:
                first = self.seen_cards.setdefault(card, number)
                if first != number:
                    problems.append(
                        Problem(
                            labels[CARD_NUMBER],
                            _msg(
                                _("The same card number is already on row %(row)d of this file."),
                                row=first,
                            ),
                            "card_number.repeat",
                        )
                    )

        if problems:
            return problems
        return _Candidate(
            number,
            cells,
            name,
            parsed.number,
            id_hash,
            parsed.sex,
            parsed.birth_date,
            phone,
            worker_type,
            joined_on,
            uscc,
            employer_name,
            dispatcher,
            card,
            flags,
        )

    def _date(self, value: Any) -> dt.date:
        if value.__class__ is not str:
            return parse_date(value)
        found = self.dates.get(value)
        if found is None:
            found = self.dates[value] = parse_date(value)
        return found

    # --- lookups ----------------------------------------------------------------------------

    def _employers(self):
        qs = Employer.objects.all()
        if self.by is not None:
            qs = Employer.objects.visible_to(self.by)
        return qs

    def _load_employers(self, candidates: list[_Candidate]) -> None:
        codes = {c.uscc for c in candidates if c.uscc and c.uscc not in self.employers_by_uscc}
        names = {
            n
            for c in candidates
            for n in (c.employer_name, c.dispatcher)
            if n and n not in self.employers_by_name
        }
        fields = ("id", "name", "uscc", "union_id")
        if codes:
            for code in codes:
                self.employers_by_uscc[code] = None
            for row in self._employers().filter(uscc__in=codes).values_list(*fields):
                self.employers_by_uscc[row[2]] = row
        if names:
            for name in names:
                self.employers_by_name[name] = []
            for row in self._employers().filter(name__in=names).values_list(*fields):
                self.employers_by_name[row[1]].append(row)
        union_ids = {
            row[3]
            for row in (
                *self.employers_by_uscc.values(),
                *(r for rows in self.employers_by_name.values() for r in rows),
            )
            if row is not None and row[3] is not None and row[3] not in self.unions
        }
        if union_ids:
            for pk, name, path, kind, status in Organization.objects.filter(
                pk__in=union_ids
            ).values_list("id", "name", "path", "kind", "status"):
                self.unions[pk] = _UnionInfo(
                    pk, name, path, kind in GRASSROOTS_KINDS and status == OrganizationStatus.ACTIVE
                )

    def _employer_of(self, c: _Candidate) -> tuple[tuple | None, Problem | None]:
        """The employer a row names (by credit code, else by exact name), or a problem saying
        why none is certain. (None, None) when the row names none."""
        if c.uscc:
            found = self.employers_by_uscc.get(c.uscc)
            if found is not None:
                return found, None
        if c.employer_name:
            matches = self.employers_by_name.get(c.employer_name) or []
            if len(matches) == 1:
                return matches[0], None
            if len(matches) > 1:
                return None, Problem(
                    self.labels[EMPLOYER_NAME],
                    _msg(
                        _(
                            "Several employers are named “%(name)s”: add the column "
                            "统一社会信用代码 to say which."
                        ),
                        name=c.employer_name,
                    ),
                    "employer.ambiguous",
                )
        if c.uscc or c.employer_name:
            label = self.labels[EMPLOYER_USCC if c.uscc and not c.employer_name else EMPLOYER_NAME]
            return None, Problem(
                label,
                _msg(
                    _("The employer “%(name)s” is not on record."),
                    name=c.employer_name or c.uscc,
                ),
                "employer.unknown",
            )
        return None, None

    # --- one chunk --------------------------------------------------------------------------

    def process(self, chunk: list[tuple[int, list]]) -> None:
        """Check, look up and write one chunk (the preview; ``roster_import`` overlaps the
        steps of consecutive chunks through ``stage`` and ``settle``)."""
        staged = self.stage(chunk)
        if staged is not None:
            self.settle(staged)

    def stage(self, chunk: list[tuple[int, list]]):
        """Check a chunk's rows and ask the database about the valid ones: on PostgreSQL the
        question is queued (``settle`` takes the answer), so the next chunk is checked while the
        database works."""
        candidates: list[_Candidate] = []
        for number, cells in chunk:
            checked = self._check(number, cells)
            if isinstance(checked, list):
                self._reject(number, cells, checked)
            else:
                candidates.append(checked)
        if not candidates:
            return None
        self._load_employers(candidates)
        hashes = [c.id_hash for c in candidates]
        cards = [c.card_number for c in candidates if c.card_number]
        # Keys for new workers are taken with the lookups where a database thread runs them;
        # a few stay unused (rows of workers on record), as after any rolled-back insert.
        new_ids = len(candidates) if self.pipe is not None and not self.dry_run else 0
        writer = self._writers()[0]
        if self.pipe is not None:
            return candidates, self.pipe.submit(
                lambda cursor: _lookups(cursor, hashes, cards, new_ids, writer)
            )
        with connection.cursor() as cursor:
            return candidates, _lookups(cursor, hashes, cards, new_ids, writer)

    def settle(self, staged) -> None:
        """Decide each valid row of a staged chunk (new, changed, unchanged, rejected) with the
        database's answers, and write (or queue) the changes."""
        if staged is None:  # no valid rows
            return
        result = self.result
        candidates, answers = staged
        if self.pipe is not None:
            answers = self.pipe.wait(answers)
        found, active_rows, card_rows, new_ids = answers

        existing = {}
        for row in found:
            flags, born = row[10], row[5]
            row = (
                *row[:5],
                dt.date.fromisoformat(born) if born else None,
                *row[6:10],
                [] if flags == "[]" else json.loads(flags) if isinstance(flags, str) else flags,
                row[11],
            )
            existing[row[1]] = row
        active = dict(active_rows)
        used_cards = dict(card_rows)

        now = timezone.now()
        # (candidate, union, employer, dispatching agency, employer as written, review flags)
        new_workers: list[tuple] = []
        changed: dict[tuple[str, ...], list[tuple[int, dict]]] = {}  # fields -> (pk, values)
        joins: list[tuple[int | None, _Candidate, int]] = []  # (worker id or None, c, union)
        target = self.target
        for c in candidates:
            employer, problem = self._employer_of(c)
            if target is not None:
                union_id = target.pk
                self.touched_paths.add(target.path)
                problem = None  # an unknown employer is kept as written for later matching
            else:
                union_id, problem = self._union_for(c, employer, problem)
            if problem is not None:
                self._reject(c.row, c.cells, [problem])
                continue
            dispatcher_id = None
            flags = list(c.flags)
            if c.dispatcher:
                matches = self.employers_by_name.get(c.dispatcher) or []
                if len(matches) == 1:
                    dispatcher_id = matches[0][0]
                else:
                    flags.append("dispatching_employer_unknown")
            employer_id = employer[0] if employer else None
            name_given = "" if employer else (c.employer_name or c.uscc)

            row = existing.get(c.id_hash)
            if row is None:
                if c.card_number and c.card_number in used_cards:
                    self._reject(c.row, c.cells, [self._card_taken(c)])
                    continue
                new_workers.append((c, union_id, employer_id, dispatcher_id, name_given, flags))
                joins.append((None, c, union_id))
                self._outcome(c, "created", flags)
                continue

            worker_id = row[0]
            current_union = active.get(worker_id)
            if current_union is not None and current_union != union_id:
                self._reject(
                    c.row,
                    c.cells,
                    [
                        Problem(
                            self.labels[ID_NUMBER],
                            _("Already a member of another union: use a transfer."),
                            "membership.other_union",
                        )
                    ],
                )
                continue
            joining = current_union is None
            if joining and c.card_number and c.card_number in used_cards:
                self._reject(c.row, c.cells, [self._card_taken(c)])
                continue
            changes = self._changes(
                row, c, union_id, employer, employer_id, dispatcher_id, name_given, flags
            )
            if changes:
                changed.setdefault(tuple(sorted(changes)), []).append((worker_id, changes))
            if joining:
                joins.append((worker_id, c, union_id))
            self._outcome(c, "updated" if changes or joining else "unchanged", flags)

        result.memberships_created += len(joins)
        if not self.dry_run:
            self._write(new_workers, changed, joins, now, new_ids)

    def _union_for(self, c, employer, problem) -> tuple[int | None, Problem | None]:
        if problem is not None:
            return None, problem
        if employer is None:
            return None, Problem(
                self.labels[EMPLOYER_NAME],
                _(
                    "No employer is given: fill in 工作单位 (or 统一社会信用代码), or choose the "
                    "union every row joins."
                ),
                "employer.missing",
            )
        union = self.unions.get(employer[3]) if employer[3] else None
        label = self.labels[EMPLOYER_NAME if c.employer_name else EMPLOYER_USCC]
        if union is None:
            return None, Problem(
                label,
                _msg(
                    _("The employer “%(name)s” has no grassroots union to join."),
                    name=employer[1],
                ),
                "employer.no_union",
            )
        if not union.usable:
            return None, Problem(
                label,
                _msg(_("The union of “%(name)s” is closed."), name=employer[1]),
                "employer.union_closed",
            )
        if self.scope_prefix and not union.path.startswith(self.scope_prefix):
            return None, Problem(
                label,
                _msg(_("The union of “%(name)s” is outside your scope."), name=employer[1]),
                "employer.out_of_scope",
            )
        self.touched_paths.add(union.path)
        return union.id, None

    def _card_taken(self, c: _Candidate) -> Problem:
        return Problem(
            self.labels[CARD_NUMBER],
            _msg(
                _("The card number %(number)s already belongs to another membership."),
                number=c.card_number,
            ),
            "card_number.taken",
        )

    def _changes(
        self, row, c, union_id, employer, employer_id, dispatcher_id, name_given, flags
    ) -> dict:
        (
            _pk,
            _hash,
            name,
            phone_hash,
            sex,
            birth_date,
            worker_type,
            current_employer,
            current_dispatcher,
            current_given,
            current_flags,
            organization_id,
        ) = row
        changes: dict[str, Any] = {}
        if c.name != name:
            changes["name"] = c.name
            changes["name_initials"], changes["name_pinyin"] = _name_keys(c.name)
        if c.phone is not None:
            new_hash = self.blind(c.phone, "phone")
            if new_hash != phone_hash:
                changes["phone"] = c.phone
                changes["phone_hash"] = new_hash
        if sex != c.sex:
            changes["sex"] = c.sex
        if birth_date != c.birth_date:
            changes["birth_date"] = c.birth_date
        if c.worker_type is not None and c.worker_type != worker_type:
            changes["worker_type"] = c.worker_type
        if employer is not None or name_given:
            if employer_id != current_employer:
                changes["employer_id"] = employer_id
            if name_given != current_given:
                changes["employer_name_given"] = name_given
        if dispatcher_id is not None and dispatcher_id != current_dispatcher:
            changes["dispatching_employer_id"] = dispatcher_id
        kept = [f for f in (current_flags or []) if f not in self.judged_flags]
        new_flags = kept + [f for f in flags if f not in kept]
        if sorted(new_flags) != sorted(current_flags or []):
            changes["review_flags"] = new_flags
        if organization_id != union_id:
            changes["organization_id"] = union_id
        return changes

    def _reject(self, number: int, cells: list, problems: list[Problem]) -> None:
        self.result.rejected += 1
        self.result.rejected_rows.append(RejectedRow(number, cells, problems))
        if self.track:
            self.result.outcomes.append(
                RowOutcome(number, "rejected", self._values(cells), problems)
            )

    def _outcome(self, c: _Candidate, outcome: str, flags: list[str]) -> None:
        setattr(self.result, outcome, getattr(self.result, outcome) + 1)
        if self.track:
            self.result.outcomes.append(
                RowOutcome(c.row, outcome, self._values(c.cells), [], flags)
            )

    def _values(self, cells: list) -> dict[str, str]:
        """The row's values as the preview shows them: dates read (an Excel serial is shown as
        the date it stands for), everything else as written."""
        values = {}
        for key, index in self.roster.columns.items():
            value = cells[index]
            if key in (JOINED_ON, BIRTH_DATE) and not _blank(value):
                try:
                    value = parse_date(value)
                except ValueError:
                    pass
            values[key] = _text(value)
        return values

    # --- writing ----------------------------------------------------------------------------

    def _writers(self) -> tuple[_BulkWriter, _BulkWriter, _BulkWriter]:
        if self.worker_writer is None:
            self.worker_writer = _BulkWriter(Worker, _WORKER_FIELDS)
            self.membership_writer = _BulkWriter(Membership, _MEMBERSHIP_FIELDS)
            self.event_writer = _BulkWriter(MembershipEvent, _EVENT_FIELDS)
        return self.worker_writer, self.membership_writer, self.event_writer

    def _run_sql(self, fn: Callable) -> None:
        """``fn(cursor)`` on the database thread (PostgreSQL), else at once."""
        if self.pipe is not None:
            self.pipe.submit(fn)
            return
        with connection.cursor() as cursor:
            fn(cursor)

    def _write(self, new_workers, changed, joins, now, new_ids) -> None:
        worker_writer, membership_writer, event_writer = self._writers()
        db = connection.ops
        stamp = db.adapt_datetimefield_value(now) if connection.vendor != "postgresql" else now
        encrypt = self.keyring.encrypt
        blind = self.blind
        date_value = db.adapt_datefield_value
        if not new_ids:  # SQLite: after the previous chunk's rows are in
            new_ids = worker_writer.allocate_ids(len(new_workers))
        id_of: dict[str, int] = {}
        rows = []
        put = rows.append
        for pk, (c, union_id, employer_id, dispatcher_id, name_given, flags) in zip(
            new_ids, new_workers, strict=False
        ):
            initials, pinyin = _name_keys(c.name)
            phone = c.phone
            put(
                (
                    pk,
                    c.name,
                    initials,
                    pinyin,
                    encrypt(c.id_number),
                    c.id_hash,
                    encrypt(phone) if phone else "",
                    blind(phone, "phone") if phone else "",
                    c.sex,
                    date_value(c.birth_date),
                    c.worker_type or WorkerType.REGULAR,
                    employer_id,
                    dispatcher_id,
                    name_given,
                    json.dumps(flags) if flags else "[]",
                    union_id,
                    stamp,
                    stamp,
                )
            )
            id_of[c.id_hash] = pk
        if len(rows) != len(new_workers):
            raise RuntimeError("fewer worker ids than new workers")  # pragma: no cover
        self._run_sql(functools.partial(worker_writer.write, rows=rows))
        for fields, updates in changed.items():
            self._update(fields, updates, stamp)

        actor_id = self.by.pk if self.by is not None and self.by.is_authenticated else None
        today = self.today
        active, joined = MembershipStatus.ACTIVE.value, MembershipEventKind.JOINED.value
        memberships = [
            (
                worker_id or id_of[c.id_hash],
                union_id,
                active,
                date_value(c.joined_on or today),
                c.card_number,
                stamp,
                stamp,
            )
            for worker_id, c, union_id in joins
        ]
        self._run_sql(functools.partial(membership_writer.write, rows=memberships))
        events = [
            (
                worker_id or id_of[c.id_hash],
                union_id,
                joined,
                stamp,
                actor_id,
                self._event_data(union_id, c.card_number),
            )
            for worker_id, c, union_id in joins
        ]
        self._run_sql(functools.partial(event_writer.write, rows=events))

    def _update(self, fields: tuple[str, ...], updates: list[tuple[int, dict]], stamp) -> None:
        """Changed workers, one statement for all rows that change the same columns. Not
        ``bulk_update``: its CASE expressions cost about a millisecond a row on 4,000 rows, more
        than inserting them."""
        encrypt = self.keyring.encrypt
        date_value = connection.ops.adapt_datefield_value
        convert = {
            "phone": lambda v: encrypt(v) if v else "",
            "birth_date": date_value,
            "review_flags": json.dumps,
        }
        columns = [Worker._meta.get_field(f).column for f in fields]
        sql = "UPDATE {} SET {}, updated_at = %s WHERE id = %s".format(  # noqa: S608 - names
            connection.ops.quote_name(Worker._meta.db_table),
            ", ".join(f"{connection.ops.quote_name(c)} = %s" for c in columns),
        )
        rows = [
            (
                *(convert[f](values[f]) if f in convert else values[f] for f in fields),
                stamp,
                pk,
            )
            for pk, values in updates
        ]
        self._run_sql(lambda cursor: cursor.executemany(sql, rows))

    def _event_data(self, union_id: int, card_number: str) -> str:
        if card_number:
            return json.dumps(
                {"import_job": self.job_id, "card_number": card_number}, ensure_ascii=False
            )
        data = self.event_data.get(union_id)
        if data is None:
            data = self.event_data[union_id] = json.dumps({"import_job": self.job_id})
        return data

    def audit_path(self) -> str:
        """The organization the audit entry is filed under: the target union, else the
        deepest organization holding every union the file touched."""
        if self.target is not None:
            return self.target.path
        if not self.touched_paths:
            return self.scope_prefix
        common = os.path.commonprefix(sorted(self.touched_paths))
        return common[: common.rfind("/") + 1]


# --------------------------------------------------------------------------------------------
# Services
# --------------------------------------------------------------------------------------------


def require_import_right(by, organization: Organization | None) -> None:
    """PermissionDenied unless ``by`` may change records (and the target union, when given,
    lies in their scope). ``by=None`` is the command line."""
    if by is None:
        return  # the command line: an administrator's shell
    if not by.can(CHANGE):
        raise PermissionDenied(_("Your role may not import rosters."))
    if by.is_superuser:
        return
    if organization is not None and not organization.path.startswith(by.scope_prefix):
        raise PermissionDenied(_("This union is outside your scope."))


def check_target_union(organization: Organization) -> None:
    if organization.kind not in GRASSROOTS_KINDS:
        raise ValidationError({"organization": [_("Members join a grassroots union: choose one.")]})
    if not organization.is_active:
        raise ValidationError({"organization": [_("This union is closed.")]})


def _source_of(job: ImportJob) -> str | bytes:
    try:
        return job.file.path
    except NotImplementedError:  # a storage without local paths
        with job.file.open("rb") as handle:
            return handle.read()


def roster_import(
    *,
    by,
    job_or_path: ImportJob | str | Path,
    organization: Organization | None = None,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Import a roster file: valid rows are stored, rejected rows are listed with their reasons.

    ``job_or_path`` is an ImportJob (the web and the API; its target union and dry-run flag
    apply, and its counts, progress, status and rejected-rows report are kept on it) or a path
    (the command line). With ``organization`` every row joins that grassroots union; without,
    each row joins the union of the employer it names. ``dry_run`` checks everything and
    counts what would happen, and changes nothing. A file that cannot be read changes nothing
    and comes back with ``error`` set. One audit entry per import, with the counts.
    """
    job = job_or_path if isinstance(job_or_path, ImportJob) else None
    if job is not None:
        organization = organization or job.target_union
        dry_run = dry_run or job.dry_run
        name = job.original_name
    else:
        name = os.path.basename(str(job_or_path))
    require_import_right(by, organization)
    if organization is not None:
        check_target_union(organization)
    with _no_cyclic_gc():
        return _run(
            by=by,
            job=job,
            source=_source_of(job) if job else job_or_path,
            name=name,
            organization=organization,
            dry_run=dry_run,
            progress=progress,
        )


def _run(*, by, job, source, name, organization, dry_run, progress) -> ImportResult:
    try:
        roster = read_roster(source, name)
    except RosterError as exc:
        result = ImportResult(file_name=name, dry_run=dry_run, error=str(exc), error_code=exc.code)
        if job is not None:
            _job_finish(job, result, status=ImportStatus.FAILED)
        return result

    importer = _Importer(
        by=by,
        roster=roster,
        organization=organization,
        dry_run=dry_run,
        track=False,
        job_id=job.pk if job else None,
    )
    result = importer.result
    total = len(roster.rows)
    if job is not None:
        ImportJob.objects.filter(pk=job.pk).update(
            rows_total=total, rows_done=0, status=ImportStatus.RUNNING
        )
    done = 0
    try:
        with _bigger_sqlite_cache(), _database_thread(importer):
            staged = _NOT_STAGED
            for start in range(0, total, TRANSACTION_ROWS):
                batch = roster.rows[start : start + TRANSACTION_ROWS]
                following = roster.rows[start + TRANSACTION_ROWS : start + TRANSACTION_ROWS + CHUNK]
                with transaction.atomic(), _checks_as_rows_go_in(importer):
                    staged = _process_batch(importer, batch, staged, following)
                    done += len(batch)
                    if job is not None:
                        ImportJob.objects.filter(pk=job.pk).update(rows_done=done)
                if progress is not None:
                    progress(done, total)
    except IntegrityError:
        # Another import or a person registered some of the same workers at the same moment.
        result.rows = done
        result.error = str(
            _msg(
                _(
                    "The import stopped at row %(row)d because the same records were changed at "
                    "the same moment: import the file again (imported rows are recognized)."
                ),
                row=roster.rows[min(done, total - 1)][0],
            )
        )
        result.error_code = "conflict"
        result.rejected_rows.sort(key=lambda r: r.row)
        _finish(by, job, importer, result, status=ImportStatus.FAILED)
        return result
    result.rows = total
    result.rejected_rows.sort(key=lambda r: r.row)
    _finish(by, job, importer, result, status=ImportStatus.DONE)
    return result


_NOT_STAGED = object()


def _process_batch(importer: _Importer, batch: list, staged, following: list):
    """One transaction's rows, chunk by chunk. With a database thread (PostgreSQL), each chunk
    is staged (checked, its lookups queued) before the previous one is settled, so that the
    database works while the main thread checks; ``staged`` is this batch's first chunk when
    the previous batch staged it, and the next batch's first chunk (``following``) is staged
    here and returned (lookups only read, and a row repeated from an earlier chunk is told by
    the file, not by the database). Every queued statement has run when this returns, also
    when it raises."""
    chunks = [batch[offset : offset + CHUNK] for offset in range(0, len(batch), CHUNK)]
    pipe = importer.pipe
    if pipe is None:
        for chunk in chunks:
            importer.process(chunk)
        return _NOT_STAGED
    try:
        if staged is _NOT_STAGED:
            staged = importer.stage(chunks[0])
        for chunk in chunks[1:]:
            next_staged = importer.stage(chunk)
            importer.settle(staged)
            staged = next_staged
        importer.settle(staged)
        staged = importer.stage(following) if following else _NOT_STAGED
    finally:
        pipe.drain()
    return staged


@contextlib.contextmanager
def _database_thread(importer: _Importer):
    """The import's database thread (PostgreSQL, when rows are written), for its duration."""
    if connection.vendor != "postgresql" or importer.dry_run:
        yield
        return
    importer.pipe = _Pipe()
    try:
        yield
    finally:
        importer.pipe.stop()
        importer.pipe = None


# Foreign keys of the tables an import writes (all DEFERRABLE INITIALLY DEFERRED, as Django
# makes them). Deferred, PostgreSQL checks them at COMMIT, while the import waits; set
# IMMEDIATE for the import's transactions, it checks them at the end of each COPY, on the
# database thread, while the next chunk is prepared. The same checks, earlier.
_FOREIGN_KEYS_SQL = """
    SELECT quote_ident(conname) FROM pg_constraint
    WHERE contype = 'f' AND condeferrable AND conrelid = ANY(%s::regclass[])
    ORDER BY conname
"""


@contextlib.contextmanager
def _checks_as_rows_go_in(importer: _Importer):
    if importer.pipe is None:
        yield
        return
    if importer.foreign_keys is None:
        tables = [m._meta.db_table for m in (Worker, Membership, MembershipEvent)]
        with connection.cursor() as cursor:
            cursor.execute(_FOREIGN_KEYS_SQL, [tables])
            importer.foreign_keys = ", ".join(row[0] for row in cursor.fetchall())
    if not importer.foreign_keys:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(f"SET CONSTRAINTS {importer.foreign_keys} IMMEDIATE")
    yield
    # Back to deferred for whatever else the surrounding transaction (a test's) does. After an
    # error the transaction is rolled back, which undoes the SET as well.
    with connection.cursor() as cursor:
        cursor.execute(f"SET CONSTRAINTS {importer.foreign_keys} DEFERRED")


@contextlib.contextmanager
def _no_cyclic_gc():
    """A big roster is a million live objects (its rows and cells), which every full run of the
    cyclic garbage collector walks again; nothing here builds reference cycles, so the collector
    waits until the import is done (7% less CPU on 20,000 rows)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextlib.contextmanager
def _bigger_sqlite_cache(kib: int = 131072):
    """SQLite's page cache (2 MB by default) while rows go into a dozen indexes at random
    places (keyed hashes): with 128 MB the inserts take a third less time. Put back after."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = -{int(kib)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


def _finish(by, job, importer: _Importer, result: ImportResult, status: str) -> None:
    with transaction.atomic():
        if not result.dry_run and (result.rows or result.error):
            counts = result.counts() | {"memberships_created": result.memberships_created}
            audit_record(
                by=by,
                action=AuditAction.CREATE
                if result.created or result.memberships_created
                else AuditAction.UPDATE,
                obj=job,
                object_type="" if job else "members.importjob",
                object_repr=result.file_name,
                # Filed with the job (its union or the importing user's organization), so
                # whoever sees the job sees the entry; without a job, where the rows went.
                organization_path=job.organization.path if job else importer.audit_path(),
                changes={
                    **counts,
                    "target_union": importer.target.code if importer.target else None,
                    "ignored_columns": result.ignored_columns,
                    **({"error": result.error} if result.error else {}),
                },
                detail=f"roster import: {result.rows} rows",
            )
        if job is not None:
            _job_finish(job, result, status=status)


def _job_finish(job: ImportJob, result: ImportResult, status: str) -> None:
    job.status = status
    job.rows_total = max(job.rows_total, result.rows)
    job.rows_done = result.rows
    job.created, job.updated = result.created, result.updated
    job.unchanged, job.rejected = result.unchanged, result.rejected
    job.message = result.error
    job.ignored_columns = result.ignored_columns
    job.finished_at = timezone.now()
    if result.rejected_rows:
        from django.core.files import File

        stem = os.path.splitext(os.path.basename(job.original_name))[0][:80] or "roster"
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "report.xlsx")
            write_report(path, result)
            with open(path, "rb") as handle:
                job.report.save(f"{stem}-rejected.xlsx", File(handle), save=False)
    job.save()


def roster_preview(
    *, by, source: str | Path | bytes, name: str, organization: Organization | None = None
) -> ImportResult:
    """What importing the first rows would do, without changing anything: the header mapping,
    the ignored columns, and the first PREVIEW_ROWS rows with their values and problems."""
    require_import_right(by, organization)
    try:
        roster = read_roster(source, name)
    except RosterError as exc:
        return ImportResult(file_name=name, dry_run=True, error=str(exc), error_code=exc.code)
    total = len(roster.rows)
    roster.rows = roster.rows[:PREVIEW_ROWS]
    importer = _Importer(
        by=by, roster=roster, organization=organization, dry_run=True, track=True, job_id=None
    )
    importer.process(roster.rows)
    importer.result.rows = total
    importer.result.outcomes.sort(key=lambda o: o.row)
    importer.result.rejected_rows.sort(key=lambda r: r.row)
    return importer.result


def store_upload(upload) -> str:
    """Save an uploaded roster under MEDIA_ROOT with a random name; returns the storage name."""
    extension = os.path.splitext(upload.name)[1].lower()
    stamp = timezone.localdate()
    name = f"imports/{stamp:%Y/%m}/{uuid.uuid4().hex}{extension}"
    return default_storage.save(name, upload)


def check_uploaded_file(upload) -> None:
    """Extension, size and content of an uploaded file; raises RosterError."""
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    head = upload.read(8)
    upload.seek(position)
    check_upload(upload.name, head, upload.size)


@transaction.atomic
def import_job_create(
    *,
    by,
    file_name: str,
    original_name: str,
    target_union: Organization | None = None,
    dry_run: bool = False,
) -> ImportJob:
    """Queue the import of a stored roster file; the task runs it after the commit."""
    require_import_right(by, target_union)
    if target_union is not None:
        check_target_union(target_union)
    organization = target_union or (by.organization if by is not None else None)
    if organization is None:
        raise ValidationError(
            {"organization": [_("Choose the union the rows join: your account has none.")]}
        )
    job = ImportJob(
        organization=organization,
        target_union=target_union,
        # Only printable characters: a file name is shown on pages and PostgreSQL refuses NUL.
        original_name="".join(c for c in os.path.basename(original_name) if c.isprintable())[:255]
        or "roster",
        dry_run=dry_run,
        created_by=by if by is not None and by.is_authenticated else None,
    )
    job.file.name = file_name
    job.save()

    def enqueue():
        from .tasks import run_import

        run_import.enqueue(job.pk)

    transaction.on_commit(enqueue)
    return job


def import_job_run(*, job_id: int) -> ImportJob:
    """Run a queued import once: a job already started or finished is left alone, so a task
    delivered twice imports once."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        if job.status != ImportStatus.QUEUED:
            return job
        job.status = ImportStatus.RUNNING
        job.save(update_fields=["status"])
    try:
        roster_import(by=job.created_by, job_or_path=job)
    except (PermissionDenied, ValidationError) as exc:
        message = (
            "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        ) or str(_("You may not import into this union."))
        _job_failed(job, message)
    except Exception as exc:
        # Whatever broke, the page must stop showing a progress bar; the task records the rest.
        _job_failed(job, str(_msg(_("The import failed: %(error)s"), error=exc))[:2000])
        raise
    job.refresh_from_db()
    return job


def _job_failed(job: ImportJob, message: str) -> None:
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.FAILED, message=message, finished_at=timezone.now()
    )
