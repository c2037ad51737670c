"""Reads of the registry shared by pages, the API, reminders and reports."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import BooleanField, Case, Count, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Cadre, CadrePosition, Employer, OrganizationStatus

# Re-elections are prepared in the last months of a term; the list and the reminders look this
# many days ahead (a local working habit, not a statute: change here if the province differs).
TERMS_DUE_WINDOW_DAYS = 90


class TermStatus(models.TextChoices):
    # The label names the window: keep it in step with TERMS_DUE_WINDOW_DAYS.
    DUE = "due", _("Ending within 90 days")  # ends within the window
    OVERDUE = "overdue", _("Overdue")  # ended, and nobody elected since


# Chair first, then the others in the order of the model's choices.
POSITION_ORDER = Case(
    *[When(position=value, then=Value(i)) for i, value in enumerate(CadrePosition.values)],
    default=Value(99),
)


def cadres_in_office(qs: QuerySet | None = None) -> QuerySet:
    """Cadres who have not left office, of organizations that are not closed."""
    qs = qs if qs is not None else Cadre.objects.all()
    return qs.filter(ended_on__isnull=True, organization__status=OrganizationStatus.ACTIVE)


def terms_due(qs: QuerySet | None = None, *, today: dt.date | None = None) -> QuerySet:
    """Terms in office that end within the window (``due``) or have ended (``overdue``),
    each with ``is_overdue``. Served by the index on ``term_end``."""
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=TERMS_DUE_WINDOW_DAYS)
    return (
        cadres_in_office(qs)
        .filter(term_end__lte=horizon)
        .annotate(
            is_overdue=Case(
                When(term_end__lt=today, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
    )


def term_status(cadre: Cadre, today: dt.date | None = None) -> str:
    """``due``, ``overdue`` or "" for one cadre (for pages that show a few)."""
    today = today or timezone.localdate()
    if cadre.ended_on is not None:
        return ""
    if cadre.term_end < today:
        return TermStatus.OVERDUE
    if cadre.term_end <= today + dt.timedelta(days=TERMS_DUE_WINDOW_DAYS):
        return TermStatus.DUE
    return ""


def organization_cadres(organization, *, today: dt.date | None = None) -> list[Cadre]:
    """The cadres in office of one organization, chair first, each with ``term_status``."""
    today = today or timezone.localdate()
    cadres = list(
        Cadre.objects.filter(organization=organization, ended_on__isnull=True)
        .annotate(position_order=POSITION_ORDER)
        .order_by("position_order", "name", "pk")
    )
    for cadre in cadres:
        cadre.term_status = term_status(cadre, today)
    return cadres


def employer_workers_by_type(user, employer: Employer) -> list[dict]:
    """For each worker type: what the employer reports, the workers on record and the members
    among them — one grouped query each."""
    from gonghui.members.models import Membership, MembershipStatus, Worker, WorkerType

    on_record = dict(
        Worker.objects.visible_to(user)
        .filter(employer=employer)
        .values_list("worker_type")
        .annotate(n=Count("pk"))
        .order_by()
    )
    members = dict(
        Membership.objects.visible_to(user)
        .filter(worker__employer=employer, status=MembershipStatus.ACTIVE)
        .values_list("worker__worker_type")
        .annotate(n=Count("pk"))
        .order_by()
    )
    reported = employer.headcount_by_type or {}
    rows = [
        {
            "type": value,
            "label": label,
            "reported": reported.get(value),
            "on_record": on_record.get(value, 0),
            "members": members.get(value, 0),
        }
        for value, label in WorkerType.choices
    ]
    return rows


def employer_members(user, employer: Employer) -> QuerySet:
    """Active memberships of the employer's workers, as far as the user's scope reaches."""
    from gonghui.members.models import Membership, MembershipStatus

    return (
        Membership.objects.visible_to(user)
        .filter(worker__employer=employer, status=MembershipStatus.ACTIVE)
        .select_related("worker", "union")
        .order_by("worker__name", "pk")
    )


def has_union_q(prefix: str = "") -> Q:
    """An employer "has a union" when it is covered by a union that is not closed."""
    return Q(**{f"{prefix}union__isnull": False, f"{prefix}union__status": "active"})
