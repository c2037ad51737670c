"""/api/v1/cases: the staff door to cases — the list with the page's filters, one case with its
timeline, and one POST per transition, all through ``selectors`` and ``services.cases``.

A transition refused because of the case's state, a stale ``version`` or bad input answers 422
with the house ``ErrorOut`` naming the field (``status``, ``version``, …) — the same as every
other refusal of a service; 403 when the role lacks the right, 404 outside the caller's scope.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext_lazy
from ninja import Field, Query, Router, Schema

from gonghui.accounts.models import User
from gonghui.api.api import ErrorOut
from gonghui.api.pagination import cursor_page
from gonghui.api.schemas import IsoDate, ObjectIn
from gonghui.api.scope import scope_model
from gonghui.core.fields import mask
from gonghui.core.listing import Sort
from gonghui.core.scope import get_for_user
from gonghui.organizations.models import Organization

from . import deadlines, selectors
from .catalog import CaseKind
from .models import (
    Case,
    CaseStatus,
    Channel,
    HandlingMethod,
    PauseReason,
    Supervision,
    Tier,
)
from .services import cases as services

router = Router(tags=["cases"])
SORTS = [Sort("received", "received_at", gettext_lazy("Received"), descending=True)]


class CaseOut(Schema):
    """Personal data is masked; revealing it is a separate, audited act on the pages."""

    id: int
    number: str
    tracking_code: str
    channel: Channel
    kind: CaseKind
    category: str
    title: str
    status: CaseStatus
    tier: Tier
    organization_id: int
    received_by_id: int
    handler_id: int | None
    handling_method: str
    employer_id: int | None
    employer_name_given: str
    anonymous: bool
    complainant_name_masked: str
    complainant_phone_masked: str
    workers_affected: int
    collective: bool
    amount_claimed: Decimal
    received_at: dt.datetime
    accept_due: dt.date | None
    accepted_on: dt.date | None
    time_limit_days: int | None
    due_on: dt.date | None
    paused: bool
    overdue: bool
    escalated_at: dt.datetime | None
    concluded_at: dt.datetime | None
    solved: bool | None
    amount_recovered: Decimal
    workers_benefited: int
    satisfaction: int | None
    reopen_count: int
    merged_into_id: int | None
    version: int

    @staticmethod
    def resolve_complainant_name_masked(obj):
        return mask("name", obj.complainant_name) if obj.complainant_name else ""

    @staticmethod
    def resolve_complainant_phone_masked(obj):
        return mask("phone", obj.complainant_phone) if obj.complainant_phone else ""

    @staticmethod
    def resolve_overdue(obj):
        return deadlines.is_overdue(obj)


WRITE = {200: CaseOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class EventOut(Schema):
    at: dt.datetime
    kind: str
    from_status: str
    to_status: str
    actor: str | None
    public_text: str
    internal_note: str

    @staticmethod
    def resolve_actor(obj):
        return str(obj.actor) if obj.actor_id else None


class PauseOut(Schema):
    reason: PauseReason
    note: str
    started_on: dt.date
    ended_on: dt.date | None


class CaseDetailOut(CaseOut):
    description: str
    outcome: str
    decline_reason: str
    working_days_used: int
    events: list[EventOut]
    pauses: list[PauseOut]

    @staticmethod
    def resolve_working_days_used(obj):
        return deadlines.working_days_used(obj)

    @staticmethod
    def resolve_events(obj):
        return list(obj.events.select_related("actor").order_by("at", "id"))

    @staticmethod
    def resolve_pauses(obj):
        return list(obj.pauses.all())


class CasePage(Schema):
    items: list[CaseOut]
    next_cursor: str | None
    prev_cursor: str | None


class CaseFilters(Schema):
    q: str | None = Field(None, description="words of the description (full text)")
    status: CaseStatus | None = None
    channel: Channel | None = None
    kind: CaseKind | None = None
    category: str | None = None
    tier: Tier | None = None
    organization_id: int | None = Field(None, description="cases held in its subtree")
    handler: str | None = Field(None, description="a user id, 'me' or 'none'")
    employer_id: int | None = None
    due: str | None = Field(None, description="overdue, due_soon or accept_overdue")
    received_from: IsoDate | None = None
    received_to: IsoDate | None = None
    cursor: str | None = None
    limit: int = 50


@router.get("", response=CasePage)
def case_list(request, filters: Query[CaseFilters]):
    """Cases of the caller's subtree, newest first; the same filters as the list page."""
    data = filters.dict(exclude={"cursor", "limit"})
    data["organization"] = data.pop("organization_id")
    data["employer"] = data.pop("employer_id")
    handler = data.get("handler")
    if handler and handler not in ("me", "none"):
        data["handler"] = int(handler) if handler.isdigit() else -1
    qs = selectors.case_list(request.user, data)
    return cursor_page(
        qs, cursor=filters.cursor, limit=max(1, min(filters.limit, 500)), sorts=SORTS
    )


@router.get("/{int:case_id}", response={200: CaseDetailOut, 404: ErrorOut})
@scope_model(Case)
def case_detail(request, case_id: int):
    """One case with its timeline (public and internal parts) and pauses."""
    return selectors.case_get_for_user(user=request.user, pk=case_id)


def _case(request, case_id: int) -> Case:
    return selectors.case_get_for_user(user=request.user, pk=case_id)


class Versioned(ObjectIn):
    version: int | None = Field(None, description="the version read; a stale one is refused")


class AcceptIn(Versioned):
    tier: Tier = Tier.GENERAL
    note: str = ""


class DeclineIn(Versioned):
    reason: str


class AssignIn(Versioned):
    organization_id: int
    handler_id: int | None = None
    note: str = ""


class ReasonIn(Versioned):
    reason: str


class StartIn(Versioned):
    method: HandlingMethod
    note: str = ""


class PauseIn(ObjectIn):
    reason: PauseReason
    note: str = ""
    on: IsoDate | None = None


class ResumeIn(ObjectIn):
    on: IsoDate | None = None


class NoteIn(ObjectIn):
    internal_note: str = ""
    public_text: str = ""


class ConcludeIn(Versioned):
    outcome: str
    solved: bool
    amount_recovered: Decimal = Decimal("0.00")
    workers_benefited: int = 0
    public_text: str = ""


class FollowUpIn(ObjectIn):
    solved: bool | None = None
    satisfaction: int | None = None
    comment: str = ""


class ReopenIn(ObjectIn):
    reason: str


class MergeIn(ObjectIn):
    into_id: int


class SuperviseIn(ObjectIn):
    instructions: str
    report_due: dt.date


class SupervisionOut(Schema):
    id: int
    case_id: int
    organization_id: int
    instructions: str
    report_due: dt.date
    reported_at: dt.datetime | None
    report: str


class ReportIn(ObjectIn):
    report: str


def _reload(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


@router.post("/{int:case_id}/accept", response=WRITE)
@scope_model(Case)
def case_accept(request, case_id: int, payload: AcceptIn):
    """received → accepted; the tier's time limit in force today is copied onto the case."""
    case = _case(request, case_id)
    return _reload(services.case_accept(by=request.user, case=case, **payload.dict()))


@router.post("/{int:case_id}/decline", response=WRITE)
@scope_model(Case)
def case_decline(request, case_id: int, payload: DeclineIn):
    """received → declined; the reason is told to the worker."""
    case = _case(request, case_id)
    return _reload(services.case_decline(by=request.user, case=case, **payload.dict()))


@router.post("/{int:case_id}/assign", response=WRITE)
@scope_model(Case)
def case_assign(request, case_id: int, payload: AssignIn):
    """To an organization of the caller's subtree and optionally a handler there."""
    case = _case(request, case_id)
    organization = get_for_user(Organization, request.user, pk=payload.organization_id)
    handler = (
        get_for_user(User, request.user, pk=payload.handler_id) if payload.handler_id else None
    )
    return _reload(
        services.case_assign(
            by=request.user,
            case=case,
            organization=organization,
            handler=handler,
            note=payload.note,
            version=payload.version,
        )
    )


@router.post("/{int:case_id}/return", response=WRITE)
@scope_model(Case)
def case_return(request, case_id: int, payload: ReasonIn):
    """assigned → accepted: back to the dispatcher, with the reason."""
    case = _case(request, case_id)
    return _reload(services.case_return(by=request.user, case=case, **payload.dict()))


@router.post("/{int:case_id}/start", response=WRITE)
@scope_model(Case)
def case_start(request, case_id: int, payload: StartIn):
    """assigned → in handling."""
    case = _case(request, case_id)
    return _reload(services.case_start_handling(by=request.user, case=case, **payload.dict()))


@router.post("/{int:case_id}/pause", response=WRITE)
@scope_model(Case)
def case_pause(request, case_id: int, payload: PauseIn):
    """Stop the clock while the worker or an outside body is awaited."""
    case = _case(request, case_id)
    return _reload(services.case_pause(by=request.user, case=case, **payload.dict()))


@router.post("/{int:case_id}/resume", response=WRITE)
@scope_model(Case)
def case_resume(request, case_id: int, payload: ResumeIn):
    """Run the clock again; the due date moves by the working days it stood still."""
    case = _case(request, case_id)
    return _reload(services.case_resume(by=request.user, case=case, **payload.dict()))


@router.post("/{int:case_id}/notes", response=WRITE)
@scope_model(Case)
def case_note(request, case_id: int, payload: NoteIn):
    """A note on the timeline (internal, or shown to the worker)."""
    case = _case(request, case_id)
    services.case_note(by=request.user, case=case, **payload.dict())
    return _reload(case)


@router.post("/{int:case_id}/conclude", response=WRITE)
@scope_model(Case)
def case_conclude(request, case_id: int, payload: ConcludeIn):
    """in handling → concluded."""
    case = _case(request, case_id)
    return _reload(services.case_conclude(by=request.user, case=case, **payload.dict()))


@router.post("/{int:case_id}/follow-up", response=WRITE)
@scope_model(Case)
def case_follow_up(request, case_id: int, payload: FollowUpIn):
    """The worker's answer: solved → closed, not solved → re-opened, none → waits."""
    case = _case(request, case_id)
    return _reload(services.case_follow_up(by=request.user, case=case, **payload.dict()))


@router.post("/{int:case_id}/close", response=WRITE)
@scope_model(Case)
def case_close(request, case_id: int, payload: ObjectIn):
    """concluded/follow-up → closed without the worker's answer."""
    case = _case(request, case_id)
    return _reload(services.case_close(by=request.user, case=case))


@router.post("/{int:case_id}/reopen", response=WRITE)
@scope_model(Case)
def case_reopen(request, case_id: int, payload: ReopenIn):
    case = _case(request, case_id)
    return _reload(services.case_reopen(by=request.user, case=case, reason=payload.reason))


@router.post("/{int:case_id}/merge", response=WRITE)
@scope_model(Case)
def case_merge(request, case_id: int, payload: MergeIn):
    """This case (a duplicate) joins the case ``into_id``."""
    case = _case(request, case_id)
    into = _case(request, payload.into_id)
    return _reload(services.case_merge(by=request.user, case=case, into=into))


@router.post(
    "/{int:case_id}/supervisions",
    response={201: SupervisionOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
)
@scope_model(Case)
def supervision_flag(request, case_id: int, payload: SuperviseIn):
    """督办: flag the case; its handler must report by ``report_due``."""
    case = _case(request, case_id)
    return 201, services.supervision_flag(by=request.user, case=case, **payload.dict())


@router.post(
    "/supervisions/{int:supervision_id}/report",
    response={200: SupervisionOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
)
@scope_model(Supervision)
def supervision_report(request, supervision_id: int, payload: ReportIn):
    supervision = get_for_user(Supervision, request.user, pk=supervision_id)
    selectors.case_get_for_user(user=request.user, pk=supervision.case_id)
    return services.supervision_report(by=request.user, supervision=supervision, **payload.dict())
