"""Changes to the tree of organizations. Each function checks the actor's right over the
records it touches, writes the audit log in the same transaction, and keeps paths exact."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Length, Substr
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gonghui.accounts.roles import MANAGE_ORGANIZATIONS
from gonghui.audit.services import audit_create, audit_record, audit_update, snapshot
from gonghui.core import identifiers as ids

from ..models import (
    GRASSROOTS_KINDS,
    Organization,
    OrganizationKind,
    OrganizationStatus,
    path_segment,
)


def _require_change(by, organization: Organization | None) -> None:
    """The actor may change records at ``organization`` (or anywhere, for None: superusers)."""
    if by is None:
        return  # system actions: seeding, imports run by the administrator's shell
    if not by.can(MANAGE_ORGANIZATIONS):
        raise PermissionDenied(_("Your role may not change organizations."))
    if by.is_superuser:
        return
    if organization is None or not organization.path.startswith(by.scope_prefix):
        raise PermissionDenied(_("This organization is outside your scope."))


def validate_region_code(code: str) -> str:
    code = "".join(code.split())
    if not code.isdigit() or len(code) not in (6, 9, 12):
        raise ValidationError(
            {"region_code": _("A region code has 6 digits (GB/T 2260), or 9 or 12 for a township.")}
        )
    if not ids.area_code_known(code[:6]) and not code[:6].endswith("0000"):
        raise ValidationError(
            {
                "region_code": _(
                    "%(code)s is not in the national table of region codes of any year."
                )
                % {"code": code[:6]}
            }
        )
    return code


def _clean(org: Organization) -> None:
    errors: dict[str, list[str]] = {}
    if org.parent is None and org.kind != OrganizationKind.FEDERATION:
        errors.setdefault("parent", []).append(
            _("Only a federation can stand at the top of the tree.")
        )
    if org.parent is not None and org.parent.is_grassroots:
        errors.setdefault("parent", []).append(
            _("A grassroots union cannot have organizations under it.")
        )
    if org.parent is not None and not org.parent.is_active:
        errors.setdefault("parent", []).append(_("The parent organization is closed."))
    if org.kind == OrganizationKind.FEDERATION and not org.level:
        errors.setdefault("level", []).append(_("Choose the level of this federation."))
    if org.uscc:
        try:
            org.uscc = ids.parse_uscc(org.uscc)
        except ids.IdentifierError as exc:
            errors.setdefault("uscc", []).append(str(exc.message))
    try:
        org.region_code = validate_region_code(org.region_code)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if org.founded_on and org.founded_on > timezone.localdate():
        errors.setdefault("founded_on", []).append(_("The founding date is in the future."))
    code_taken = Organization.objects.filter(code=org.code).exclude(pk=org.pk).exists()
    if code_taken:
        errors.setdefault("code", []).append(_("Another organization already has this code."))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def organization_create(
    *,
    by,
    parent: Organization | None,
    code: str,
    name: str,
    kind: str,
    region_code: str,
    level: str = "",
    short_name: str = "",
    uscc: str = "",
    founded_on: dt.date | None = None,
    address: str = "",
    phone: str = "",
) -> Organization:
    _require_change(by, parent)
    if parent is None and by is not None and not by.is_superuser:
        raise PermissionDenied(_("Only a system administrator can create a top-level federation."))
    org = Organization(
        parent=parent,
        code=code.strip(),
        name=name.strip(),
        kind=kind,
        level=level if kind == OrganizationKind.FEDERATION else "",
        region_code=region_code,
        short_name=short_name.strip(),
        uscc=uscc,
        founded_on=founded_on,
        address=address.strip(),
        phone=phone.strip(),
    )
    _clean(org)
    org.save()
    org.path = (parent.path if parent else "") + path_segment(org.pk)
    org.depth = parent.depth + 1 if parent else 0
    org.save(update_fields=["path", "depth"])
    audit_create(by=by, obj=org)
    return org


EDITABLE_FIELDS = (
    "code",
    "name",
    "short_name",
    "kind",
    "level",
    "region_code",
    "uscc",
    "founded_on",
    "address",
    "phone",
)


@transaction.atomic
def organization_update(*, by, organization: Organization, **changes) -> Organization:
    org = Organization.objects.select_for_update().get(pk=organization.pk)
    _require_change(by, org)
    before = snapshot(org)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable here: {sorted(unknown)}")
    for key, value in changes.items():
        setattr(org, key, value.strip() if isinstance(value, str) else value)
    if org.kind in GRASSROOTS_KINDS and org.children.exists():
        raise ValidationError(
            {"kind": _("An organization with organizations under it cannot be a grassroots union.")}
        )
    _clean(org)
    org.save()
    audit_update(by=by, obj=org, before=before)
    return org


# --- closing ---------------------------------------------------------------------------------
#
# A union is not closed while people still depend on it. Each condition is a function
# ``check(organization) -> list[str]`` returning the reasons that block closing (empty: none).

ClosingCheck = Callable[[Organization], list[str]]
_CLOSING_CHECKS: list[ClosingCheck] = []


def register_closing_check(check: ClosingCheck) -> ClosingCheck:
    """Hook for other areas to add a condition that blocks closing a union.

    The SOE-restructuring area adds its rule here: a grassroots union of an employer being
    restructured may not be closed while that employer's workers remain (their resettlement
    plan needs the workers' congress, Law on State-Owned Assets of Enterprises art. 41, and the
    union must stay to represent them). Register once, from the area's ``AppConfig.ready()``::

        from gonghui.organizations.services import register_closing_check
        register_closing_check(restructuring_blocks_closing)
    """
    if check not in _CLOSING_CHECKS:
        _CLOSING_CHECKS.append(check)
    return check


def unregister_closing_check(check: ClosingCheck) -> None:
    if check in _CLOSING_CHECKS:
        _CLOSING_CHECKS.remove(check)


def _members_remain(org: Organization) -> list[str]:
    """Until the restructuring area knows which employers are being restructured, every
    grassroots union keeps this stricter rule: no closing while it has active members (Trade
    Union Law art. 12: a union closes with its employer, and its members' membership is kept —
    so they are transferred or their membership ended first, never silently orphaned)."""
    from gonghui.members.models import Membership, MembershipStatus

    if not org.is_grassroots:
        return []
    remaining = Membership.objects.filter(union=org, status=MembershipStatus.ACTIVE).count()
    if not remaining:
        return []
    return [
        ngettext(
            "%(n)s member still belongs to this union: transfer the membership or end it first.",
            "%(n)s members still belong to this union: transfer their memberships or end them "
            "first.",
            remaining,
        )
        % {"n": remaining}
    ]


def closing_blockers(org: Organization) -> list[str]:
    """Every reason why ``org`` may not be closed now (empty list: it may be closed)."""
    blockers = []
    if org.is_active and org.descendants().active().exists():
        blockers.append(_("Close or move the organizations under it first."))
    blockers += _members_remain(org)
    for check in _CLOSING_CHECKS:
        blockers += check(org)
    return blockers


@transaction.atomic
def organization_close(
    *, by, organization: Organization, reason: str, closed_on: dt.date | None = None
) -> Organization:
    """Close a union with a reason; refused while any of ``closing_blockers`` applies."""
    org = Organization.objects.select_for_update().get(pk=organization.pk)
    _require_change(by, org)
    if by is not None and not by.is_superuser and org.path == by.scope_prefix:
        raise PermissionDenied(
            _("You cannot close your own organization; the level above does that.")
        )
    errors: dict[str, list[str]] = {}
    if not reason.strip():
        errors["reason"] = [_("Give the reason for closing.")]
    if closed_on and closed_on > timezone.localdate():
        errors["closed_on"] = [_("The closing date is in the future.")]
    elif closed_on and org.founded_on and closed_on < org.founded_on:
        errors["closed_on"] = [_("The closing date is before the founding date.")]
    if not org.is_active:
        errors["status"] = [_("This organization is already closed.")]
    else:
        blockers = closing_blockers(org)
        if blockers:
            errors["status"] = blockers
    if errors:
        raise ValidationError(errors)
    before = snapshot(org)
    org.status = OrganizationStatus.CLOSED
    org.closed_on = closed_on or timezone.localdate()
    org.closed_reason = reason.strip()
    org.save(update_fields=["status", "closed_on", "closed_reason", "updated_at"])
    audit_update(by=by, obj=org, before=before, detail="close")
    return org


@transaction.atomic
def organization_reopen(*, by, organization: Organization) -> Organization:
    org = Organization.objects.select_for_update().get(pk=organization.pk)
    _require_change(by, org)
    if org.is_active:
        raise ValidationError({"status": _("This organization is already active.")})
    if org.parent is not None and not org.parent.is_active:
        raise ValidationError({"status": _("Re-open the parent organization first.")})
    before = snapshot(org)
    org.status = OrganizationStatus.ACTIVE
    org.closed_on = None
    org.closed_reason = ""
    org.save(update_fields=["status", "closed_on", "closed_reason", "updated_at"])
    audit_update(by=by, obj=org, before=before, detail="reopen")
    return org


@transaction.atomic
def organization_move(*, by, organization: Organization, new_parent: Organization) -> Organization:
    """Move a whole subtree under another parent: one UPDATE rewrites every path below."""
    org = Organization.objects.select_for_update().get(pk=organization.pk)
    new_parent = Organization.objects.select_for_update().get(pk=new_parent.pk)
    _require_change(by, org)
    _require_change(by, new_parent)
    if by is not None and not by.is_superuser and org.path == by.scope_prefix:
        raise PermissionDenied(_("You cannot move your own organization."))
    if new_parent.path.startswith(org.path):
        raise ValidationError(
            {"parent": _("An organization cannot move under itself or its own subtree.")}
        )
    if new_parent.is_grassroots:
        raise ValidationError(
            {"parent": _("A grassroots union cannot have organizations under it.")}
        )
    if not new_parent.is_active:
        raise ValidationError({"parent": _("The new parent organization is closed.")})
    old_path, old_depth, old_parent_id = org.path, org.depth, org.parent_id
    new_path = new_parent.path + path_segment(org.pk)
    depth_shift = new_parent.depth + 1 - old_depth
    Organization.objects.filter(path__subtree=old_path).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1, Length("path"))),
        depth=F("depth") + depth_shift,
    )
    Organization.objects.filter(pk=org.pk).update(parent=new_parent)
    org.refresh_from_db()
    audit_record(
        by=by,
        action="update",
        obj=org,
        changes={"parent": [old_parent_id, new_parent.pk], "path": [old_path, org.path]},
        detail="move",
    )
    return org
