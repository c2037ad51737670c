from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, Query, Router, Schema

from gonghui.api.api import ErrorOut
from gonghui.api.pagination import cursor_page
from gonghui.api.schemas import ObjectIn
from gonghui.api.scope import scope_model
from gonghui.core.listing import Sort
from gonghui.core.scope import get_for_user
from gonghui.members.models import WorkerType

from . import coverage, services
from .models import (
    Cadre,
    CadrePosition,
    Election,
    ElectionKind,
    Employer,
    EmployerSize,
    FederationLevel,
    Industry,
    Organization,
    OrganizationKind,
    OrganizationStatus,
    Ownership,
)
from .selectors import TermStatus, has_union_q, term_status, terms_due

# Ids and counts within what the database's integer columns hold.
MAX_ID = 2**63 - 1
MAX_COUNT = 10_000_000

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
    headcount_by_type: dict[str, int]
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
    min_headcount: int | None = Field(None, ge=0, le=MAX_COUNT)
    organization_id: int | None = Field(None, ge=1, le=MAX_ID)
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
        qs = qs.filter(has_union_q()) if filters.has_union else qs.exclude(has_union_q())
    if filters.min_headcount is not None:
        qs = qs.filter(headcount__gte=filters.min_headcount)
    if filters.organization_id is not None:
        org = Organization.objects.visible_to(request.user).filter(pk=filters.organization_id)
        qs = qs.within(org.first()) if org.exists() else qs.none()
    return cursor_page(
        qs, cursor=filters.cursor, limit=max(1, min(filters.limit, 500)), sorts=EMPLOYER_SORTS
    )


@employer_router.get("/{int:employer_id}", response={200: EmployerOut, 404: ErrorOut})
@scope_model(Employer)
def employer_detail(request, employer_id: int):
    return get_for_user(Employer, request.user, pk=employer_id)


class EmployerIn(ObjectIn):
    """An employer: under ``union_id`` when it has a union (own or joint grassroots union),
    else under ``organization_id`` (the township, park or sector union of its place)."""

    uscc: str
    name: str
    ownership: Ownership
    industry: Industry
    region_code: str
    organization_id: int | None = Field(None, ge=1, le=MAX_ID)
    union_id: int | None = Field(None, ge=1, le=MAX_ID)
    size: EmployerSize | None = None
    above_designated_size: bool = False
    address: str = ""
    headcount: int = Field(0, ge=0, le=MAX_COUNT)
    headcount_by_type: dict[WorkerType, int] = {}


class EmployerPatch(ObjectIn):
    """Only the fields sent are changed; ``union_id: null`` takes the employer out of its union
    (its records go to the union above)."""

    uscc: str | None = None
    name: str | None = None
    ownership: Ownership | None = None
    industry: Industry | None = None
    region_code: str | None = None
    organization_id: int | None = Field(None, ge=1, le=MAX_ID)
    union_id: int | None = Field(None, ge=1, le=MAX_ID)
    size: EmployerSize | None = None
    above_designated_size: bool | None = None
    address: str | None = None
    headcount: int | None = Field(None, ge=0, le=MAX_COUNT)
    headcount_by_type: dict[WorkerType, int] | None = None


def _in_scope(request, field: str, pk: int | None):
    """An organization named in a request body: one the caller may see, else a 422 that names
    the field (and says nothing about organizations outside the scope)."""
    if pk is None:
        return None
    org = Organization.objects.visible_to(request.user).filter(pk=pk).first()
    if org is None:
        raise ValidationError({field: _("No such organization in your scope.")})
    return org


def _employer_arguments(request, data: dict) -> dict:
    if "union_id" in data:
        data["union"] = _in_scope(request, "union_id", data.pop("union_id"))
    if "organization_id" in data:
        data["organization"] = _in_scope(request, "organization_id", data.pop("organization_id"))
    if "headcount_by_type" in data:
        data["headcount_by_type"] = {
            str(getattr(k, "value", k)): v for k, v in (data["headcount_by_type"] or {}).items()
        }
    for key in ("size", "ownership", "industry"):
        if key in data and data[key] is not None:
            data[key] = str(getattr(data[key], "value", data[key]))
    return data


# Service errors name the model's fields; the API's fields end in _id.
_API_FIELDS = {"union": "union_id", "organization": "organization_id"}


def _api_errors(exc: ValidationError) -> ValidationError:
    if not hasattr(exc, "error_dict"):
        return exc
    return ValidationError({_API_FIELDS.get(f, f): e for f, e in exc.error_dict.items()})


@employer_router.post("", response={201: EmployerOut, 403: ErrorOut, 422: ErrorOut})
def employer_create(request, payload: EmployerIn):
    """Put an employer on record; the credit code is checked (GB 32100-2015) and unique."""
    data = _employer_arguments(request, payload.dict())
    data["size"] = data["size"] or ""
    try:
        employer = services.employer_create(by=request.user, **data)
    except ValidationError as exc:
        raise _api_errors(exc) from None
    return 201, employer


@employer_router.patch(
    "/{int:employer_id}", response={200: EmployerOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
)
@scope_model(Employer)
def employer_update(request, employer_id: int, payload: EmployerPatch):
    """Change some of an employer's details; a new name keeps the old one in ``former_names``."""
    employer = get_for_user(Employer, request.user, pk=employer_id)
    data = _employer_arguments(request, payload.dict(exclude_unset=True))
    for key in (
        "uscc",
        "name",
        "ownership",
        "industry",
        "region_code",
        "headcount",
        "above_designated_size",
    ):
        if key in data and data[key] is None:
            raise ValidationError({key: _("This field cannot be empty.")})
    try:
        return services.employer_update(by=request.user, employer=employer, **data)
    except ValidationError as exc:
        raise _api_errors(exc) from None


# --- cadres and elections ----------------------------------------------------------------------


class CadreOut(Schema):
    id: int
    organization_id: int
    name: str
    position: CadrePosition
    rank: str
    full_time: bool
    term_start: dt.date
    term_end: dt.date
    ended_on: dt.date | None
    election_id: int | None
    worker_id: int | None
    term_status: TermStatus | None = Field(
        None, description="due: ends within 90 days; overdue: ended, nobody elected since"
    )

    @staticmethod
    def resolve_term_status(obj):
        return term_status(obj) or None


class CadrePage(Schema):
    items: list[CadreOut]
    next_cursor: str | None
    prev_cursor: str | None


class CadreFilters(Schema):
    organization_id: int | None = Field(
        None, ge=1, le=MAX_ID, description="the organization and its subtree"
    )
    position: CadrePosition | None = None
    in_office: bool | None = Field(True, description="false: only terms ended; null: all")
    term: TermStatus | None = Field(None, description="only terms due or overdue")
    cursor: str | None = None
    limit: int = 50


CADRE_SORTS = [
    Sort("term_end", "term_end", gettext_lazy("Term end")),
    Sort("name", "name", gettext_lazy("Name")),
]


def _subtree(request, qs, organization_id: int | None):
    if organization_id is None:
        return qs
    org = Organization.objects.visible_to(request.user).filter(pk=organization_id).first()
    return qs.within(org) if org else qs.none()


@router.get("/cadres", response=CadrePage)
def cadre_list(request, filters: Query[CadreFilters]):
    """Union cadres of the caller's subtree, by term end."""
    qs = Cadre.objects.visible_to(request.user)
    if filters.term:
        qs = terms_due(qs).filter(is_overdue=filters.term == TermStatus.OVERDUE)
    elif filters.in_office is not None:
        qs = qs.filter(ended_on__isnull=filters.in_office)
    if filters.position:
        qs = qs.filter(position=filters.position)
    qs = _subtree(request, qs, filters.organization_id)
    return cursor_page(
        qs, cursor=filters.cursor, limit=max(1, min(filters.limit, 500)), sorts=CADRE_SORTS
    )


@router.get("/cadres/{int:cadre_id}", response={200: CadreOut, 404: ErrorOut})
@scope_model(Cadre)
def cadre_detail(request, cadre_id: int):
    return get_for_user(Cadre, request.user, pk=cadre_id)


class ElectionOut(Schema):
    id: int
    organization_id: int
    held_on: dt.date
    kind: ElectionKind
    term_years: int
    members_total: int
    members_voting: int
    approved_by: str
    cadre_ids: list[int]

    @staticmethod
    def resolve_cadre_ids(obj):
        return [c.pk for c in obj.cadres.all()]


class ElectionPage(Schema):
    items: list[ElectionOut]
    next_cursor: str | None
    prev_cursor: str | None


class ElectionFilters(Schema):
    organization_id: int | None = Field(
        None, ge=1, le=MAX_ID, description="the organization and its subtree"
    )
    kind: ElectionKind | None = None
    cursor: str | None = None
    limit: int = 50


ELECTION_SORTS = [Sort("held_on", "held_on", gettext_lazy("Held on"), descending=True)]


@router.get("/elections", response=ElectionPage)
def election_list(request, filters: Query[ElectionFilters]):
    """Elections of the caller's subtree, latest first, with the ids of the cadres elected."""
    qs = Election.objects.visible_to(request.user).prefetch_related("cadres")
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    qs = _subtree(request, qs, filters.organization_id)
    return cursor_page(
        qs, cursor=filters.cursor, limit=max(1, min(filters.limit, 500)), sorts=ELECTION_SORTS
    )


# --- coverage ----------------------------------------------------------------------------------


class FiguresOut(Schema):
    employers: int
    employers_with_union: int
    employers_25: int = Field(description="employers with 25 or more workers")
    employers_25_with_union: int
    founding_rate: float | None = Field(
        description="employers_25_with_union / employers_25; null when there are none"
    )
    workers: int = Field(description="workers on record")
    members: int = Field(description="workers on record with an active membership")
    membership_rate: float | None = Field(description="members / workers")


class CoverageRowOut(Schema):
    key: str
    label: str
    organization_id: int | None = None
    figures: FiguresOut


class CoverageOut(Schema):
    organization_id: int
    total: FiguresOut
    by_worker_type: list[CoverageRowOut]
    by_industry: list[CoverageRowOut]
    by_ownership: list[CoverageRowOut]
    by_child: list[CoverageRowOut]


def _rows(rows):
    return [
        {
            "key": row.key,
            "label": row.label,
            "organization_id": row.organization.pk if row.organization is not None else None,
            "figures": row.figures.as_dict(),
        }
        for row in rows
    ]


@router.get("/{int:organization_id}/coverage", response={200: CoverageOut, 404: ErrorOut})
@scope_model(Organization)
def organization_coverage(request, organization_id: int):
    """Union founding rate and membership rate of the organization's subtree, split by worker
    type, industry, ownership and child organization (``by_child``: one row per organization
    directly under it, plus one for records it holds itself)."""
    org = get_for_user(Organization, request.user, pk=organization_id)
    data = coverage.coverage_for(request.user, org)
    return {
        "organization_id": org.pk,
        "total": data.total.as_dict(),
        "by_worker_type": _rows(data.by_worker_type),
        "by_industry": _rows(data.by_industry),
        "by_ownership": _rows(data.by_ownership),
        "by_child": _rows(data.by_child),
    }
