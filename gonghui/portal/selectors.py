"""What a signed-in worker may read: their own records only, and the progress of their
applications in plain words. Nothing here names a member of staff."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from gonghui.members.models import (
    ApplicationKind,
    ApplicationStatus,
    JoinApplication,
    Membership,
    MembershipStatus,
    MembershipTransfer,
    PortalAccount,
    TransferStatus,
)
from gonghui.organizations.models import Organization


def applications_of(account: PortalAccount) -> QuerySet[JoinApplication]:
    return JoinApplication.objects.filter(account=account).select_related(
        "union", "employer", "account"
    )


def application_of(account: PortalAccount, pk: int) -> JoinApplication | None:
    """The account's own application, or None (the view answers 404 either way)."""
    return applications_of(account).filter(pk=pk).first()


def memberships_of(account: PortalAccount) -> list[Membership]:
    if account.worker_id is None:
        return []
    return list(
        Membership.objects.filter(worker_id=account.worker_id)
        .select_related("union")
        .order_by("-joined_on", "-pk")
    )


def active_membership_of(account: PortalAccount) -> Membership | None:
    if account.worker_id is None:
        return None
    return (
        Membership.objects.filter(worker_id=account.worker_id, status=MembershipStatus.ACTIVE)
        .select_related("union", "worker")
        .first()
    )


def transfers_of(account: PortalAccount) -> list[MembershipTransfer]:
    if account.worker_id is None:
        return []
    return list(
        MembershipTransfer.objects.filter(worker_id=account.worker_id).select_related(
            "from_union", "to_union"
        )
    )


def unions_matching(query: str, *, selected: int | None = None, limit: int = 20) -> list:
    """Active grassroots unions whose name contains ``query`` (and the one already chosen, so
    that a re-shown form keeps it)."""
    query = " ".join((query or "").split())
    unions = Organization.objects.active().grassroots().select_related("parent")
    found: list[Organization] = []
    if query:
        found = list(unions.filter(name__icontains=query).order_by("name", "pk")[:limit])
    if selected and all(u.pk != selected for u in found):
        chosen = unions.filter(pk=selected).first()
        if chosen is not None:
            found.insert(0, chosen)
    return found


@dataclass
class Step:
    label: str
    state: str  # "done", "current", "todo" or "failed"
    at: dt.datetime | None = None


@dataclass
class Progress:
    status_label: str
    tone: str  # "waiting", "ok" or "refused"
    summary: str
    steps: list[Step] = field(default_factory=list)
    transfer: MembershipTransfer | None = None


def _day(value: dt.datetime | None) -> str:
    return formats.date_format(timezone.localtime(value), "DATE_FORMAT") if value else ""


def transfer_for(application: JoinApplication) -> MembershipTransfer | None:
    """The transfer request an accepted transfer application became."""
    if application.kind != ApplicationKind.TRANSFER or application.decided_at is None:
        return None
    worker_id = application.account.worker_id
    if worker_id is None:
        return None
    return (
        MembershipTransfer.objects.filter(
            worker_id=worker_id,
            to_union_id=application.union_id,
            requested_at__gte=application.submitted_at,
        )
        .select_related("from_union", "to_union")
        .order_by("requested_at", "pk")
        .first()
    )


def application_progress(application: JoinApplication) -> Progress:
    """The application's steps and one sentence on where it stands, for the worker."""
    app = application
    submitted = Step(_("Submitted"), "done", app.submitted_at)
    union = app.union.name
    if app.status == ApplicationStatus.SUBMITTED:
        return Progress(
            status_label=app.get_status_display(),
            tone="waiting",
            summary=_(
                "Submitted on %(date)s. %(union)s is looking at your application; you will get "
                "an SMS when it has decided."
            )
            % {"date": _day(app.submitted_at), "union": union},
            steps=[
                submitted,
                Step(_("The union decides"), "current"),
                Step(
                    _("Transfer completed")
                    if app.kind == ApplicationKind.TRANSFER
                    else _("You are a member"),
                    "todo",
                ),
            ],
        )
    if app.status == ApplicationStatus.REJECTED:
        return Progress(
            status_label=app.get_status_display(),
            tone="refused",
            summary=_("Not accepted on %(date)s. The union's reason: %(reason)s")
            % {"date": _day(app.decided_at), "reason": app.decision_note},
            steps=[submitted, Step(_("Not accepted"), "failed", app.decided_at)],
        )
    if app.kind == ApplicationKind.JOIN:
        return Progress(
            status_label=app.get_status_display(),
            tone="ok",
            summary=_("Accepted on %(date)s. Welcome to %(union)s!")
            % {"date": _day(app.decided_at), "union": union},
            steps=[
                submitted,
                Step(_("Accepted by the union"), "done", app.decided_at),
                Step(_("You are a member"), "done", app.decided_at),
            ],
        )
    transfer = transfer_for(app)
    accepted = Step(_("Accepted by the union"), "done", app.decided_at)
    if transfer is not None and transfer.status == TransferStatus.APPROVED:
        last, tone = Step(_("Transfer completed"), "done", transfer.decided_at), "ok"
        summary = _("Transfer completed: you are now a member of %(union)s.") % {"union": union}
    elif transfer is not None and transfer.status in (
        TransferStatus.REJECTED,
        TransferStatus.CANCELLED,
    ):
        last, tone = Step(_("Transfer not completed"), "failed", transfer.decided_at), "refused"
        summary = _("The transfer was not completed. The reason given: %(reason)s") % {
            "reason": transfer.decision_note or "—"
        }
    else:
        last, tone = Step(_("Transfer completed"), "current"), "waiting"
        summary = _(
            "Accepted on %(date)s. Your membership is being moved to %(union)s; you will see "
            "it here when that is done."
        ) % {"date": _day(app.decided_at), "union": union}
    return Progress(
        status_label=app.get_status_display(),
        tone=tone,
        summary=summary,
        steps=[submitted, accepted, last],
        transfer=transfer,
    )
