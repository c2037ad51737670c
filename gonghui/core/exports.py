"""Export of the current filtered list to xlsx, personal data masked unless the user may
reveal it, and every export written to the audit log (what, how many rows, which filter)."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import xlsxwriter
from django.conf import settings
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.accounts.roles import EXPORT, REVEAL
from gonghui.audit.models import AuditAction
from gonghui.audit.services import audit_record
from gonghui.core.fields import mask


@dataclass(frozen=True)
class Column:
    header: Any
    value: Callable[[Any], Any]
    personal_kind: str | None = None  # masked unless the user may reveal
    width: int = 16


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, int | float | str):
        return value
    return str(value)


def write_xlsx(
    path: str,
    sheet_name: str,
    columns: list[Column],
    rows: Iterable[Any],
    reveal: bool,
    limit: int | None = None,
) -> tuple[int, bool]:
    """Stream rows into an xlsx file (constant memory); returns (rows written, truncated)."""
    workbook = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_numbers": False})
    sheet = workbook.add_worksheet(sheet_name[:31])
    header = workbook.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1})
    text = workbook.add_format(
        {"num_format": "@"}
    )  # ids stay text: Excel must not make 3.6E+17 of them
    for col, column in enumerate(columns):
        sheet.set_column(col, col, column.width, text if column.personal_kind else None)
        sheet.write_string(0, col, str(column.header), header)
    count = 0
    truncated = False
    for count, row in enumerate(rows, start=1):
        if limit is not None and count > limit:
            count = limit
            truncated = True
            note = _(
                "Only the first %(n)s rows were exported; narrow the filter to export the rest."
            ) % {"n": limit}
            sheet.write_string(limit + 2, 0, note)
            break
        for col, column in enumerate(columns):
            value = column.value(row)
            if column.personal_kind:
                value = value if reveal else mask(column.personal_kind, value)
                sheet.write_string(count, col, value or "")
            else:
                cell = _cell(value)
                if isinstance(cell, str):
                    sheet.write_string(count, col, cell)
                else:
                    sheet.write_number(count, col, cell)
    sheet.freeze_panes(1, 0)
    workbook.close()
    return count, truncated


def xlsx_response(
    *,
    request,
    name: str,
    columns: list[Column],
    rows: Iterable[Any],
    filters: dict | None = None,
    object_type: str = "",
):
    """The download of a list, audited; raises PermissionDenied without the export right."""
    from django.core.exceptions import PermissionDenied

    user = request.user
    if not user.can(EXPORT):
        raise PermissionDenied(_("Your role may not export lists."))
    reveal = user.can(REVEAL) and request.GET.get("reveal") == "1"
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False)  # noqa: SIM115 - FileResponse closes it
    handle.close()
    count, truncated = write_xlsx(
        handle.name, str(name), columns, rows, reveal, limit=settings.EXPORT_MAX_ROWS
    )
    audit_record(
        by=user,
        action=AuditAction.EXPORT,
        object_type=object_type,
        object_repr=str(name),
        organization_path=user.scope_prefix,
        changes={
            "filters": filters or {},
            "rows": count,
            "personal_data": "full" if reveal else "masked",
        },
        detail=f"{count} rows",
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = FileResponse(
        open(handle.name, "rb"),  # noqa: SIM115
        as_attachment=True,
        filename=f"{name}-{stamp}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    import os

    os.unlink(handle.name)  # the open handle keeps the data readable until the response ends
    return response
