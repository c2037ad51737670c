"""/api/v1/referrals, /api/v1/mediations, /api/v1/notices: the staff door to referrals,
mediations and labor-law supervision notices, over the same services and scope as the pages.

A refusal of a service answers 422 naming the field, 403 when the role lacks the right, 404
outside the caller's scope. Workers' personal data are masked here.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext_lazy
from ninja import Query, Router, Schema

from gonghui.api.api import ErrorOut
from gonghui.api.pagination import cursor_page
from gonghui.api.schemas import IsoDate, ObjectIn
from gonghui.api.scope import scope_model
from gonghui.core.fields import mask
from gonghui.core.listing import Sort
from gonghui.core.scope import get_for_user

from .models import (
    Body,
    Case,
    Mediation,
    MediationStatus,
    Referral,
    ReferralStatus,
    SupervisionNotice,
)
from .services import legal

referral_router = Router(tags=["referrals"])
mediation_router = Router(tags=["mediations"])
notice_router = Router(tags=["supervision notices"])


def _limit(value: int) -> int:
    return max(1, min(value, 500))


# --- referrals -------------------------------------------------------------------------------


class ReferralOut(Schema):
    id: int
    case_id: int
    case_number: str
    body: Body
    body_name: str
    sent_on: dt.date
    reply_due: dt.date
    status: ReferralStatus
    overdue: bool
    matters: str
    asked: str
    attachment_ids: list[int]
    pauses_clock: bool
    received_on: dt.date | None
    receipt_number: str
    replied_on: dt.date | None
    reply: str

    @staticmethod
    def resolve_case_number(obj):
        return obj.case.number

    @staticmethod
    def resolve_overdue(obj):
        return obj.is_overdue

    @staticmethod
    def resolve_attachment_ids(obj):
        return [a.pk for a in obj.attachments.all()]


class ReferralPage(Schema):
    items: list[ReferralOut]
    next_cursor: str | None
    prev_cursor: str | None


class ReferralFilters(Schema):
    state: str | None = None  # awaiting, overdue, status:<value>
    body: Body | None = None
    case_id: int | None = None
    cursor: str | None = None
    limit: int = 50


class ReferralIn(ObjectIn):
    case_id: int
    body: Body
    matters: str
    body_name: str = ""
    asked: str = ""
    sent_on: IsoDate | None = None
    reply_due: IsoDate | None = None
    attachment_ids: list[int] = []
    pause_clock: bool = False


class ReceiptIn(ObjectIn):
    received_on: dt.date
    receipt_number: str = ""


class ReplyIn(ObjectIn):
    replied_on: dt.date
    reply: str


REFERRAL_SORTS = [Sort("due", "reply_due", gettext_lazy("Reply due by"))]


@referral_router.get("", response=ReferralPage)
def referral_list(request, filters: Query[ReferralFilters]):
    """Referrals in the caller's scope; ``state=overdue`` lists replies past due."""
    qs = legal.referral_queryset(request.user, filters.state or "", filters.body or "")
    if filters.case_id is not None:
        qs = qs.filter(case_id=filters.case_id)
    qs = qs.prefetch_related("attachments")
    return cursor_page(qs, cursor=filters.cursor, limit=_limit(filters.limit), sorts=REFERRAL_SORTS)


@referral_router.get("/{int:referral_id}", response={200: ReferralOut, 404: ErrorOut})
@scope_model(Referral)
def referral_detail(request, referral_id: int):
    return get_for_user(Referral.objects.select_related("case"), request.user, pk=referral_id)


@referral_router.post("", response={201: ReferralOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut})
def referral_create(request, payload: ReferralIn):
    """Refer a case to a government body; the reply deadline defaults by body."""
    case = get_for_user(Case, request.user, pk=payload.case_id)
    referral = legal.referral_create(
        by=request.user,
        case=case,
        body=payload.body,
        body_name=payload.body_name,
        matters=payload.matters,
        asked=payload.asked,
        sent_on=payload.sent_on,
        reply_due=payload.reply_due,
        attachments=payload.attachment_ids,
        pause_clock=payload.pause_clock,
    )
    return 201, referral


@referral_router.post(
    "/{int:referral_id}/receipt",
    response={200: ReferralOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
)
@scope_model(Referral)
def referral_receipt(request, referral_id: int, payload: ReceiptIn):
    referral = get_for_user(Referral, request.user, pk=referral_id)
    return legal.referral_receipt_record(
        by=request.user,
        referral=referral,
        received_on=payload.received_on,
        receipt_number=payload.receipt_number,
    )


@referral_router.post(
    "/{int:referral_id}/reply",
    response={200: ReferralOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
)
@scope_model(Referral)
def referral_reply(request, referral_id: int, payload: ReplyIn):
    """The body's reply; resumes the case clock if the referral paused it."""
    referral = get_for_user(Referral, request.user, pk=referral_id)
    return legal.referral_reply_record(
        by=request.user, referral=referral, replied_on=payload.replied_on, reply=payload.reply
    )


# --- mediations ------------------------------------------------------------------------------


class ClaimOut(Schema):
    id: int
    item: str
    amount: Decimal
    amount_agreed: Decimal


class SessionOut(Schema):
    id: int
    held_at: dt.datetime
    place: str
    attendees: str
    record: str


class MediationOut(Schema):
    id: int
    case_id: int
    case_number: str
    body: str
    mediator_id: int
    applicant_name_masked: str
    respondent_name: str
    received_on: dt.date
    statutory_due: dt.date
    status: MediationStatus
    knew_on: dt.date | None
    employment_ended_on: dt.date | None
    pay_claim: bool
    amount_agreed: Decimal
    payment_due: dt.date | None
    signed_on: dt.date | None
    ended_on: dt.date | None
    failure_reason: str
    limitation_ends: dt.date | None
    limitation_urgent: bool
    worker_told_at: dt.datetime | None
    claims: list[ClaimOut]

    @staticmethod
    def resolve_case_number(obj):
        return obj.case.number

    @staticmethod
    def resolve_applicant_name_masked(obj):
        return mask("name", obj.applicant_name)

    @staticmethod
    def resolve_claims(obj):
        return list(obj.claims.all())


class MediationDetailOut(MediationOut):
    sessions: list[SessionOut]

    @staticmethod
    def resolve_sessions(obj):
        return list(obj.sessions.all())


class MediationPage(Schema):
    items: list[MediationOut]
    next_cursor: str | None
    prev_cursor: str | None


class MediationFilters(Schema):
    status: MediationStatus | None = None
    case_id: int | None = None
    cursor: str | None = None
    limit: int = 50


MEDIATION_SORTS = [Sort("received", "received_on", gettext_lazy("Received"), descending=True)]


@mediation_router.get("", response=MediationPage)
def mediation_list(request, filters: Query[MediationFilters]):
    qs = (
        Mediation.objects.visible_to(request.user).select_related("case").prefetch_related("claims")
    )
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.case_id is not None:
        qs = qs.filter(case_id=filters.case_id)
    return cursor_page(
        qs, cursor=filters.cursor, limit=_limit(filters.limit), sorts=MEDIATION_SORTS
    )


@mediation_router.get("/{int:mediation_id}", response={200: MediationDetailOut, 404: ErrorOut})
@scope_model(Mediation)
def mediation_detail(request, mediation_id: int):
    return get_for_user(Mediation.objects.select_related("case"), request.user, pk=mediation_id)


# --- supervision notices ---------------------------------------------------------------------


class NoticeOut(Schema):
    id: int
    number: str
    organization_id: int
    employer_id: int
    employer_name: str
    case_id: int | None
    issued_on: dt.date
    findings: str
    legal_basis: str
    demands: str
    reply_due: dt.date
    overdue: bool
    replied_on: dt.date | None
    reply: str

    @staticmethod
    def resolve_employer_name(obj):
        return obj.employer.name

    @staticmethod
    def resolve_overdue(obj):
        return obj.is_overdue


class NoticePage(Schema):
    items: list[NoticeOut]
    next_cursor: str | None
    prev_cursor: str | None


class NoticeFilters(Schema):
    state: str | None = None  # awaiting, overdue, replied
    employer_id: int | None = None
    cursor: str | None = None
    limit: int = 50


NOTICE_SORTS = [Sort("issued", "issued_on", gettext_lazy("Issued on"), descending=True)]


@notice_router.get("", response=NoticePage)
def notice_list(request, filters: Query[NoticeFilters]):
    """Supervision notices in the caller's scope; ``state=overdue`` lists replies past due."""
    qs = legal.notice_queryset(request.user, filters.state or "")
    if filters.employer_id is not None:
        qs = qs.filter(employer_id=filters.employer_id)
    return cursor_page(qs, cursor=filters.cursor, limit=_limit(filters.limit), sorts=NOTICE_SORTS)


@notice_router.get("/{int:notice_id}", response={200: NoticeOut, 404: ErrorOut})
@scope_model(SupervisionNotice)
def notice_detail(request, notice_id: int):
    return get_for_user(
        SupervisionNotice.objects.select_related("employer"), request.user, pk=notice_id
    )


@notice_router.post(
    "/{int:notice_id}/reply",
    response={200: NoticeOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
)
@scope_model(SupervisionNotice)
def notice_reply(request, notice_id: int, payload: ReplyIn):
    """The employer's reply to the notice (recorded once)."""
    notice = get_for_user(SupervisionNotice, request.user, pk=notice_id)
    return legal.notice_reply_record(
        by=request.user, notice=notice, replied_on=payload.replied_on, reply=payload.reply
    )


# prefix → router, mounted under /api/v1 by gonghui/api/api.py
routers: dict[str, Router] = {
    "/referrals": referral_router,
    "/mediations": mediation_router,
    "/notices": notice_router,
}
