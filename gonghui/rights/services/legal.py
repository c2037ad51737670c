"""Mediation of labor disputes, referrals to government bodies, labor-law supervision notices.

Every function here checks the actor's right (HANDLE_CASES) and scope, validates everything
before writing (a ValidationError names the field), locks the row it changes, writes the audit
log and, where a case is involved, an event on the case's timeline through part A's
``case_event_add`` (the case's state itself only ever changes through ``services.cases``).

Law (DOMAIN-RULES "Labor disputes"):
- Labor Dispute Mediation and Arbitration Law art. 14: no agreement within 15 days of the
  mediation body receiving the application → the parties may go to arbitration. Counted in
  calendar days per Civil Code arts. 201 and 203 (``workdays.calendar_deadline``).
- Art. 16: a mediation agreement on wage arrears may be taken to court for a payment order.
- Art. 27: arbitration limitation one year from when the worker knew or should have known of
  the infringement; for pay during employment, one year after employment ends.
- Legal Aid Law art. 44: fewer than 7 days left on a limitation period makes legal aid urgent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.accounts.models import User
from gonghui.accounts.roles import HANDLE_CASES
from gonghui.audit.services import audit_create, audit_update, snapshot
from gonghui.core import identifiers as ids
from gonghui.core import workdays
from gonghui.organizations.models import Employer, Organization

from .. import codes
from ..models import (
    Attachment,
    Body,
    Case,
    CasePause,
    CaseStatus,
    EventKind,
    HandlingMethod,
    Mediation,
    MediationClaim,
    MediationSession,
    MediationStatus,
    PauseReason,
    Referral,
    ReferralStatus,
    SupervisionNotice,
)
from .cases import case_event_add, case_pause, case_resume, case_start_handling

MEDIATION_DAYS = 15  # Labor Dispute Mediation and Arbitration Law art. 14
LIMITATION_YEARS = 1  # same law, art. 27
URGENT_DAYS = 7  # Legal Aid Law art. 44: 不足七日 (fewer than 7) → urgent
NOTICE_REPLY_DAYS = 15  # [U] no statute sets it; local practice, configurable here
MAX_AMOUNT = Decimal("999999999999.99")
# A case is worked on (mediated, referred) only once it is with a handler.
WORKABLE = (CaseStatus.ASSIGNED, CaseStatus.IN_HANDLING)


# --- shared checks ---------------------------------------------------------------------------


def _today() -> dt.date:
    return timezone.localdate()


def _platform_language():
    """What the worker reads later (status page, SMS) is written in the platform's language,
    whoever triggers it (as part A's transitions do)."""
    return translation.override(settings.LANGUAGE_CODE)


def _require_handler(by) -> None:
    if by is None or not by.can(HANDLE_CASES):
        raise PermissionDenied(_("Your role may not work on cases."))


def _require_visible(by, obj) -> None:
    """The record lies in the actor's scope (services are called with records the caller
    loaded through the scope, but an API or a bug must not get around it)."""
    if by.is_superuser:
        return
    if not type(obj).objects.visible_to(by).filter(pk=obj.pk).exists():
        raise PermissionDenied(_("This record is outside your scope."))


def parse_amount(value, field: str, errors: dict) -> Decimal:
    """Yuan with at most two decimals, never negative; a wrong value adds a message."""
    if value in (None, ""):
        return Decimal("0.00")
    try:
        amount = Decimal(str(value).replace(",", "").replace("，", "").strip())
    except InvalidOperation:
        errors[field] = _("Enter an amount in yuan, such as 3500 or 3500.50.")
        return Decimal("0.00")
    if not amount.is_finite():
        errors[field] = _("Enter an amount in yuan, such as 3500 or 3500.50.")
    elif amount < 0:
        errors[field] = _("The amount cannot be negative.")
    elif amount > MAX_AMOUNT:
        errors[field] = _("The amount is too large.")
    elif amount != amount.quantize(Decimal("0.01")):
        errors[field] = _("Amounts have at most two decimal places (fen).")
    else:
        return amount.quantize(Decimal("0.01"))
    return Decimal("0.00")


def _text(value, field: str, errors: dict, *, required: bool, limit: int, message: str) -> str:
    value = (value or "").strip()
    if required and not value:
        errors[field] = message
    elif len(value) > limit:
        errors[field] = _("At most %(n)d characters.") % {"n": limit}
    return value


def _date(value, field: str, errors: dict, *, required: bool, message: str):
    if value in (None, ""):
        if required:
            errors[field] = message
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        errors[field] = _("Enter a date like 2026-01-31.")
        return None


def _not_future(value, field: str, errors: dict) -> None:
    if value is not None and field not in errors and value > _today():
        errors[field] = _("This date is in the future.")


def _case_event(case: Case, by, *, public_text: str = "", internal_note: str = "", **data):
    kind = data.pop("kind", EventKind.NOTE)
    return case_event_add(
        case=case,
        kind=kind,
        by=by,
        public_text=public_text,
        internal_note=internal_note,
        data=data,
    )


def _locked_case(case: Case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk)


def _start_handling_if_assigned(*, by, case: Case, method: str, errors_field: str) -> Case:
    """A case that is only assigned starts handling with this method (part A's transition);
    one in handling stays as it is; any other state cannot be worked on."""
    if case.status == CaseStatus.IN_HANDLING:
        return case
    if case.status != CaseStatus.ASSIGNED:
        raise ValidationError(
            {
                errors_field: _(
                    "The case is %(status)s: only a case assigned to a handler or in handling "
                    "can be worked on."
                )
                % {"status": case.get_status_display()}
            }
        )
    case_start_handling(by=by, case=case, method=method)
    case.refresh_from_db()
    return case


# --- mediation -------------------------------------------------------------------------------


def statutory_due_for(received_on: dt.date) -> dt.date:
    """15 days after the mediation body receives the application (art. 14), counted from the
    next day (Civil Code art. 201), moved off a rest day (art. 203)."""
    return workdays.calendar_deadline(received_on, MEDIATION_DAYS)


def _add_years(day: dt.date, years: int) -> dt.date:
    # Civil Code art. 202: a period in years ends on the corresponding day; with none (29 Feb)
    # on the last day of that month.
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def limitation_ends_for(
    *, knew_on: dt.date | None, employment_ended_on: dt.date | None, pay_claim: bool
) -> dt.date | None:
    """Last day to apply for arbitration (art. 27).

    One year from when the worker knew of the infringement; for pay owed during employment
    the period does not run while the employment lasts and ends one year after it ends
    (art. 27 para. 4), so ``None`` while the worker is still employed. The year starts the
    next day (Civil Code art. 201), ends on the corresponding day (art. 202) and moves off a
    rest day (art. 203).

    This is the conservative date: applying for mediation interrupts the period (art. 27
    para. 2) and it may restart later, which can only give the worker more time.
    """
    start = employment_ended_on if pay_claim else knew_on
    if start is None:
        return None
    return workdays.add_working_days(_add_years(start, LIMITATION_YEARS), 0)


def _clean_claims(claims, errors: dict) -> list[dict]:
    cleaned = []
    for index, claim in enumerate(claims or []):
        item = (claim.get("item") or "").strip()
        amount_raw = claim.get("amount")
        if not item and amount_raw in (None, ""):
            continue  # an empty row of the form
        if not item:
            errors[f"claims.{index}.item"] = _("Say what is claimed.")
        elif len(item) > 200:
            errors[f"claims.{index}.item"] = _("At most %(n)d characters.") % {"n": 200}
        amount = parse_amount(amount_raw, f"claims.{index}.amount", errors)
        cleaned.append({"item": item, "amount": amount})
    if not cleaned and not any(k.startswith("claims.") for k in errors):
        errors["claims"] = _("Enter at least one claim (what the worker asks for).")
    return cleaned


def mediation_open(
    *,
    by,
    case: Case,
    body: str,
    mediator: User,
    received_on,
    claims: list[dict],
    knew_on=None,
    employment_ended_on=None,
    pay_claim: bool = False,
    applicant_name: str = "",
    applicant_id_number: str = "",
    applicant_address: str = "",
    respondent_name: str = "",
    respondent_representative: str = "",
    respondent_address: str = "",
    facts: str = "",
) -> Mediation:
    """Open the mediation of a case's labor dispute.

    The applicant defaults to the case's complainant and the respondent to its employer. A case
    that is only assigned starts handling with the method "mediation". ``claims`` is a list of
    ``{"item", "amount"}``. ``statutory_due`` is 15 days after ``received_on`` (art. 14).
    """
    _require_handler(by)
    _require_visible(by, case)
    errors: dict[str, str] = {}
    body = _text(
        body, "body", errors, required=True, limit=200, message=_("Name the mediation body.")
    )
    if mediator is None:
        errors["mediator"] = _("Choose the mediator.")
    elif not (
        mediator.is_active
        and mediator.can(HANDLE_CASES)
        and (mediator.is_superuser or Case.objects.visible_to(mediator).filter(pk=case.pk).exists())
    ):
        errors["mediator"] = _("The mediator must be a case handler who can see this case.")
    applicant_name = " ".join((applicant_name or case.complainant_name or "").split())
    if not applicant_name:
        errors["applicant_name"] = _("Enter the applicant's (the worker's) name.")
    elif not 2 <= len(applicant_name) <= 64:
        errors["applicant_name"] = _("A name has 2 to 64 characters.")
    applicant_id_number = (applicant_id_number or case.complainant_id_number or "").strip()
    if applicant_id_number:
        try:
            applicant_id_number = ids.parse_resident_id(applicant_id_number).number
        except ids.IdentifierError as exc:
            errors["applicant_id_number"] = str(exc.message)
    applicant_address = _text(
        applicant_address, "applicant_address", errors, required=False, limit=255, message=""
    )
    default_respondent = case.employer.name if case.employer_id else case.employer_name_given
    respondent_name = _text(
        respondent_name or default_respondent,
        "respondent_name",
        errors,
        required=True,
        limit=200,
        message=_("Enter the respondent (the employer)."),
    )
    respondent_representative = _text(
        respondent_representative,
        "respondent_representative",
        errors,
        required=False,
        limit=64,
        message="",
    )
    default_address = case.employer.address if case.employer_id else ""
    respondent_address = _text(
        respondent_address or default_address,
        "respondent_address",
        errors,
        required=False,
        limit=255,
        message="",
    )
    received_on = _date(
        received_on,
        "received_on",
        errors,
        required=True,
        message=_("Enter the day the application was received."),
    )
    _not_future(received_on, "received_on", errors)
    case_day = timezone.localdate(case.received_at)
    if received_on and "received_on" not in errors and received_on < case_day:
        errors["received_on"] = _("The application cannot be received before the case (%(d)s).") % {
            "d": case_day.isoformat()
        }
    knew_on = _date(
        knew_on,
        "knew_on",
        errors,
        required=not pay_claim,
        message=_(
            "Enter when the worker knew of the infringement: the "
            "limitation period runs from that day."
        ),
    )
    _not_future(knew_on, "knew_on", errors)
    employment_ended_on = _date(
        employment_ended_on, "employment_ended_on", errors, required=False, message=""
    )
    _not_future(employment_ended_on, "employment_ended_on", errors)
    facts = _text(facts, "facts", errors, required=False, limit=5000, message="")
    clean_claims = _clean_claims(claims, errors)
    if case.status not in WORKABLE:
        errors.setdefault(
            "case",
            _(
                "The case is %(status)s: only a case assigned to a handler or in handling "
                "can be mediated."
            )
            % {"status": case.get_status_display()},
        )
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        case = _locked_case(case)
        if case.mediations.filter(status=MediationStatus.OPEN).exists():
            raise ValidationError({"case": _("This case is already in mediation.")})
        case = _start_handling_if_assigned(
            by=by, case=case, method=HandlingMethod.MEDIATION, errors_field="case"
        )
        mediation = Mediation.objects.create(
            case=case,
            body=body,
            mediator=mediator,
            applicant_name=applicant_name,
            applicant_id_number=applicant_id_number,
            applicant_address=applicant_address,
            respondent_name=respondent_name,
            respondent_representative=respondent_representative,
            respondent_address=respondent_address,
            received_on=received_on,
            statutory_due=statutory_due_for(received_on),
            knew_on=knew_on,
            employment_ended_on=employment_ended_on,
            pay_claim=bool(pay_claim),
            facts=facts,
        )
        MediationClaim.objects.bulk_create(
            MediationClaim(mediation=mediation, **claim) for claim in clean_claims
        )
        with _platform_language():
            _case_event(
                case,
                by,
                kind=EventKind.MEDIATION,
                public_text=_(
                    "Mediation of your dispute began at %(body)s. The law gives it 15 days: an "
                    "agreement is due by %(date)s."
                )
                % {"body": body, "date": mediation.statutory_due.isoformat()},
                mediation=mediation.pk,
                action="opened",
            )
        audit_create(by=by, obj=mediation)
    return mediation


def _locked_mediation(mediation: Mediation) -> Mediation:
    return (
        Mediation.objects.select_for_update(of=("self",))
        .select_related("case")
        .get(pk=mediation.pk)
    )


def _ended_message(mediation: Mediation) -> str:
    return _("This mediation has already ended (%(status)s).") % {
        "status": mediation.get_status_display()
    }


def mediation_session_add(
    *, by, mediation: Mediation, held_at, record: str, place: str = "", attendees: str = ""
) -> MediationSession:
    """Record one mediation session (who came, what was said)."""
    _require_handler(by)
    _require_visible(by, mediation)
    errors: dict[str, str] = {}
    if not isinstance(held_at, dt.datetime):
        errors["held_at"] = _("Enter when the session was held.")
    else:
        if timezone.is_naive(held_at):
            held_at = timezone.make_aware(held_at)
        day = timezone.localdate(held_at)
        if held_at > timezone.now():
            errors["held_at"] = _("This date is in the future.")
        elif day < mediation.received_on:
            errors["held_at"] = _("A session cannot be held before the application was received.")
    record = _text(
        record,
        "record",
        errors,
        required=True,
        limit=10000,
        message=_("Write down what was said and agreed in the session."),
    )
    place = _text(place, "place", errors, required=False, limit=200, message="")
    attendees = _text(attendees, "attendees", errors, required=False, limit=2000, message="")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        mediation = _locked_mediation(mediation)
        if mediation.status != MediationStatus.OPEN:
            raise ValidationError({"held_at": _ended_message(mediation)})
        session = MediationSession.objects.create(
            mediation=mediation, held_at=held_at, place=place, attendees=attendees, record=record
        )
        audit_create(by=by, obj=session, detail=f"mediation={mediation.pk}")
    return session


def mediation_agree(
    *,
    by,
    mediation: Mediation,
    terms: str,
    payment_due,
    signed_on,
    amounts: dict,
    performance: str = "",
) -> Mediation:
    """Record the agreement: terms, the amount agreed on each claim (``{claim_id: amount}``),
    how and by when it is paid. Also accepted after the 15 days ran out: the parties may still
    agree instead of going to arbitration."""
    _require_handler(by)
    _require_visible(by, mediation)
    errors: dict[str, str] = {}
    terms = _text(
        terms,
        "terms",
        errors,
        required=True,
        limit=10000,
        message=_("Write the terms the parties agreed."),
    )
    performance = _text(performance, "performance", errors, required=False, limit=2000, message="")
    signed_on = _date(
        signed_on,
        "signed_on",
        errors,
        required=True,
        message=_("Enter the day the agreement was signed."),
    )
    _not_future(signed_on, "signed_on", errors)
    if signed_on and "signed_on" not in errors and signed_on < mediation.received_on:
        errors["signed_on"] = _(
            "The agreement cannot be signed before the application was received."
        )
    payment_due = _date(
        payment_due,
        "payment_due",
        errors,
        required=True,
        message=_("Enter the day by which the employer pays."),
    )
    if payment_due and signed_on and "payment_due" not in errors and payment_due < signed_on:
        errors["payment_due"] = _("Payment cannot be due before the agreement is signed.")
    claims = {c.pk: c for c in mediation.claims.all()}
    agreed: dict[int, Decimal] = {}
    for key, value in (amounts or {}).items():
        try:
            claim_id = int(key)
        except (TypeError, ValueError):
            claim_id = None
        if claim_id not in claims:
            errors["amounts"] = _("An amount names a claim that is not in this mediation.")
            continue
        agreed[claim_id] = parse_amount(value, f"amounts.{claim_id}", errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        mediation = _locked_mediation(mediation)
        if mediation.status not in (MediationStatus.OPEN, MediationStatus.TIMED_OUT):
            raise ValidationError({"terms": _ended_message(mediation)})
        before = snapshot(mediation)
        for claim_id, amount in agreed.items():
            MediationClaim.objects.filter(pk=claim_id).update(amount_agreed=amount)
        total = sum(
            (c.amount_agreed for c in MediationClaim.objects.filter(mediation=mediation)),
            Decimal("0.00"),
        )
        mediation.status = MediationStatus.AGREED
        mediation.agreement_terms = terms
        mediation.performance = performance
        mediation.amount_agreed = total
        mediation.payment_due = payment_due
        mediation.signed_on = signed_on
        mediation.ended_on = signed_on
        mediation.failure_reason = ""
        mediation.save()
        with _platform_language():
            _case_event(
                mediation.case,
                by,
                kind=EventKind.MEDIATION,
                public_text=_(
                    "Mediation reached an agreement: %(amount)s yuan to be paid by %(date)s."
                )
                % {"amount": f"{total:,.2f}", "date": payment_due.isoformat()},
                mediation=mediation.pk,
                action="agreed",
                amount=str(total),
            )
        audit_update(by=by, obj=mediation, before=before, detail="agreement")
    return mediation


def _arbitration_text(mediation: Mediation) -> str:
    """What the worker is told when mediation ends without agreement (plain words)."""
    route = _(
        "Mediation ended without agreement. You may apply for arbitration to the labor dispute "
        "arbitration committee where you work or where the employer is; arbitration is free."
    )
    if mediation.limitation_ends:
        return (
            route
            + " "
            + _("Apply by %(date)s: after that day the one-year time limit has run out.")
            % {"date": mediation.limitation_ends.isoformat()}
        )
    if mediation.pay_claim:
        return (
            route
            + " "
            + _(
                "For pay owed while you are employed, the time limit does not run during the "
                "employment: you may apply up to one year after it ends."
            )
        )
    return route + " " + _("Apply within one year of the day you knew your rights were infringed.")


def _tell_worker_arbitration(mediation: Mediation, by) -> None:
    """Public event and SMS (when the case has a phone and is not anonymous); the handler and
    the mediator get an in-app notice, marked urgent for legal aid when fewer than 7 days are
    left (Legal Aid Law art. 44)."""
    from django.urls import reverse

    from gonghui.core.identifiers import IdentifierError
    from gonghui.notifications.services import notification_send, sms_send

    case = mediation.case
    urgent = mediation.limitation_urgent
    with _platform_language():
        text = _arbitration_text(mediation)
        internal = ""
        if urgent:
            internal = _(
                "Urgent for legal aid: fewer than 7 days remain before the limitation period "
                "runs out on %(date)s (Legal Aid Law art. 44)."
            ) % {"date": mediation.limitation_ends.isoformat()}
        _case_event(
            case,
            by,
            kind=EventKind.MEDIATION,
            public_text=text,
            internal_note=internal,
            mediation=mediation.pk,
            action=mediation.status,
            limitation_ends=(
                mediation.limitation_ends.isoformat() if mediation.limitation_ends else None
            ),
            urgent=urgent,
        )
        if case.complainant_phone and not case.anonymous:
            sms = _("[Trade union] Case %(code)s: ") % {
                "code": codes.format_code(case.tracking_code)
            }
            try:
                sms_send(phone=case.complainant_phone, text=sms + text)
            except IdentifierError:
                pass  # a landline kept from a letter: the status page still tells them
        title = (
            _("Urgent for legal aid: mediation of case %(number)s ended without agreement")
            if urgent
            else _("Mediation of case %(number)s ended without agreement")
        ) % {"number": case.number}
    url = reverse("rights:mediation_detail", args=[mediation.pk])
    for user in {u for u in (mediation.mediator, case.handler) if u is not None and u.is_active}:
        notification_send(recipient=user, title=title, body=internal or text, url=url)
    mediation.worker_told_at = timezone.now()


def mediation_fail(
    *,
    by,
    mediation: Mediation,
    reason: str,
    knew_on=None,
    employment_ended_on=None,
    pay_claim: bool | None = None,
) -> Mediation:
    """Mediation failed: record why, compute the limitation date (art. 27), tell the worker
    the arbitration route and that date. The dates may be corrected here."""
    _require_handler(by)
    _require_visible(by, mediation)
    errors: dict[str, str] = {}
    reason = _text(
        reason,
        "reason",
        errors,
        required=True,
        limit=2000,
        message=_("Say why the mediation failed."),
    )
    pay_claim = mediation.pay_claim if pay_claim is None else bool(pay_claim)
    knew_on = _date(knew_on, "knew_on", errors, required=False, message="") or mediation.knew_on
    _not_future(knew_on, "knew_on", errors)
    ended = _date(employment_ended_on, "employment_ended_on", errors, required=False, message="")
    employment_ended_on = ended or mediation.employment_ended_on
    _not_future(employment_ended_on, "employment_ended_on", errors)
    if not pay_claim and knew_on is None and "knew_on" not in errors:
        errors["knew_on"] = _(
            "Enter when the worker knew of the infringement: the limitation period runs from "
            "that day."
        )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        mediation = _locked_mediation(mediation)
        if mediation.status != MediationStatus.OPEN:
            raise ValidationError({"reason": _ended_message(mediation)})
        before = snapshot(mediation)
        mediation.status = MediationStatus.FAILED
        mediation.failure_reason = reason
        mediation.ended_on = _today()
        mediation.knew_on = knew_on
        mediation.employment_ended_on = employment_ended_on
        mediation.pay_claim = pay_claim
        mediation.limitation_ends = limitation_ends_for(
            knew_on=knew_on, employment_ended_on=employment_ended_on, pay_claim=pay_claim
        )
        _tell_worker_arbitration(mediation, by)
        mediation.save()
        audit_update(by=by, obj=mediation, before=before, detail="failed")
    return mediation


def mediations_time_out(today: dt.date | None = None) -> int:
    """The daily check: every open mediation whose 15 days (art. 14) passed without agreement
    is marked timed out and the worker is told the arbitration route and the limitation date.
    Safe to run twice (a mediation already timed out is skipped). Returns how many."""
    today = today or _today()
    count = 0
    due = Mediation.objects.filter(status=MediationStatus.OPEN, statutory_due__lt=today)
    for pk in due.values_list("pk", flat=True).order_by("pk"):
        with transaction.atomic():
            mediation = (
                Mediation.objects.select_for_update(of=("self",))
                .select_related("case")
                .filter(pk=pk)
                .first()
            )
            if mediation is None or mediation.status != MediationStatus.OPEN:
                continue
            before = snapshot(mediation)
            mediation.status = MediationStatus.TIMED_OUT
            mediation.ended_on = mediation.statutory_due
            mediation.failure_reason = _(
                "No agreement within 15 days of receiving the application "
                "(Labor Dispute Mediation and Arbitration Law art. 14)."
            )
            mediation.limitation_ends = limitation_ends_for(
                knew_on=mediation.knew_on,
                employment_ended_on=mediation.employment_ended_on,
                pay_claim=mediation.pay_claim,
            )
            _tell_worker_arbitration(mediation, None)
            mediation.save()
            audit_update(by=None, obj=mediation, before=before, detail="timed out")
            count += 1
    return count


# --- referrals -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReplyRule:
    days: int
    working_days: bool
    source: object  # shown to staff next to the default


# Default reply deadlines by body, from DOMAIN-RULES "Labor disputes" (one table to change).
REPLY_RULES: dict[str, ReplyRule] = {
    # Labor inspection accepts a complaint within 5 working days [P/L].
    Body.LABOR_INSPECTION: ReplyRule(
        5, True, gettext_lazy("labor inspection accepts a complaint within 5 working days")
    ),
    # Labor Dispute Mediation and Arbitration Law art. 29: accepted or refused within 5 days.
    Body.ARBITRATION: ReplyRule(
        5, False, gettext_lazy("arbitration accepted or refused within 5 days (art. 29)")
    ),
    # Legal Aid Law art. 43: decision within 7 days.
    Body.LEGAL_AID: ReplyRule(
        7, False, gettext_lazy("legal aid decided within 7 days (Legal Aid Law art. 43)")
    ),
}
# [U] no published limit for the others: 15 working days, a platform default.
DEFAULT_REPLY_RULE = ReplyRule(
    15, True, gettext_lazy("15 working days (a platform default, not confirmed)")
)

# The body in plain words, for what the worker reads on the status page.
BODY_PLAIN = {
    Body.LABOR_INSPECTION: gettext_lazy("the labor inspection authority"),
    Body.ARBITRATION: gettext_lazy("the labor dispute arbitration committee"),
    Body.COURT: gettext_lazy("the people's court"),
    Body.LEGAL_AID: gettext_lazy("the legal aid center"),
    Body.HR_BUREAU: gettext_lazy("the human resources and social security bureau"),
    Body.HOTLINE_12345: gettext_lazy("the 12345 government hotline"),
}


def reply_rule(body: str) -> ReplyRule:
    return REPLY_RULES.get(body, DEFAULT_REPLY_RULE)


def reply_due_for(body: str, sent_on: dt.date) -> dt.date:
    """Default reply deadline: working days on the official calendar, or calendar days moved
    off a rest day (Civil Code arts. 201, 203), per ``REPLY_RULES``."""
    rule = reply_rule(body)
    if rule.working_days:
        return workdays.add_working_days(sent_on, rule.days)
    return workdays.calendar_deadline(sent_on, rule.days)


def body_in_plain_words(referral: Referral) -> str:
    return str(BODY_PLAIN.get(referral.body, referral.body_name))


def referral_create(
    *,
    by,
    case: Case,
    body: str,
    matters: str,
    body_name: str = "",
    asked: str = "",
    sent_on=None,
    reply_due=None,
    attachments=(),
    pause_clock: bool = False,
) -> Referral:
    """Send a case to a government body as a packet (letter + attachments) with a reply
    deadline (default from ``REPLY_RULES``). ``pause_clock`` stops the case clock (reason
    "outside") until the reply is recorded. A case that is only assigned starts handling with
    the method "referral"."""
    _require_handler(by)
    _require_visible(by, case)
    errors: dict[str, str] = {}
    if body not in Body.values:
        errors["body"] = _("Choose the body the case is referred to.")
    body_name = _text(
        body_name or (Body(body).label if body in Body.values else ""),
        "body_name",
        errors,
        required=True,
        limit=200,
        message=_("Name the body."),
    )
    matters = _text(
        matters, "matters", errors, required=True, limit=5000, message=_("Say what is referred.")
    )
    asked = _text(asked, "asked", errors, required=False, limit=2000, message="")
    sent_on = _date(sent_on, "sent_on", errors, required=False, message="") or _today()
    _not_future(sent_on, "sent_on", errors)
    case_day = timezone.localdate(case.received_at)
    if "sent_on" not in errors and sent_on < case_day:
        errors["sent_on"] = _("A referral cannot be sent before the case was received.")
    reply_due = _date(reply_due, "reply_due", errors, required=False, message="")
    if reply_due is not None and "reply_due" not in errors and reply_due <= sent_on:
        errors["reply_due"] = _("The reply must be due after the day the referral is sent.")
    attachment_ids = [a.pk if isinstance(a, Attachment) else a for a in attachments or ()]
    chosen = list(Attachment.objects.filter(case=case, pk__in=attachment_ids))
    if len(chosen) != len(set(attachment_ids)):
        errors["attachments"] = _("Choose attachments of this case only.")
    if case.status not in WORKABLE:
        errors.setdefault(
            "case",
            _(
                "The case is %(status)s: only a case assigned to a handler or in handling "
                "can be referred."
            )
            % {"status": case.get_status_display()},
        )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        case = _locked_case(case)
        if pause_clock and case.paused:
            raise ValidationError({"pause_clock": _("The case clock is already paused.")})
        case = _start_handling_if_assigned(
            by=by, case=case, method=HandlingMethod.REFERRAL, errors_field="case"
        )
        referral = Referral.objects.create(
            case=case,
            body=body,
            body_name=body_name,
            sent_on=sent_on,
            reply_due=reply_due or reply_due_for(body, sent_on),
            matters=matters,
            asked=asked,
            pauses_clock=bool(pause_clock),
            sent_by=by,
        )
        referral.attachments.set(chosen)
        with _platform_language():
            _case_event(
                case,
                by,
                kind=EventKind.REFERRAL,
                public_text=_(
                    "Your case was referred to %(body)s; a reply is expected by %(date)s."
                )
                % {"body": body_in_plain_words(referral), "date": referral.reply_due.isoformat()},
                internal_note=body_name,
                referral=referral.pk,
                action="sent",
            )
        if pause_clock:
            case_pause(
                by=by,
                case=case,
                reason=PauseReason.OUTSIDE,
                note=_("Awaiting the reply of %(body)s") % {"body": body_name},
            )
        audit_create(by=by, obj=referral)
    return referral


def _locked_referral(referral: Referral) -> Referral:
    return (
        Referral.objects.select_for_update(of=("self",)).select_related("case").get(pk=referral.pk)
    )


def _closed_referral_message(referral: Referral) -> str:
    if referral.status == ReferralStatus.REPLIED:
        return _("The reply was already recorded (%(date)s).") % {
            "date": referral.replied_on.isoformat()
        }
    return _("This referral is %(status)s.") % {"status": referral.get_status_display()}


def referral_receipt_record(
    *, by, referral: Referral, received_on, receipt_number: str = ""
) -> Referral:
    """The body confirmed receipt (date, their reference number)."""
    _require_handler(by)
    _require_visible(by, referral)
    errors: dict[str, str] = {}
    received_on = _date(
        received_on,
        "received_on",
        errors,
        required=True,
        message=_("Enter the day the body confirmed receipt."),
    )
    _not_future(received_on, "received_on", errors)
    if received_on and "received_on" not in errors and received_on < referral.sent_on:
        errors["received_on"] = _("Receipt cannot come before the referral was sent.")
    receipt_number = _text(
        receipt_number, "receipt_number", errors, required=False, limit=64, message=""
    )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        referral = _locked_referral(referral)
        if referral.status == ReferralStatus.RECEIVED:
            raise ValidationError(
                {
                    "received_on": _("Receipt was already recorded (%(date)s).")
                    % {"date": referral.received_on.isoformat()}
                }
            )
        if referral.status != ReferralStatus.SENT:
            raise ValidationError({"received_on": _closed_referral_message(referral)})
        before = snapshot(referral)
        referral.status = ReferralStatus.RECEIVED
        referral.received_on = received_on
        referral.receipt_number = receipt_number
        referral.save()
        with _platform_language():
            _case_event(
                referral.case,
                by,
                kind=EventKind.REFERRAL,
                public_text=_("%(body)s confirmed it received your case.")
                % {"body": body_in_plain_words(referral)},
                internal_note=receipt_number,
                referral=referral.pk,
                action="received",
            )
        audit_update(by=by, obj=referral, before=before, detail="receipt")
    return referral


def _resume_if_last(referral: Referral, by, on: dt.date) -> None:
    """Resume the case clock when this referral paused it, no other referral of the case still
    holds it, and the pause running now is one for an outside body."""
    if not referral.pauses_clock:
        return
    others = Referral.objects.filter(
        case=referral.case_id,
        pauses_clock=True,
        status__in=(ReferralStatus.SENT, ReferralStatus.RECEIVED),
    ).exclude(pk=referral.pk)
    if others.exists():
        return
    pause = CasePause.objects.filter(case=referral.case_id, ended_on__isnull=True).first()
    if pause is None or pause.reason != PauseReason.OUTSIDE:
        return
    case_resume(by=by, case=referral.case, on=max(on, pause.started_on))


def _clean_reply(replied_on, reply: str, *, since, too_early: str, empty: str):
    """The date and text of a reply (a referral's or a notice's): the date is required, not in
    the future and not before ``since``; the text is required. ValidationError names each."""
    errors: dict[str, str] = {}
    replied_on = _date(
        replied_on, "replied_on", errors, required=True, message=_("Enter the day of the reply.")
    )
    _not_future(replied_on, "replied_on", errors)
    if replied_on and "replied_on" not in errors and replied_on < since:
        errors["replied_on"] = too_early
    reply = _text(reply, "reply", errors, required=True, limit=10000, message=empty)
    if errors:
        raise ValidationError(errors)
    return replied_on, reply


def referral_reply_record(*, by, referral: Referral, replied_on, reply: str) -> Referral:
    """The body's reply (date, text); resumes the case clock if the referral paused it."""
    _require_handler(by)
    _require_visible(by, referral)
    replied_on, reply = _clean_reply(
        replied_on,
        reply,
        since=referral.sent_on,
        too_early=_("A reply cannot come before the referral was sent."),
        empty=_("Write what the body replied."),
    )
    with transaction.atomic():
        referral = _locked_referral(referral)
        if not referral.awaiting_reply:
            raise ValidationError({"reply": _closed_referral_message(referral)})
        before = snapshot(referral)
        referral.status = ReferralStatus.REPLIED
        referral.replied_on = replied_on
        referral.reply = reply
        referral.save()
        with _platform_language():
            _case_event(
                referral.case,
                by,
                kind=EventKind.REFERRAL,
                public_text=_("%(body)s replied; your case goes on.")
                % {"body": body_in_plain_words(referral)},
                internal_note=reply[:500],
                referral=referral.pk,
                action="replied",
            )
        _resume_if_last(referral, by, replied_on)
        audit_update(by=by, obj=referral, before=before, detail="reply")
    return referral


def referral_withdraw(*, by, referral: Referral, reason: str) -> Referral:
    """Take a referral back (sent to the wrong body, solved meanwhile); resumes the clock."""
    _require_handler(by)
    _require_visible(by, referral)
    errors: dict[str, str] = {}
    reason = _text(
        reason,
        "reason",
        errors,
        required=True,
        limit=2000,
        message=_("Say why the referral is withdrawn."),
    )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        referral = _locked_referral(referral)
        if not referral.awaiting_reply:
            raise ValidationError({"reason": _closed_referral_message(referral)})
        before = snapshot(referral)
        referral.status = ReferralStatus.WITHDRAWN
        referral.save()
        with _platform_language():
            _case_event(
                referral.case,
                by,
                kind=EventKind.REFERRAL,
                internal_note=reason,
                referral=referral.pk,
                action="withdrawn",
            )
        _resume_if_last(referral, by, _today())
        audit_update(by=by, obj=referral, before=before, detail=f"withdrawn: {reason}"[:255])
    return referral


# --- labor-law supervision notices -----------------------------------------------------------


def notice_number(organization: Organization, year: int, seq: int) -> str:
    return f"JD{year}-{organization.pk:06d}-{seq:04d}"


def notice_issue(
    *,
    by,
    employer: Employer,
    findings: str,
    demands: str,
    legal_basis: str = "",
    issued_on=None,
    reply_due=None,
    case: Case | None = None,
    organization: Organization | None = None,
) -> SupervisionNotice:
    """Issue a labor-law supervision notice (工会劳动法律监督建议书) to an employer, numbered
    per issuing organization and year; the reply is due in 15 days unless set ([U])."""
    _require_handler(by)
    _require_visible(by, employer)
    if case is not None:
        _require_visible(by, case)
    errors: dict[str, str] = {}
    organization = organization or by.organization
    if organization is None:
        errors["organization"] = _("Choose the organization that issues the notice.")
    elif not by.is_superuser and not organization.path.startswith(by.scope_prefix):
        raise PermissionDenied(_("This organization is outside your scope."))
    if case is not None and case.employer_id and case.employer_id != employer.pk:
        errors["case"] = _("The case is about another employer.")
    findings = _text(
        findings, "findings", errors, required=True, limit=10000, message=_("Write what was found.")
    )
    demands = _text(
        demands,
        "demands",
        errors,
        required=True,
        limit=10000,
        message=_("Write what the employer must correct."),
    )
    legal_basis = _text(legal_basis, "legal_basis", errors, required=False, limit=5000, message="")
    issued_on = _date(issued_on, "issued_on", errors, required=False, message="") or _today()
    _not_future(issued_on, "issued_on", errors)
    reply_due = _date(reply_due, "reply_due", errors, required=False, message="")
    if reply_due is not None and "reply_due" not in errors and reply_due <= issued_on:
        errors["reply_due"] = _("The reply must be due after the notice is issued.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # The organization's row is the counter's lock: two notices issued at once get
        # consecutive numbers, never the same (and ``number`` is unique besides).
        Organization.objects.select_for_update().filter(pk=organization.pk).first()
        seq = (
            SupervisionNotice.objects.filter(
                organization=organization, issued_on__year=issued_on.year
            ).count()
            + 1
        )
        notice = SupervisionNotice.objects.create(
            number=notice_number(organization, issued_on.year, seq),
            organization=organization,
            employer=employer,
            case=case,
            issued_on=issued_on,
            findings=findings,
            legal_basis=legal_basis,
            demands=demands,
            reply_due=reply_due or workdays.calendar_deadline(issued_on, NOTICE_REPLY_DAYS),
            issued_by=by,
        )
        if case is not None:
            with _platform_language():
                _case_event(
                    case,
                    by,
                    kind=EventKind.NOTE,
                    public_text=_(
                        "The union sent the employer a labor-law supervision notice; the employer "
                        "must reply by %(date)s."
                    )
                    % {"date": notice.reply_due.isoformat()},
                    internal_note=notice.number,
                    notice=notice.pk,
                    action="notice_issued",
                )
        audit_create(by=by, obj=notice)
    return notice


def notice_reply_record(
    *, by, notice: SupervisionNotice, replied_on, reply: str
) -> SupervisionNotice:
    """The employer's reply to a supervision notice (once)."""
    _require_handler(by)
    _require_visible(by, notice)
    replied_on, reply = _clean_reply(
        replied_on,
        reply,
        since=notice.issued_on,
        too_early=_("A reply cannot come before the notice was issued."),
        empty=_("Write what the employer replied."),
    )
    with transaction.atomic():
        notice = (
            SupervisionNotice.objects.select_for_update(of=("self",))
            .select_related("case")
            .get(pk=notice.pk)
        )
        if notice.replied_on is not None:
            raise ValidationError(
                {
                    "reply": _("The reply was already recorded (%(date)s).")
                    % {"date": notice.replied_on.isoformat()}
                }
            )
        before = snapshot(notice)
        notice.replied_on = replied_on
        notice.reply = reply
        notice.save()
        if notice.case is not None:
            with _platform_language():
                _case_event(
                    notice.case,
                    by,
                    kind=EventKind.NOTE,
                    public_text=_("The employer replied to the union's supervision notice."),
                    internal_note=reply[:500],
                    notice=notice.pk,
                    action="notice_replied",
                )
        audit_update(by=by, obj=notice, before=before, detail="reply")
    return notice


# --- reads shared by the pages and the API ---------------------------------------------------


def referral_queryset(user, state: str = "", body: str = ""):
    """Referrals the user may see; ``state``: awaiting, overdue (reply_due passed, no reply) or
    ``status:<value>``. Shared by the page and the API."""
    qs = Referral.objects.visible_to(user).select_related("case")
    today = _today()
    if state == "awaiting":
        qs = qs.filter(status__in=(ReferralStatus.SENT, ReferralStatus.RECEIVED))
    elif state == "overdue":
        qs = qs.filter(
            status__in=(ReferralStatus.SENT, ReferralStatus.RECEIVED), reply_due__lt=today
        )
    elif state.startswith("status:"):
        qs = qs.filter(status=state.removeprefix("status:"))
    if body:
        qs = qs.filter(body=body)
    return qs


def notice_queryset(user, state: str = ""):
    qs = SupervisionNotice.objects.visible_to(user).select_related("employer", "organization")
    today = _today()
    if state == "awaiting":
        qs = qs.filter(replied_on__isnull=True)
    elif state == "overdue":
        qs = qs.filter(replied_on__isnull=True, reply_due__lt=today)
    elif state == "replied":
        qs = qs.filter(replied_on__isnull=False)
    return qs
