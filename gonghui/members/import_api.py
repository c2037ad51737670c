"""/api/v1/imports: roster imports through the API (the same services as the pages).

POST uploads a file and queues its import at once (no preview: a client that wants one sends
``dry_run=true`` first); the answer is 202 with the job, whose status and counts are read back
with GET until it is ``done`` or ``failed``.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy
from ninja import File, Form, Query, Router, Schema, Status, UploadedFile

from gonghui.api.api import ErrorOut
from gonghui.api.pagination import cursor_page
from gonghui.api.scope import scope_model
from gonghui.core.listing import Sort
from gonghui.core.scope import get_for_user
from gonghui.organizations.models import Organization

from . import importing
from .models import ImportJob, ImportStatus

router = Router(tags=["imports"])
SORTS = [Sort("created", "created_at", gettext_lazy("Uploaded"), descending=True)]


class ImportJobOut(Schema):
    id: int
    original_name: str
    organization_id: int
    target_union_id: int | None
    dry_run: bool
    status: ImportStatus
    rows_total: int
    rows_done: int
    created: int
    updated: int
    unchanged: int
    rejected: int
    message: str
    ignored_columns: list[str]
    has_rejected_rows_file: bool
    created_at: dt.datetime
    finished_at: dt.datetime | None

    @staticmethod
    def resolve_has_rejected_rows_file(obj):
        return bool(obj.report)


class ImportJobPage(Schema):
    items: list[ImportJobOut]
    next_cursor: str | None
    prev_cursor: str | None


class ImportJobFilters(Schema):
    status: ImportStatus | None = None
    cursor: str | None = None
    limit: int = 50


@router.post("", response={202: ImportJobOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut})
def import_create(
    request,
    file: File[UploadedFile],
    organization: Form[str | None] = None,
    dry_run: Form[bool] = False,
):
    """Upload a roster (.xlsx, .xls, .ods, .csv; at most 20 MB) and queue its import.

    ``organization`` is the code of the grassroots union every row joins; without it each row
    joins the union of the employer it names.
    """
    target = get_for_user(Organization, request.user, code=organization) if organization else None
    importing.require_import_right(request.user, target)
    if target is not None:
        importing.check_target_union(target)
    try:
        importing.check_uploaded_file(file)
    except importing.RosterError as exc:
        raise ValidationError({"file": [str(exc)]}) from None
    stored = importing.store_upload(file)
    job = importing.import_job_create(
        by=request.user,
        file_name=stored,
        original_name=file.name,
        target_union=target,
        dry_run=dry_run,
    )
    return Status(202, job)


@router.get("", response=ImportJobPage)
def import_list(request, filters: Query[ImportJobFilters]):
    """Roster imports of the caller's subtree, newest first."""
    qs = ImportJob.objects.visible_to(request.user)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return cursor_page(
        qs, cursor=filters.cursor, limit=max(1, min(filters.limit, 500)), sorts=SORTS
    )


@router.get("/{int:job_id}", response={200: ImportJobOut, 404: ErrorOut})
@scope_model(ImportJob)
def import_detail(request, job_id: int):
    """One import: its status, progress and counts."""
    return get_for_user(ImportJob, request.user, pk=job_id)
