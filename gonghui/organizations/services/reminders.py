"""Re-election reminders: a union's staff are told when its cadres' terms near their end and
again when they are overdue — once per term and threshold, however often the job runs."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gonghui.accounts.roles import MANAGE_ORGANIZATIONS, ROLE_PERMISSIONS
from gonghui.audit.models import AuditAction, AuditEntry
from gonghui.audit.services import audit_record

from ..models import Cadre, Organization, OrganizationStatus
from ..selectors import TERMS_DUE_WINDOW_DAYS, TermStatus, terms_due

# Each reminder leaves an audit entry of this record type about the cadre, whose detail names
# the threshold and the term's end: that row is both the trace of the reminder and what keeps it
# from being sent twice (looked up through the index on record type and id).
REMINDER_RECORD_TYPE = "organizations.reelection_reminder"


def reminder_detail(cadre: Cadre, threshold: str) -> str:
    # The term's end is part of it: a corrected or extended term is reminded afresh.
    return f"{threshold} {cadre.term_end.isoformat()}"


def reminder_recipients(organization: Organization):
    """Staff who organize the re-election: active accounts at the organization itself or at
    the union directly above it (the township union of a grassroots union), whose role may
    manage organizations."""
    from gonghui.accounts.models import User

    roles = [role for role, perms in ROLE_PERMISSIONS.items() if MANAGE_ORGANIZATIONS in perms]
    places = [organization.pk] + ([organization.parent_id] if organization.parent_id else [])
    return User.objects.filter(is_active=True, organization_id__in=places, role__in=roles).order_by(
        "pk"
    )


def _message(organization: Organization, threshold: str, cadres: list[Cadre]) -> tuple[str, str]:
    if threshold == TermStatus.OVERDUE:
        title = _("Re-election overdue: %(org)s") % {"org": organization.name}
        intro = _("These terms of office have ended and no election has been recorded since:")
    else:
        title = _("Re-election due within %(days)s days: %(org)s") % {
            "days": TERMS_DUE_WINDOW_DAYS,
            "org": organization.name,
        }
        intro = _("These terms of office end within %(days)s days; prepare the re-election:") % {
            "days": TERMS_DUE_WINDOW_DAYS
        }
    lines = [
        _("%(name)s, %(position)s, term ends %(date)s")
        % {"name": c.name, "position": c.get_position_display(), "date": c.term_end.isoformat()}
        for c in cadres
    ]
    return title, "\n".join([intro, *lines])


@transaction.atomic
def organization_reelection_remind(*, organization_id: int, today: dt.date | None = None) -> int:
    """Notify one organization's staff about its terms due or overdue that nobody has been
    told about yet; returns the number of notifications sent.

    The cadre rows are locked first, so two runs at once (two task workers) queue here and the
    second finds the first one's records and sends nothing.
    """
    from gonghui.notifications.services import notification_send

    today = today or timezone.localdate()
    org = Organization.objects.get(pk=organization_id)
    if org.status != OrganizationStatus.ACTIVE:
        return 0
    cadres = list(
        terms_due(Cadre.objects.filter(organization=org), today=today)
        .select_for_update(of=("self",))
        .order_by("term_end", "pk")
    )
    already = set(
        AuditEntry.objects.filter(
            object_type=REMINDER_RECORD_TYPE, object_id__in=[str(c.pk) for c in cadres]
        ).values_list("object_id", "detail")
    )
    fresh: dict[str, list[Cadre]] = {TermStatus.OVERDUE: [], TermStatus.DUE: []}
    for cadre in cadres:
        threshold = TermStatus.OVERDUE if cadre.is_overdue else TermStatus.DUE
        if (str(cadre.pk), reminder_detail(cadre, threshold)) not in already:
            fresh[threshold].append(cadre)
    if not any(fresh.values()):
        return 0
    recipients = list(reminder_recipients(org))
    if not recipients:
        return 0  # nothing recorded: the first account created there will be told
    url = reverse("organizations:detail", args=[org.pk]) + "#cadres"
    sent = 0
    for threshold, group in fresh.items():
        if not group:
            continue
        # Stored text: in the platform's language, whoever (or whichever task) runs this.
        with translation.override(settings.LANGUAGE_CODE):
            title, body = _message(org, threshold, group)
        for user in recipients:
            notification_send(recipient=user, title=title, body=body, url=url)
            sent += 1
        for cadre in group:
            audit_record(
                by=None,
                action=AuditAction.CREATE,
                obj=cadre,
                object_type=REMINDER_RECORD_TYPE,
                changes={"recipients": [u.get_username() for u in recipients]},
                detail=reminder_detail(cadre, threshold),
            )
    return sent


def reelection_reminders_send(*, today: dt.date | None = None) -> int:
    """Remind every organization with terms due or overdue; each in its own transaction, so
    one failure does not undo the others. Returns the notifications sent."""
    today = today or timezone.localdate()
    org_ids = terms_due(today=today).values_list("organization_id", flat=True).distinct().order_by()
    return sum(
        organization_reelection_remind(organization_id=org_id, today=today)
        for org_id in list(org_ids)
    )
