from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy
from ninja import Query, Router, Schema

from gonghui.api.api import ErrorOut
from gonghui.api.pagination import cursor_page
from gonghui.api.schemas import ObjectIn
from gonghui.api.scope import scope_model
from gonghui.core.fields import mask
from gonghui.core.listing import Sort
from gonghui.core.scope import get_for_user
from gonghui.organizations.models import Employer, Organization

from . import services
from .models import (
    Membership,
    MembershipStatus,
    MembershipTransfer,
    Sex,
    TransferStatus,
    Worker,
    WorkerType,
)
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


# --- registering workers, memberships and transfers ---------------------------------------


membership_router = Router(tags=["memberships"])
transfer_router = Router(tags=["transfers"])


class WorkerIn(ObjectIn):
    name: str
    id_number: str
    phone: str = ""
    worker_type: WorkerType = WorkerType.REGULAR
    organization_id: int
    employer_id: int | None = None


@router.post("", response={201: WorkerOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut})
def worker_create(request, payload: WorkerIn):
    """Register a person (sex and birth date are read from the ID number)."""
    organization = get_for_user(Organization, request.user, pk=payload.organization_id)
    employer = (
        get_for_user(Employer, request.user, pk=payload.employer_id)
        if payload.employer_id
        else None
    )
    worker = services.worker_create(
        by=request.user,
        organization=organization,
        name=payload.name,
        id_number=payload.id_number,
        phone=payload.phone,
        worker_type=payload.worker_type,
        employer=employer,
    )
    return 201, worker


class MembershipOut(Schema):
    id: int
    worker_id: int
    union_id: int
    status: MembershipStatus
    joined_on: dt.date
    card_number: str
    ended_on: dt.date | None
    end_reason: str


class MembershipPage(Schema):
    items: list[MembershipOut]
    next_cursor: str | None
    prev_cursor: str | None


class MembershipFilters(Schema):
    union_id: int | None = None
    worker_id: int | None = None
    status: MembershipStatus | None = None
    cursor: str | None = None
    limit: int = 50


class MembershipIn(ObjectIn):
    worker_id: int
    union_id: int
    joined_on: dt.date | None = None
    card_number: str = ""


class MembershipEndIn(ObjectIn):
    status: MembershipStatus
    ended_on: dt.date | None = None
    reason: str = ""


MEMBERSHIP_SORTS = [Sort("joined", "joined_on", gettext_lazy("Joined"), descending=True)]


@membership_router.get("", response=MembershipPage)
def membership_list(request, filters: Query[MembershipFilters]):
    qs = Membership.objects.visible_to(request.user)
    if filters.union_id is not None:
        qs = qs.filter(union_id=filters.union_id)
    if filters.worker_id is not None:
        qs = qs.filter(worker_id=filters.worker_id)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return cursor_page(
        qs, cursor=filters.cursor, limit=max(1, min(filters.limit, 500)), sorts=MEMBERSHIP_SORTS
    )


@membership_router.get("/{int:membership_id}", response={200: MembershipOut, 404: ErrorOut})
@scope_model(Membership)
def membership_detail(request, membership_id: int):
    return get_for_user(Membership, request.user, pk=membership_id)


@membership_router.post(
    "", response={201: MembershipOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
)
def membership_create(request, payload: MembershipIn):
    """A worker joins a grassroots union."""
    worker = get_for_user(Worker, request.user, pk=payload.worker_id)
    union = get_for_user(Organization, request.user, pk=payload.union_id)
    return 201, services.membership_join(
        by=request.user,
        worker=worker,
        union=union,
        joined_on=payload.joined_on,
        card_number=payload.card_number,
    )


@membership_router.post(
    "/{int:membership_id}/end",
    response={200: MembershipOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
)
@scope_model(Membership)
def membership_end(request, membership_id: int, payload: MembershipEndIn):
    membership = get_for_user(Membership, request.user, pk=membership_id)
    return services.membership_end(
        by=request.user,
        membership=membership,
        status=payload.status,
        ended_on=payload.ended_on,
        reason=payload.reason,
    )


class TransferOut(Schema):
    id: int
    membership_id: int
    worker_id: int
    from_union_id: int
    to_union_id: int
    status: TransferStatus
    reason: str
    requested_at: dt.datetime
    decided_at: dt.datetime | None
    decision_note: str


class TransferPage(Schema):
    items: list[TransferOut]
    next_cursor: str | None
    prev_cursor: str | None


class TransferFilters(Schema):
    status: TransferStatus | None = None
    cursor: str | None = None
    limit: int = 50


class TransferIn(ObjectIn):
    membership_id: int
    to_union_id: int
    reason: str = ""


class DecisionIn(ObjectIn):
    note: str = ""


TRANSFER_SORTS = [Sort("requested", "requested_at", gettext_lazy("Requested"), descending=True)]


@transfer_router.get("", response=TransferPage)
def transfer_list(request, filters: Query[TransferFilters]):
    qs = MembershipTransfer.objects.visible_to(request.user)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return cursor_page(
        qs, cursor=filters.cursor, limit=max(1, min(filters.limit, 500)), sorts=TRANSFER_SORTS
    )


@transfer_router.get("/{int:transfer_id}", response={200: TransferOut, 404: ErrorOut})
@scope_model(MembershipTransfer)
def transfer_detail(request, transfer_id: int):
    return get_for_user(MembershipTransfer, request.user, pk=transfer_id)


@transfer_router.post("", response={201: TransferOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut})
def transfer_create(request, payload: TransferIn):
    """Ask for a member to move to another grassroots union (anywhere in the instance)."""
    membership = get_for_user(Membership, request.user, pk=payload.membership_id)
    to_union = Organization.objects.filter(pk=payload.to_union_id).first()
    if to_union is None:
        from django.http import Http404

        raise Http404
    return 201, services.membership_transfer_request(
        by=request.user, membership=membership, to_union=to_union, reason=payload.reason
    )


@transfer_router.post(
    "/{int:transfer_id}/approve",
    response={200: TransferOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
)
@scope_model(MembershipTransfer)
def transfer_approve(request, transfer_id: int, payload: DecisionIn):
    transfer = get_for_user(MembershipTransfer, request.user, pk=transfer_id)
    services.membership_transfer_approve(by=request.user, transfer=transfer, note=payload.note)
    transfer.refresh_from_db()
    return transfer


@transfer_router.post(
    "/{int:transfer_id}/reject",
    response={200: TransferOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
)
@scope_model(MembershipTransfer)
def transfer_reject(request, transfer_id: int, payload: DecisionIn):
    transfer = get_for_user(MembershipTransfer, request.user, pk=transfer_id)
    return services.membership_transfer_reject(
        by=request.user, transfer=transfer, note=payload.note
    )
