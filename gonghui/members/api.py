from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy
from ninja import Query, Router, Schema

from gonghui.api.api import ErrorOut
from gonghui.api.pagination import cursor_page
from gonghui.api.scope import scope_model
from gonghui.core.fields import mask
from gonghui.core.listing import Sort
from gonghui.core.scope import get_for_user

from .models import Sex, Worker, WorkerType
from .search import latin_query_filter

router = Router(tags=["workers"])
SORTS = [Sort("name", "name", gettext_lazy("Full name"))]


class WorkerOut(Schema):
    """Personal data is masked here; revealing it is a separate, audited act on the pages."""

    id: int
    name: str
    id_number_masked: str
    phone_masked: str
    sex: Sex | None
    birth_date: dt.date | None
    worker_type: WorkerType
    employer_id: int | None
    organization_id: int

    @staticmethod
    def resolve_id_number_masked(obj):
        return mask("id_number", obj.id_number)

    @staticmethod
    def resolve_phone_masked(obj):
        return mask("phone", obj.phone)

    @staticmethod
    def resolve_sex(obj):
        return obj.sex or None


class WorkerPage(Schema):
    items: list[WorkerOut]
    next_cursor: str | None
    prev_cursor: str | None


class WorkerFilters(Schema):
    q: str | None = None
    worker_type: WorkerType | None = None
    employer_id: int | None = None
    cursor: str | None = None
    limit: int = 50


@router.get("", response=WorkerPage)
def worker_list(request, filters: Query[WorkerFilters]):
    qs = Worker.objects.visible_to(request.user)
    if filters.q:
        q = filters.q.strip()
        if q.isascii() and q.isalpha():
            qs = qs.filter(**latin_query_filter(q))
        else:
            qs = qs.filter(name__prefix=q)
    if filters.worker_type:
        qs = qs.filter(worker_type=filters.worker_type)
    if filters.employer_id is not None:
        qs = qs.filter(employer_id=filters.employer_id)
    return cursor_page(
        qs, cursor=filters.cursor, limit=max(1, min(filters.limit, 500)), sorts=SORTS
    )


@router.get("/{int:worker_id}", response={200: WorkerOut, 404: ErrorOut})
@scope_model(Worker)
def worker_detail(request, worker_id: int):
    return get_for_user(Worker, request.user, pk=worker_id)
