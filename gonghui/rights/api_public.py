"""/api/v1/public: the workers' door for other systems and apps (a union's WeChat account, a
government service app). No token: anyone may file a case and follow it with its tracking code
and PIN, as on the portal; both are rate-limited (``ratelimit``: submit_address, submit_phone,
track_address, track_code) and answer 429 with ``Retry-After`` when a limit is reached.

The status answer is the portal's status page as data: the state in plain words and the public
steps, never staff names, internal notes or the employer's data. A wrong code and a wrong PIN
answer the same 404.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.utils.translation import gettext as _
from ninja import Field, Header, Router, Schema
from ninja.errors import HttpError

from gonghui.api.api import ErrorOut
from gonghui.api.errors import error_body
from gonghui.api.schemas import ObjectIn
from gonghui.core.fields import hash_for
from gonghui.core.middleware import client_ip

from . import codes, ratelimit
from .models import Case, CaseStatus, Channel
from .portal_views import public_events, status_explained
from .services.intake import case_create

router = Router(tags=["public"])


class PublicCaseIn(ObjectIn):
    category: str = Field(..., description="A sub-item of the catalog, e.g. complaint.wage_arrears")
    description: str = Field(..., description="What happened, 5 to 5,000 characters")
    employer: str = Field("", max_length=200, description="Employer's name or credit code")
    workers_affected: int = Field(1, ge=1, le=100_000)
    amount_claimed: Decimal | None = Field(None, description="Yuan owed, two decimals at most")
    anonymous: bool = Field(False, description="True: no name or phone is kept")
    name: str = Field("", max_length=64)
    phone: str = Field("", max_length=32, description="Mobile number; required unless anonymous")


class PublicCaseCreated(Schema):
    tracking_code: str = Field(..., description="XXXX-XXXX-XXXX; show it to the worker")
    pin: str = Field(..., description="Shown once: only its hash is kept")
    status: CaseStatus
    status_label: str
    received_at: dt.datetime


class PublicEvent(Schema):
    at: dt.datetime
    text: str


class PublicCaseOut(Schema):
    tracking_code: str
    status: CaseStatus
    status_label: str
    explained: str = Field(..., description="What the state means, in plain words")
    category: str
    category_label: str
    received_at: dt.datetime
    due_on: dt.date | None
    decline_reason: str
    events: list[PublicEvent]


def _too_many(exc: ratelimit.RateLimited) -> JsonResponse:
    response = JsonResponse(error_body(exc.message), status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


@router.post(
    "/cases",
    auth=None,
    response={201: PublicCaseCreated, 415: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="File a complaint or help request",
)
def public_case_create(request, payload: PublicCaseIn):
    """File a case as a worker would on the portal. Answers the tracking code and the PIN (the
    PIN only this once). Rate-limited per client address and per phone: 429 with Retry-After."""
    if request.content_type != "application/json":
        raise HttpError(415, _("Send the case as JSON (Content-Type: application/json)."))
    phone = "" if payload.anonymous else payload.phone.strip()
    pairs = [("submit_address", client_ip(request) or "unknown")]
    if phone:
        pairs.append(("submit_phone", hash_for("phone", phone)))
    try:
        ratelimit.check(pairs)
    except ratelimit.RateLimited as exc:
        return _too_many(exc)
    if not payload.anonymous and not phone:
        raise ValidationError(
            {
                "phone": _(
                    "Leave a mobile number so that we can reach you, or choose to stay anonymous."
                )
            }
        )
    try:
        created = case_create(
            by=None,
            channel=Channel.API,
            category=payload.category,
            description=payload.description,
            employer_text=payload.employer,
            workers_affected=payload.workers_affected,
            amount_claimed=payload.amount_claimed,
            anonymous=payload.anonymous,
            complainant_name=payload.name,
            complainant_phone=phone,
        )
    except ValidationError as exc:
        names = {
            "employer_text": "employer",
            "complainant_phone": "phone",
            "complainant_name": "name",
        }
        raise ValidationError({names.get(k, k): v for k, v in exc.message_dict.items()}) from None
    ratelimit.hit(pairs)
    case = created.case
    return 201, {
        "tracking_code": created.tracking_code,
        "pin": created.pin,
        "status": case.status,
        "status_label": str(case.get_status_display()),
        "received_at": case.received_at,
    }


@router.get(
    "/cases/{tracking_code}",
    auth=None,
    response={200: PublicCaseOut, 404: ErrorOut, 429: ErrorOut},
    summary="Follow a case with its tracking code and PIN",
)
def public_case_status(
    request,
    tracking_code: str,
    x_case_pin: str = Header("", alias="X-Case-Pin", description="The case's 6-digit PIN"),
):
    """The case's state and its public steps. A wrong code or a wrong PIN answer the same 404;
    wrong tries are counted per client address and per code, and answer 429 with Retry-After
    once too many."""
    code = codes.normalize_code(tracking_code)
    pairs = [("track_address", client_ip(request) or "unknown"), ("track_code", code)]
    try:
        ratelimit.check(pairs)
    except ratelimit.RateLimited as exc:
        return _too_many(exc)
    case = Case.objects.filter(tracking_code=code).first() if code else None
    stored = case.pin_hash if case else codes.pin_hash("0" * codes.LENGTH, "x")
    if case is None or not codes.pin_matches(code, x_case_pin or "", stored):
        ratelimit.hit(pairs)
        return 404, error_body(_("No case has this tracking code and PIN."))
    return 200, {
        "tracking_code": codes.format_code(case.tracking_code),
        "status": case.status,
        "status_label": str(case.get_status_display()),
        "explained": str(status_explained(case)),
        "category": case.category,
        "category_label": str(case.get_category_display()),
        "received_at": case.received_at,
        "due_on": case.due_on if case.is_open else None,
        "decline_reason": case.decline_reason if case.status == CaseStatus.DECLINED else "",
        "events": public_events(case),
    }
