"""Employers: created and kept current by the union that is responsible for their records."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gonghui.accounts.roles import CHANGE
from gonghui.audit.services import audit_create, audit_update, snapshot
from gonghui.core import identifiers as ids

from ..models import (
    Employer,
    EmployerSize,
    Industry,
    Organization,
    Ownership,
)
from .organizations import validate_region_code

# More than any employer has; keeps a typing slip (or a fuzzer) out of the integer column.
MAX_HEADCOUNT = 10_000_000


def in_scope(by, organization: Organization | None) -> bool:
    """The organization lies in the actor's subtree (a system action, ``by=None``, sees all)."""
    if by is None or by.is_superuser:
        return True
    prefix = by.scope_prefix
    return bool(prefix) and organization is not None and organization.path.startswith(prefix)


def _require_employer_change(by, organization: Organization | None = None) -> None:
    """The actor may change records (and those of ``organization``, when one is given)."""
    if by is None:
        return
    if not by.can(CHANGE):
        raise PermissionDenied(_("Your role may not change records."))
    if organization is not None and not in_scope(by, organization):
        raise PermissionDenied(_("This employer is outside your scope."))


def worker_type_keys() -> list[str]:
    from gonghui.members.models import WorkerType

    return list(WorkerType.values)


def _clean_headcount_by_type(value, errors: dict[str, list[str]]) -> dict[str, int]:
    """{"regular": n, …} with known worker types and whole numbers ≥ 0; zeros are dropped."""
    if value in (None, ""):
        return {}
    if not isinstance(value, dict):
        errors.setdefault("headcount_by_type", []).append(
            _("Workers by type must name a worker type and a number for each.")
        )
        return {}
    known = worker_type_keys()
    result: dict[str, int] = {}
    for key, number in value.items():
        if key not in known:
            errors.setdefault("headcount_by_type", []).append(
                _("%(key)s is not a worker type.") % {"key": key}
            )
            continue
        if number in (None, ""):
            continue
        try:
            number = int(number)
        except (TypeError, ValueError):
            number = -1
        if not 0 <= number <= MAX_HEADCOUNT:
            errors.setdefault("headcount_by_type", []).append(
                _("The number of workers of each type is a whole number, 0 or more.")
            )
            continue
        if number:
            result[key] = number
    return result


def _clean(employer: Employer, by) -> None:
    """Validate every field, collecting all errors at once, each under its field's name."""
    errors: dict[str, list[str]] = {}
    employer.name = (employer.name or "").strip()
    employer.address = (employer.address or "").strip()
    employer.above_designated_size = bool(employer.above_designated_size)
    if not employer.name:
        errors.setdefault("name", []).append(_("Give the employer's name."))
    for field_name in ("name", "address"):
        limit = Employer._meta.get_field(field_name).max_length
        if len(getattr(employer, field_name)) > limit:
            errors.setdefault(field_name, []).append(_("At most %(n)s characters.") % {"n": limit})
    try:
        employer.uscc = ids.parse_uscc(employer.uscc or "")
    except ids.IdentifierError as exc:
        errors.setdefault("uscc", []).append(str(exc.message))
    else:
        other = Employer.objects.filter(uscc=employer.uscc).exclude(pk=employer.pk).first()
        if other is not None:
            # Name the other record only to someone who may see it.
            errors.setdefault("uscc", []).append(
                _("%(name)s already has this credit code.") % {"name": other.name}
                if in_scope(by, other.organization)
                else _("Another employer already has this credit code.")
            )
    if employer.ownership not in Ownership.values:
        errors.setdefault("ownership", []).append(_("Choose the ownership."))
    if employer.industry not in Industry.values:
        errors.setdefault("industry", []).append(
            _("Choose the industry section of GB/T 4754 (A to T).")
        )
    if employer.size and employer.size not in EmployerSize.values:
        errors.setdefault("size", []).append(_("Choose a size from the list."))
    try:
        employer.region_code = validate_region_code(employer.region_code or "")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        employer.headcount = int(employer.headcount)
    except (TypeError, ValueError):
        employer.headcount = -1
    if not 0 <= employer.headcount <= MAX_HEADCOUNT:
        errors.setdefault("headcount", []).append(
            _("The number of workers employed is a whole number, 0 or more.")
        )
    employer.headcount_by_type = _clean_headcount_by_type(employer.headcount_by_type, errors)
    parts = sum(employer.headcount_by_type.values())
    if 0 <= employer.headcount <= MAX_HEADCOUNT and parts > employer.headcount:
        errors.setdefault("headcount_by_type", []).append(
            _("The workers by type add up to %(parts)s, more than the %(total)s workers employed.")
            % {"parts": parts, "total": employer.headcount}
        )
    union = employer.union
    if union is not None:
        if not union.is_grassroots:
            errors.setdefault("union", []).append(
                _("Choose a grassroots union (own or joint) as the employer's union.")
            )
        elif not union.is_active:
            errors.setdefault("union", []).append(_("This union is closed."))
        elif not in_scope(by, union):
            errors.setdefault("union", []).append(_("This union is outside your scope."))
        else:
            # The union that covers the employer holds its records (see Employer.organization).
            employer.organization = union
    elif employer.organization_id is None:
        errors.setdefault("organization", []).append(
            _("Without a union, choose the union responsible for the employer's records.")
        )
    else:
        org = employer.organization
        if org.is_grassroots:
            # An employer leaving a union goes back to the level above it.
            employer.organization = org.parent
        if not employer.organization.is_active:
            errors.setdefault("organization", []).append(_("This organization is closed."))
        elif not in_scope(by, employer.organization):
            errors.setdefault("organization", []).append(
                _("This organization is outside your scope.")
            )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def employer_create(
    *,
    by,
    uscc: str,
    name: str,
    ownership: str,
    industry: str,
    region_code: str,
    organization: Organization | None = None,
    union: Organization | None = None,
    size: str = "",
    above_designated_size: bool = False,
    address: str = "",
    headcount: int = 0,
    headcount_by_type: dict[str, int] | None = None,
) -> Employer:
    """Put an employer on record, under its union when it has one, else under ``organization``
    (the township, park or sector union of its location)."""
    _require_employer_change(by)  # where it goes is checked field by field in _clean
    employer = Employer(
        uscc=uscc,
        name=name,
        ownership=ownership,
        industry=industry,
        region_code=region_code,
        organization=organization,
        union=union,
        size=size or "",
        above_designated_size=bool(above_designated_size),
        address=(address or "").strip(),
        headcount=headcount if headcount is not None else 0,
        headcount_by_type=headcount_by_type or {},
    )
    _clean(employer, by)
    employer.save()
    audit_create(by=by, obj=employer)
    return employer


EMPLOYER_EDITABLE_FIELDS = (
    "uscc",
    "name",
    "ownership",
    "industry",
    "size",
    "above_designated_size",
    "region_code",
    "address",
    "headcount",
    "headcount_by_type",
    "union",
    "organization",
)


@transaction.atomic
def employer_update(*, by, employer: Employer, **changes) -> Employer:
    """Change an employer's details. A new name moves the old one into ``former_names``."""
    unknown = set(changes) - set(EMPLOYER_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable here: {sorted(unknown)}")
    employer = (
        Employer.objects.select_for_update().select_related("organization").get(pk=employer.pk)
    )
    _require_employer_change(by, employer.organization)
    before = snapshot(employer)
    old_name = employer.name
    for key, value in changes.items():
        if key == "organization" and value is None:
            continue  # kept; an employer leaving its union goes to the level above (_clean)
        if key in ("size", "address") and value is None:
            value = ""
        setattr(employer, key, value)
    _clean(employer, by)
    if employer.name != old_name:
        former = [n for n in (employer.former_names or []) if n != employer.name]
        if old_name not in former:
            former.append(old_name)
        employer.former_names = former
    employer.save()
    audit_update(by=by, obj=employer, before=before)
    return employer
