"""Roles and what each may do. A user holds one role at one organization and acts in its subtree.

Permissions are plain strings checked with ``accounts.permissions.can``; areas add their own
actions to ``ROLE_PERMISSIONS`` here so that one table shows who may do what.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    FEDERATION_ADMIN = "federation_admin", _("Federation administrator")
    FEDERATION_STAFF = "federation_staff", _("Federation staff")
    TOWNSHIP_STAFF = "township_staff", _("Township union staff")
    GRASSROOTS_CHAIR = "grassroots_chair", _("Grassroots union chair")
    MEDIATOR = "mediator", _("Mediator or legal-aid lawyer")
    AUDITOR = "auditor", _("Auditor (read-only)")


VIEW = "view"  # see records in the subtree
CHANGE = "change"  # create and edit records in the subtree
REVEAL = "reveal_personal"  # see a full id number, phone or bank account (audited)
EXPORT = "export"  # download lists as xlsx (audited)
MANAGE_USERS = "manage_users"  # create accounts and set roles below one's organization
VIEW_AUDIT = "view_audit"  # search the audit log of the subtree
MANAGE_SETTINGS = "manage_settings"  # calendars, thresholds, rule tables
MANAGE_ORGANIZATIONS = "manage_organizations"  # add, edit, close, re-open and move unions
# Rights protection
HANDLE_CASES = (
    "handle_cases"  # work on cases assigned to one's organization: mediate, refer, conclude
)
DISPATCH_CASES = "dispatch_cases"  # accept or decline, assign, merge cases; take hotline calls
SUPERVISE_CASES = "supervise_cases"  # flag a case for supervision (督办), acknowledge warnings

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.FEDERATION_ADMIN: frozenset(
        {
            VIEW,
            CHANGE,
            REVEAL,
            EXPORT,
            MANAGE_USERS,
            VIEW_AUDIT,
            MANAGE_SETTINGS,
            MANAGE_ORGANIZATIONS,
            HANDLE_CASES,
            DISPATCH_CASES,
            SUPERVISE_CASES,
        }
    ),
    Role.FEDERATION_STAFF: frozenset(
        {
            VIEW,
            CHANGE,
            REVEAL,
            EXPORT,
            MANAGE_ORGANIZATIONS,
            HANDLE_CASES,
            DISPATCH_CASES,
            SUPERVISE_CASES,
        }
    ),
    Role.TOWNSHIP_STAFF: frozenset(
        {VIEW, CHANGE, REVEAL, EXPORT, MANAGE_ORGANIZATIONS, HANDLE_CASES, DISPATCH_CASES}
    ),
    # A chair keeps their own union's details current; the level above founds and closes unions.
    Role.GRASSROOTS_CHAIR: frozenset(
        {VIEW, CHANGE, REVEAL, EXPORT, MANAGE_ORGANIZATIONS, HANDLE_CASES}
    ),
    Role.MEDIATOR: frozenset({VIEW, CHANGE, REVEAL, HANDLE_CASES}),
    Role.AUDITOR: frozenset({VIEW, VIEW_AUDIT, EXPORT}),
}
