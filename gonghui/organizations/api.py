from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy
from ninja import Query, Router, Schema

from gonghui.api.api import ErrorOut
from gonghui.api.pagination import cursor_page
from gonghui.api.scope import scope_model
from gonghui.core.listing import Sort
from gonghui.core.scope import get_for_user

from . import services
from .models import (
    Employer,
    EmployerSize,
    FederationLevel,
    Industry,
    Organization,
    OrganizationKind,
    OrganizationStatus,
    Ownership,
)

router = Router(tags=["organizations"])
employer_router = Router(tags=["employers"])

SORTS = [
    Sort("path", "path", gettext_lazy("Tree order")),
    Sort("name", "name", gettext_lazy("Name")),
    Sort("code", "code", gettext_lazy("Code")),
]


class OrganizationOut(Schema):
    id: int
    code: str
    name: str
    short_name: str
    kind: OrganizationKind
    level: FederationLevel | None
    parent_id: int | None
    depth: int
    region_code: str
    uscc: str
    founded_on: dt.date | None
    status: OrganizationStatus
    closed_on: dt.date | None
    closed_reason: str

    @staticmethod
    def resolve_level(obj):
        return obj.level or None


class OrganizationPage(Schema):
    items: list[OrganizationOut]
    next_cursor: str | None
    prev_cursor: str | None


class OrganizationFilters(Schema):
    q: str | None = None
    kind: OrganizationKind | None = None
    status: OrganizationStatus | None = None
    parent_id: int | None = None
    cursor: str | None = None
    limit: int = 50
    sort: str | None = None


class OrganizationIn(Schema):
    parent_id: int
    code: str
    name: str
    kind: OrganizationKind
    region_code: str
    level: FederationLevel | None = None
    short_name: str = ""
    uscc: str = ""
    founded_on: dt.date | None = None
    address: str = ""
    phone: str = ""


@router.get("", response=OrganizationPage)
def organization_list(request, filters: Query[OrganizationFilters]):
    """Organizations in the caller's subtree, in tree order by default."""
    qs = Organization.objects.visible_to(request.user)
    if filters.q:
        qs = qs.filter(name__contains=filters.q) | qs.filter(code__iexact=filters.q)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.parent_id is not None:
        qs = qs.filter(parent_id=filters.parent_id)
    return cursor_page(
        qs,
        cursor=filters.cursor,
        limit=max(1, min(filters.limit, 500)),
        sorts=SORTS,
        sort=filters.sort,
    )


@router.get("/{int:organization_id}", response={200: OrganizationOut, 404: ErrorOut})
@scope_model(Organization)
def organization_detail(request, organization_id: int):
    return get_for_user(Organization, request.user, pk=organization_id)


@router.post("", response={201: OrganizationOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut})
def organization_create(request, payload: OrganizationIn):
    """Create an organization under a parent in the caller's subtree."""
    parent = get_for_user(Organization, request.user, pk=payload.parent_id)
    data = payload.dict(exclude={"parent_id"})
    data["level"] = data["level"] or ""
    org = services.organization_create(by=request.user, parent=parent, **data)
    return 201, org


class EmployerOut(Schema):
    id: int
    uscc: str
    name: str
    former_names: list[str]
    ownership: Ownership
    industry: Industry
    size: EmployerSize | None
    above_designated_size: bool
    region_code: str
    address: str
    headcount: int
    organization_id: int
    union_id: int | None

    @staticmethod
    def resolve_size(obj):
        return obj.size or None


class EmployerPage(Schema):
    items: list[EmployerOut]
    next_cursor: str | None
    prev_cursor: str | None


class EmployerFilters(Schema):
    q: str | None = None
    ownership: Ownership | None = None
    industry: Industry | None = None
    has_union: bool | None = None
    cursor: str | None = None
    limit: int = 50


EMPLOYER_SORTS = [Sort("name", "name", gettext_lazy("Name"))]


@employer_router.get("", response=EmployerPage)
def employer_list(request, filters: Query[EmployerFilters]):
    qs = Employer.objects.visible_to(request.user)
    if filters.q:
        qs = (
            qs.filter(uscc=filters.q.upper())
            if len(filters.q) == 18
            else qs.filter(name__contains=filters.q)
        )
    if filters.ownership:
        qs = qs.filter(ownership=filters.ownership)
    if filters.industry:
        qs = qs.filter(industry=filters.industry)
    if filters.has_union is not None:
        qs = qs.filter(union__isnull=not filters.has_union)
    return cursor_page(
        qs, cursor=filters.cursor, limit=max(1, min(filters.limit, 500)), sorts=EMPLOYER_SORTS
    )


@employer_router.get("/{int:employer_id}", response={200: EmployerOut, 404: ErrorOut})
@scope_model(Employer)
def employer_detail(request, employer_id: int):
    return get_for_user(Employer, request.user, pk=employer_id)
