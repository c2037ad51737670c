"""A union's founding record, its elections and its cadres' terms of office."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.audit.services import audit_create, audit_update, snapshot

from ..models import (
    Cadre,
    CadrePosition,
    Election,
    ElectionKind,
    FoundingRecord,
    Organization,
)
from .organizations import _require_change

# Trade Union Law (2021) art. 15: a grassroots committee serves a term of three or five years.
TERM_YEARS = (3, 5)
# Art. 11: 25 or more members must form a committee; fewer may elect one organizer instead.
COMMITTEE_THRESHOLD = 25
# Offices held by one person at a time; a by-election to one of them ends the current holder.
SINGLE_SEAT_POSITIONS = (
    CadrePosition.CHAIR,
    CadrePosition.ORGANIZER,
    CadrePosition.FUNDS_AUDITOR,
    CadrePosition.WOMEN_WORKERS,
)
# Elections that start a new term for the whole committee.
TERM_ELECTIONS = (ElectionKind.FOUNDING, ElectionKind.REGULAR)


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


def term_end_for(start: dt.date, years: int) -> dt.date:
    """Last day of a term of ``years`` that starts on the election day ``start``: the day
    before its anniversary (2022-05-01, 5 → 2027-04-30; 2024-02-29, 3 → 2027-02-28)."""
    try:
        anniversary = start.replace(year=start.year + years)
    except ValueError:  # 29 February: the anniversary in a common year is 1 March
        anniversary = dt.date(start.year + years, 3, 1)
    return anniversary - dt.timedelta(days=1)


def committee_note(founding_members: int | None) -> str:
    """The note shown for a union founded with fewer than 25 members (art. 11)."""
    if founding_members is None or founding_members >= COMMITTEE_THRESHOLD:
        return ""
    return _(
        "Fewer than 25 members: the union may elect one organizer instead of a committee "
        "(Trade Union Law art. 11)."
    )


def _as_int(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if abs(number) <= 10_000_000 else None


def _check_lengths(errors: dict, model, values: dict, prefix: str = "") -> None:
    """Text longer than the model's column allows, named by field (PostgreSQL would refuse
    it with a server error; SQLite would keep it silently)."""
    for field_name, value in values.items():
        limit = model._meta.get_field(field_name).max_length
        if limit and value and len(value) > limit:
            errors.setdefault(field_name if not prefix else prefix, []).append(
                _("%(field)s: at most %(n)s characters.")
                % {"field": model._meta.get_field(field_name).verbose_name, "n": limit}
            )


def _check_date(
    errors: dict, field: str, value, *, required: bool = True, label_missing: str = ""
) -> None:
    if value is None:
        if required:
            errors.setdefault(field, []).append(label_missing or _("Give the date."))
        return
    if value > timezone.localdate():
        errors.setdefault(field, []).append(_("The date is in the future."))


# --- founding record -------------------------------------------------------------------------


@transaction.atomic
def founding_record_save(
    *,
    by,
    organization: Organization,
    founded_on: dt.date | None,
    founding_members: int | None,
    approved_by: str = "",
    approval_number: str = "",
    first_committee: str = "",
    notes: str = "",
) -> FoundingRecord:
    """Record (or correct) how a union was founded; the organization's founding date follows."""
    org = Organization.objects.select_for_update().get(pk=organization.pk)
    _require_change(by, org)
    errors: dict[str, list[str]] = {}
    _check_date(errors, "founded_on", founded_on, label_missing=_("Give the founding date."))
    _check_lengths(
        errors,
        FoundingRecord,
        {"approved_by": approved_by, "approval_number": approval_number},
    )
    members = _as_int(founding_members)
    if members is None or members < 1:
        errors.setdefault("founding_members", []).append(
            _("Give the number of founding members (1 or more).")
        )
    if errors:
        raise ValidationError(errors)
    record = FoundingRecord.objects.select_for_update().filter(organization=org).first()
    fields = {
        "founded_on": founded_on,
        "founding_members": members,
        "approved_by": approved_by.strip(),
        "approval_number": approval_number.strip(),
        "first_committee": first_committee.strip(),
        "notes": notes.strip(),
    }
    if record is None:
        record = FoundingRecord.objects.create(organization=org, **fields)
        audit_create(by=by, obj=record)
    else:
        before = snapshot(record)
        for key, value in fields.items():
            setattr(record, key, value)
        record.save()
        audit_update(by=by, obj=record, before=before)
    if org.founded_on != founded_on:
        before = snapshot(org)
        org.founded_on = founded_on
        org.save(update_fields=["founded_on", "updated_at"])
        audit_update(by=by, obj=org, before=before, detail="founding record")
    return record


# --- elections -------------------------------------------------------------------------------


def _clean_cadre_rows(rows: list[dict], errors: dict[str, list[str]]) -> list[dict]:
    cleaned = []
    seats: dict[str, int] = {}
    for number, row in enumerate(rows, start=1):
        name = (row.get("name") or "").strip()
        position = row.get("position") or ""
        if not name and not position:
            continue  # an empty row of the form
        if not name:
            errors.setdefault("cadres", []).append(_("Row %(n)s: give the name.") % {"n": number})
        if position not in CadrePosition.values:
            errors.setdefault("cadres", []).append(
                _("Row %(n)s: choose the position.") % {"n": number}
            )
        _check_lengths(errors, Cadre, {"name": name, "rank": row.get("rank")}, prefix="cadres")
        seats[position] = seats.get(position, 0) + 1
        cleaned.append(
            {
                "name": name,
                "position": position,
                "rank": (row.get("rank") or "").strip(),
                "full_time": bool(row.get("full_time")),
                "worker": row.get("worker"),
            }
        )
    for position in SINGLE_SEAT_POSITIONS:
        if seats.get(position, 0) > 1:
            errors.setdefault("cadres", []).append(
                _("Only one person can be elected %(position)s.")
                % {"position": CadrePosition(position).label}
            )
    return cleaned


@transaction.atomic
def election_record(
    *,
    by,
    organization: Organization,
    held_on: dt.date | None,
    kind: str,
    term_years: int | None,
    members_total: int | None,
    members_voting: int | None,
    cadres: list[dict],
    approved_by: str = "",
    notes: str = "",
) -> Election:
    """Record an election and the cadres it elected.

    A founding or regular election starts a new term for the whole committee: each new cadre
    serves from ``held_on`` for ``term_years`` (3 or 5, Trade Union Law art. 15), and every
    cadre still in office from before leaves office that day (``ended_on``). A by-election
    fills vacancies until the current term ends, and ends the holder of a one-person office
    (chair, organizer, …) it fills.
    """
    org = Organization.objects.select_for_update().get(pk=organization.pk)
    _require_change(by, org)
    errors: dict[str, list[str]] = {}
    if not org.is_active:
        errors.setdefault("organization", []).append(_("This organization is closed."))
    _check_date(errors, "held_on", held_on, label_missing=_("Give the date of the election."))
    if kind not in ElectionKind.values:
        errors.setdefault("kind", []).append(_("Choose the kind of election."))
    years = _as_int(term_years)
    if years not in TERM_YEARS:
        errors.setdefault("term_years", []).append(
            _("A term lasts 3 or 5 years (Trade Union Law art. 15).")
        )
    total, voting = _as_int(members_total), _as_int(members_voting)
    if total is None or total < 1:
        errors.setdefault("members_total", []).append(
            _("Give the number of members entitled to vote (1 or more).")
        )
    if voting is None or voting < 0:
        errors.setdefault("members_voting", []).append(
            _("Give the number of members who voted (0 or more).")
        )
    elif total is not None and voting > total:
        errors.setdefault("members_voting", []).append(
            _("More members voted (%(voting)s) than were entitled to vote (%(total)s).")
            % {"voting": voting, "total": total}
        )
    _check_lengths(errors, Election, {"approved_by": approved_by})
    rows = _clean_cadre_rows(cadres, errors)
    if not rows and "cadres" not in errors:
        errors.setdefault("cadres", []).append(_("Enter at least one person elected."))
    last_term = (
        Election.objects.filter(organization=org, kind__in=TERM_ELECTIONS)
        .order_by("-held_on", "-pk")
        .first()
    )
    if held_on and last_term is not None and kind in ElectionKind.values:
        if kind in TERM_ELECTIONS and held_on <= last_term.held_on:
            errors.setdefault("held_on", []).append(
                _("An election of %(date)s is already recorded: record elections in order.")
                % {"date": last_term.held_on.isoformat()}
            )
        elif kind == ElectionKind.BY_ELECTION and held_on < last_term.held_on:
            errors.setdefault("held_on", []).append(
                _("A by-election cannot come before the election of %(date)s.")
                % {"date": last_term.held_on.isoformat()}
            )
    if errors:
        raise ValidationError(errors)

    election = Election.objects.create(
        organization=org,
        held_on=held_on,
        kind=kind,
        term_years=years,
        members_total=total,
        members_voting=voting,
        approved_by=approved_by.strip(),
        notes=notes.strip(),
    )
    audit_create(by=by, obj=election)

    in_office = Cadre.objects.select_for_update().filter(
        organization=org, ended_on__isnull=True, term_start__lt=held_on
    )
    if kind in TERM_ELECTIONS:
        term_end = term_end_for(held_on, years)
        leaving = list(in_office)
    else:
        # The by-elected serve out the current committee's term.
        current_end = max((c.term_end for c in in_office), default=None)
        term_end = current_end if current_end and current_end > held_on else None
        term_end = term_end or term_end_for(held_on, years)
        filled = {r["position"] for r in rows} & set(SINGLE_SEAT_POSITIONS)
        leaving = [c for c in in_office if c.position in filled]
    for cadre in leaving:
        before = snapshot(cadre)
        cadre.ended_on = held_on
        cadre.save(update_fields=["ended_on"])
        audit_update(by=by, obj=cadre, before=before, detail="election")
    for row in rows:
        cadre = Cadre.objects.create(
            organization=org,
            election=election,
            term_start=held_on,
            term_end=term_end,
            **row,
        )
        audit_create(by=by, obj=cadre, detail="election")
    return election


# --- single cadres ---------------------------------------------------------------------------


def _clean_cadre(cadre: Cadre) -> None:
    errors: dict[str, list[str]] = {}
    cadre.name = (cadre.name or "").strip()
    cadre.rank = (cadre.rank or "").strip()
    if not cadre.name:
        errors.setdefault("name", []).append(_("Give the name."))
    _check_lengths(errors, Cadre, {"name": cadre.name, "rank": cadre.rank})
    if cadre.position not in CadrePosition.values:
        errors.setdefault("position", []).append(_("Choose the position."))
    if cadre.term_start is None:
        errors.setdefault("term_start", []).append(_("Give the first day of the term."))
    if cadre.term_end is None:
        errors.setdefault("term_end", []).append(_("Give the last day of the term."))
    elif cadre.term_start is not None and cadre.term_end <= cadre.term_start:
        errors.setdefault("term_end", []).append(_("The term must end after it starts."))
    if cadre.ended_on and cadre.term_start and cadre.ended_on < cadre.term_start:
        errors.setdefault("ended_on", []).append(
            _("The date of leaving office is before the term started.")
        )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def cadre_create(
    *,
    by,
    organization: Organization,
    name: str,
    position: str,
    term_start: dt.date | None,
    term_end: dt.date | None,
    rank: str = "",
    full_time: bool = False,
    worker=None,
) -> Cadre:
    """Enter a cadre outside an election (an appointment, or a committee already in office)."""
    org = Organization.objects.select_for_update().get(pk=organization.pk)
    _require_change(by, org)
    if not org.is_active:
        raise ValidationError({"organization": _("This organization is closed.")})
    cadre = Cadre(
        organization=org,
        name=name,
        position=position,
        rank=rank,
        full_time=bool(full_time),
        term_start=term_start,
        term_end=term_end,
        worker=worker,
    )
    _clean_cadre(cadre)
    cadre.save()
    audit_create(by=by, obj=cadre)
    return cadre


CADRE_EDITABLE_FIELDS = ("name", "position", "rank", "full_time", "term_start", "term_end")


@transaction.atomic
def cadre_update(*, by, cadre: Cadre, **changes) -> Cadre:
    unknown = set(changes) - set(CADRE_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable here: {sorted(unknown)}")
    cadre = Cadre.objects.select_for_update().select_related("organization").get(pk=cadre.pk)
    _require_change(by, cadre.organization)
    before = snapshot(cadre)
    for key, value in changes.items():
        setattr(cadre, key, value)
    _clean_cadre(cadre)
    cadre.save()
    audit_update(by=by, obj=cadre, before=before)
    return cadre


@transaction.atomic
def cadre_end(*, by, cadre: Cadre, ended_on: dt.date | None = None) -> Cadre:
    """A cadre leaves office before (or at) the end of the term."""
    cadre = Cadre.objects.select_for_update().select_related("organization").get(pk=cadre.pk)
    _require_change(by, cadre.organization)
    if cadre.ended_on is not None:
        raise ValidationError({"ended_on": _("This cadre has already left office.")})
    ended_on = ended_on or timezone.localdate()
    errors: dict[str, list[str]] = {}
    _check_date(errors, "ended_on", ended_on)
    if errors:
        raise ValidationError(errors)
    before = snapshot(cadre)
    cadre.ended_on = ended_on
    _clean_cadre(cadre)
    cadre.save(update_fields=["ended_on"])
    audit_update(by=by, obj=cadre, before=before, detail="left office")
    return cadre
