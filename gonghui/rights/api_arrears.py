"""/api/v1/inspections, /api/v1/alerts, /api/v1/meetings: the same services and scope as the
pages of special inspections, early warnings and joint meetings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext_lazy, pgettext_lazy
from ninja import Query, Router, Schema

from gonghui.api.api import ErrorOut
from gonghui.api.pagination import cursor_page
from gonghui.api.schemas import IsoDate, ObjectIn
from gonghui.api.scope import scope_model
from gonghui.core.listing import Sort
from gonghui.core.scope import get_for_user
from gonghui.organizations.models import Employer, Organization

from . import warning
from .models import (
    ActionItem,
    Alert,
    AlertRule,
    AlertStatus,
    Case,
    Inspection,
    InspectionTarget,
    JointMeeting,
    TargetStatus,
)
from .services import arrears as services

inspection_router = Router(tags=["inspections"])
alert_router = Router(tags=["alerts"])
meeting_router = Router(tags=["meetings"])


def _limit(value: int) -> int:
    return max(1, min(value, 500))


# --- inspections -------------------------------------------------------------------------------


class InspectionTotals(Schema):
    planned: int
    inspected: int
    with_arrears: int
    arrears_found: Decimal
    recovered: Decimal
    outstanding: Decimal
    workers_owed: int
    followups_due: int
    followups_overdue: int
    cases: int


class InspectionOut(Schema):
    id: int
    organization_id: int
    name: str
    starts_on: dt.date
    ends_on: dt.date
    description: str


class InspectionDetailOut(InspectionOut):
    totals: InspectionTotals

    @staticmethod
    def resolve_totals(obj):
        return services.inspection_totals(obj)


class InspectionPage(Schema):
    items: list[InspectionOut]
    next_cursor: str | None
    prev_cursor: str | None


class InspectionFilters(Schema):
    organization_id: int | None = None
    cursor: str | None = None
    limit: int = 50


class InspectionIn(ObjectIn):
    organization_id: int
    name: str
    starts_on: dt.date
    ends_on: dt.date
    description: str = ""


class TargetOut(Schema):
    id: int
    inspection_id: int
    employer_id: int
    employer_name: str
    status: TargetStatus
    inspected_on: dt.date | None
    inspectors: str
    findings: str
    arrears_found: Decimal
    workers_owed: int
    amount_recovered: Decimal
    followup_due: dt.date | None
    followed_up_on: dt.date | None
    followup_notes: str
    case_id: int | None

    @staticmethod
    def resolve_employer_name(obj):
        return obj.employer.name


class TargetPage(Schema):
    items: list[TargetOut]
    next_cursor: str | None
    prev_cursor: str | None


class TargetFilters(Schema):
    status: TargetStatus | None = None
    cursor: str | None = None
    limit: int = 100


class TargetIn(ObjectIn):
    employer_id: int


class TargetRecordIn(ObjectIn):
    inspected_on: dt.date
    inspectors: str
    findings: str
    arrears_found: Decimal = Decimal("0")
    workers_owed: int = 0
    amount_recovered: Decimal = Decimal("0")
    followup_due: IsoDate | None = None
    confirm_over: bool = False


class FollowUpIn(ObjectIn):
    followed_up_on: dt.date
    notes: str
    amount_recovered: Decimal = Decimal("0")
    next_due: IsoDate | None = None
    confirm_over: bool = False


INSPECTION_SORTS = [Sort("starts", "starts_on", gettext_lazy("Starts on"), descending=True)]
TARGET_SORTS = [Sort("id", "id", gettext_lazy("Added"))]


@inspection_router.get("", response=InspectionPage)
def inspection_list(request, filters: Query[InspectionFilters]):
    qs = Inspection.objects.visible_to(request.user)
    if filters.organization_id is not None:
        qs = qs.filter(organization_id=filters.organization_id)
    return cursor_page(
        qs, cursor=filters.cursor, limit=_limit(filters.limit), sorts=INSPECTION_SORTS
    )


@inspection_router.post(
    "", response={201: InspectionDetailOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
)
def inspection_create(request, payload: InspectionIn):
    """Create a special inspection campaign organized by an organization of your subtree."""
    organization = get_for_user(Organization, request.user, pk=payload.organization_id)
    inspection = services.inspection_create(
        by=request.user,
        organization=organization,
        name=payload.name,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        description=payload.description,
    )
    return 201, inspection


@inspection_router.get("/{int:inspection_id}", response={200: InspectionDetailOut, 404: ErrorOut})
@scope_model(Inspection)
def inspection_detail(request, inspection_id: int):
    """A campaign with its totals (inspected of planned, arrears found, recovered, follow-ups)."""
    return get_for_user(Inspection, request.user, pk=inspection_id)


@inspection_router.get("/{int:inspection_id}/targets", response={200: TargetPage, 404: ErrorOut})
@scope_model(Inspection)
def inspection_targets(request, inspection_id: int, filters: Query[TargetFilters]):
    inspection = get_for_user(Inspection, request.user, pk=inspection_id)
    qs = inspection.targets.select_related("employer")
    if filters.status:
        qs = qs.filter(status=filters.status)
    return cursor_page(qs, cursor=filters.cursor, limit=_limit(filters.limit), sorts=TARGET_SORTS)


@inspection_router.post(
    "/{int:inspection_id}/targets",
    response={201: TargetOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
)
@scope_model(Inspection)
def inspection_target_add(request, inspection_id: int, payload: TargetIn):
    """Put one employer of your subtree on the campaign's list."""
    inspection = get_for_user(Inspection, request.user, pk=inspection_id)
    employer = get_for_user(Employer, request.user, pk=payload.employer_id)
    return 201, services.target_add(by=request.user, inspection=inspection, employer=employer)


@inspection_router.get("/targets/{int:target_id}", response={200: TargetOut, 404: ErrorOut})
@scope_model(InspectionTarget)
def target_detail(request, target_id: int):
    return get_for_user(
        InspectionTarget.objects.select_related("employer"), request.user, pk=target_id
    )


@inspection_router.post(
    "/targets/{int:target_id}/record",
    response={200: TargetOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
)
@scope_model(InspectionTarget)
def target_record(request, target_id: int, payload: TargetRecordIn):
    """Record what the inspection of one employer found."""
    target = get_for_user(InspectionTarget, request.user, pk=target_id)
    return services.target_record(by=request.user, target=target, **payload.dict())


@inspection_router.post(
    "/targets/{int:target_id}/follow-up",
    response={200: TargetOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
)
@scope_model(InspectionTarget)
def target_follow_up(request, target_id: int, payload: FollowUpIn):
    """Record a follow-up visit (money recovered since is added)."""
    target = get_for_user(InspectionTarget, request.user, pk=target_id)
    return services.target_follow_up(by=request.user, target=target, **payload.dict())


# --- alerts ------------------------------------------------------------------------------------


class AlertOut(Schema):
    id: int
    organization_id: int
    rule: AlertRule
    employer_id: int | None
    employer_name_given: str
    summary: str
    workers_affected: int
    raised_at: dt.datetime
    status: AlertStatus
    acknowledged_by: str | None
    acknowledged_at: dt.datetime | None
    action_taken: str
    closed_at: dt.datetime | None

    @staticmethod
    def resolve_acknowledged_by(obj):
        return str(obj.acknowledged_by) if obj.acknowledged_by_id else None


class AlertCaseOut(Schema):
    id: int
    number: str
    title: str
    category: str
    status: str
    workers_affected: int
    received_at: dt.datetime


class AlertDetailOut(AlertOut):
    cases: list[AlertCaseOut]

    @staticmethod
    def resolve_cases(obj):
        return obj.visible_cases


class AlertPage(Schema):
    items: list[AlertOut]
    next_cursor: str | None
    prev_cursor: str | None


class AlertFilters(Schema):
    status: AlertStatus | None = None
    rule: AlertRule | None = None
    employer_id: int | None = None
    cursor: str | None = None
    limit: int = 50


class AlertCloseIn(ObjectIn):
    action_taken: str = ""


ALERT_SORTS = [Sort("raised", "raised_at", gettext_lazy("Raised at"), descending=True)]


@alert_router.get("", response=AlertPage)
def alert_list(request, filters: Query[AlertFilters]):
    """Early warnings of your subtree, newest first (filter ``status=open`` for the open ones)."""
    qs = Alert.objects.visible_to(request.user).select_related("acknowledged_by")
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.rule:
        qs = qs.filter(rule=filters.rule)
    if filters.employer_id is not None:
        qs = qs.filter(employer_id=filters.employer_id)
    return cursor_page(qs, cursor=filters.cursor, limit=_limit(filters.limit), sorts=ALERT_SORTS)


def _alert_detail(request, alert: Alert) -> Alert:
    alert = Alert.objects.select_related("acknowledged_by").get(pk=alert.pk)
    # Only the cases of the caller's subtree (an alert raised to the county may hold cases of
    # several townships).
    alert.visible_cases = list(
        Case.objects.visible_to(request.user).filter(alerts=alert).order_by("received_at", "id")
    )
    return alert


@alert_router.get("/{int:alert_id}", response={200: AlertDetailOut, 404: ErrorOut})
@scope_model(Alert)
def alert_detail(request, alert_id: int):
    """An early warning with the cluster of cases (those in your subtree)."""
    return _alert_detail(request, get_for_user(Alert, request.user, pk=alert_id))


@alert_router.post(
    "/{int:alert_id}/acknowledge",
    response={200: AlertDetailOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
)
@scope_model(Alert)
def alert_acknowledge(request, alert_id: int):
    alert = get_for_user(Alert, request.user, pk=alert_id)
    return _alert_detail(request, warning.alert_acknowledge(by=request.user, alert=alert))


@alert_router.post(
    "/{int:alert_id}/close",
    response={200: AlertDetailOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
)
@scope_model(Alert)
def alert_close(request, alert_id: int, payload: AlertCloseIn):
    """Close with the action taken (required)."""
    alert = get_for_user(Alert, request.user, pk=alert_id)
    return _alert_detail(
        request,
        warning.alert_close(by=request.user, alert=alert, action_taken=payload.action_taken),
    )


# --- joint meetings ----------------------------------------------------------------------------


class ActionItemOut(Schema):
    id: int
    text: str
    owner: str
    due_on: dt.date
    done_on: dt.date | None
    result: str
    overdue: bool

    @staticmethod
    def resolve_overdue(obj):
        from django.utils import timezone

        return obj.done_on is None and obj.due_on < timezone.localdate()


class MeetingOut(Schema):
    id: int
    organization_id: int
    title: str
    held_on: dt.date
    place: str


class MeetingDetailOut(MeetingOut):
    attendees: str
    issues: str
    decisions: str
    case_ids: list[int]
    actions: list[ActionItemOut]


class MeetingPage(Schema):
    items: list[MeetingOut]
    next_cursor: str | None
    prev_cursor: str | None


class MeetingFilters(Schema):
    cursor: str | None = None
    limit: int = 50


MEETING_SORTS = [Sort("held", "held_on", pgettext_lazy("meeting", "Held on"), descending=True)]


@meeting_router.get("", response=MeetingPage)
def meeting_list(request, filters: Query[MeetingFilters]):
    qs = JointMeeting.objects.visible_to(request.user)
    return cursor_page(qs, cursor=filters.cursor, limit=_limit(filters.limit), sorts=MEETING_SORTS)


@meeting_router.get("/{int:meeting_id}", response={200: MeetingDetailOut, 404: ErrorOut})
@scope_model(JointMeeting)
def meeting_detail(request, meeting_id: int):
    """A joint meeting with its action items and the cases (of your subtree) it discussed."""
    meeting = get_for_user(JointMeeting, request.user, pk=meeting_id)
    return {
        **MeetingOut.from_orm(meeting).dict(),
        "attendees": meeting.attendees,
        "issues": meeting.issues,
        "decisions": meeting.decisions,
        "case_ids": list(
            Case.objects.visible_to(request.user)
            .filter(joint_meetings=meeting)
            .values_list("pk", flat=True)
        ),
        "actions": list(ActionItem.objects.filter(meeting=meeting).order_by("due_on", "id")),
    }


routers = {
    "/inspections": inspection_router,
    "/alerts": alert_router,
    "/meetings": meeting_router,
}
