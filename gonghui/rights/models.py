"""Rights protection: cases from every channel and everything done on them.

A :class:`Case` is one matter a worker (or several workers of one employer) brought, from the
portal, the 12351 hotline, a walk-in station or a letter. It moves through explicit states
(:class:`CaseStatus`), each move one service function in ``services/cases.py`` that checks the
actor's right, writes a :class:`CaseEvent` and sets the next deadline. Everything else here
hangs off a case (parties, attachments, pauses, supervision, mediation, referrals) or stands
beside it (special inspections, early-warning alerts, knowledge base, joint meetings, hotline
calls answered on the spot).

Scope: a case belongs to the organization that holds it now (the receiving federation, then
the organization it is assigned to); ``Case.objects.visible_to(user)`` is the one way to read
cases. Personal data of complainants and parties is encrypted like the registry's.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gonghui.core.fields import BlindIndexField, PersonalDataField
from gonghui.core.scope import ScopedManager, ScopedQuerySet, register_scoped

from .catalog import CATEGORY_CHOICES, CaseKind

ZERO = Decimal("0.00")


def money(verbose_name, **kwargs):
    """Yuan, two decimal places, never negative (DESIGN: money as decimals)."""
    kwargs.setdefault("default", ZERO)
    return models.DecimalField(
        verbose_name,
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(ZERO)],
        **kwargs,
    )


class Channel(models.TextChoices):
    PORTAL = "portal", _("Complaint website (phone)")
    HOTLINE = "hotline", _("12351 hotline")
    WALK_IN = "walk_in", _("Walk-in station")
    LETTER = "letter", _("Letter or mailbox")
    API = "api", _("Other system (API)")


class CaseStatus(models.TextChoices):
    RECEIVED = "received", pgettext_lazy("case status", "Received")
    ACCEPTED = "accepted", pgettext_lazy("case status", "Accepted")
    DECLINED = "declined", pgettext_lazy("case status", "Declined")
    ASSIGNED = "assigned", pgettext_lazy("case status", "Assigned")
    IN_HANDLING = "in_handling", pgettext_lazy("case status", "In handling")
    CONCLUDED = "concluded", pgettext_lazy("case status", "Concluded")
    FOLLOW_UP = "follow_up", pgettext_lazy("case status", "Follow-up")
    CLOSED = "closed", pgettext_lazy("case status", "Closed")
    MERGED = "merged", pgettext_lazy("case status", "Merged into another case")


# States in which the case is still being worked on (its clock runs, it can be overdue).
OPEN_STATUSES = (
    CaseStatus.RECEIVED,
    CaseStatus.ACCEPTED,
    CaseStatus.ASSIGNED,
    CaseStatus.IN_HANDLING,
)
# States after a conclusion was reached (counted as concluded in the figures).
CONCLUDED_STATUSES = (CaseStatus.CONCLUDED, CaseStatus.FOLLOW_UP, CaseStatus.CLOSED)


class Tier(models.TextChoices):
    """Complexity tier; each has a time limit in working days (RightsSettings)."""

    GENERAL = "general", _("General")
    DIFFICULT = "difficult", _("Difficult")
    COMPLEX = "complex", _("Especially complex")


class HandlingMethod(models.TextChoices):
    ANSWER = "answer", _("Answered or explained")
    MEDIATION = "mediation", _("Mediation")
    LEGAL_AID = "legal_aid", _("Legal aid")
    COORDINATION = "coordination", _("Coordination with the employer")
    REFERRAL = "referral", _("Referral to a government body")
    ASSISTANCE = "assistance", _("Assistance")


class RightsSettings(models.Model):
    """The area's rules that administrators may change (one row; ``RightsSettings.current()``).

    Defaults: DOMAIN-RULES "Complaints, 12351 and petitions" — the 12351 hotline's three tiers
    have no published day limits [U]; the platform defaults to 7, 15 and 30 working days. A change
    applies to cases accepted after it: each case copies its limit when it is accepted.
    """

    general_days = models.PositiveSmallIntegerField(
        _("time limit, general (working days)"), default=7, validators=[MinValueValidator(1)]
    )
    difficult_days = models.PositiveSmallIntegerField(
        _("time limit, difficult (working days)"), default=15, validators=[MinValueValidator(1)]
    )
    complex_days = models.PositiveSmallIntegerField(
        _("time limit, especially complex (working days)"),
        default=30,
        validators=[MinValueValidator(1)],
    )
    accept_days = models.PositiveSmallIntegerField(
        _("time to accept or decline (working days)"), default=3, validators=[MinValueValidator(1)]
    )
    due_soon_days = models.PositiveSmallIntegerField(
        _("due soon within (working days)"), default=2, validators=[MinValueValidator(1)]
    )
    followup_days = models.PositiveSmallIntegerField(
        _("follow-up within (working days) of conclusion"),
        default=5,
        validators=[MinValueValidator(1)],
    )
    # Early warning (speech: "in the bud"; thresholds are local practice [U]).
    warning_cases = models.PositiveSmallIntegerField(
        _("warning: cases about one employer"), default=3, validators=[MinValueValidator(2)]
    )
    warning_window_days = models.PositiveSmallIntegerField(
        _("warning: within days"), default=7, validators=[MinValueValidator(1)]
    )
    warning_workers = models.PositiveSmallIntegerField(
        _("warning: workers in one case"), default=10, validators=[MinValueValidator(2)]
    )
    festival_days = models.PositiveSmallIntegerField(
        _("warning: days before Spring Festival for construction arrears"),
        default=60,
        validators=[MinValueValidator(1)],
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("rights protection settings")
        verbose_name_plural = _("rights protection settings")

    def __str__(self):
        return str(_("Rights protection settings"))

    @classmethod
    def current(cls) -> RightsSettings:
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj

    def days_for(self, tier: str) -> int:
        return {
            Tier.GENERAL: self.general_days,
            Tier.DIFFICULT: self.difficult_days,
            Tier.COMPLEX: self.complex_days,
        }[tier]


class CaseQuerySet(ScopedQuerySet):
    pass


@register_scoped
class Case(models.Model):
    """One matter brought by a worker or several workers, from intake to closing."""

    scope_path = "organization__path"

    number = models.CharField(_("case number"), max_length=24, unique=True)
    # What the worker uses to follow the case: unguessable, read aloud easily (no 0/O, 1/I/L).
    tracking_code = models.CharField(_("tracking code"), max_length=16, unique=True)
    pin_hash = models.CharField(max_length=128, editable=False)
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    kind = models.CharField(_("kind"), max_length=16, choices=CaseKind.choices)
    category = models.CharField(_("category"), max_length=40, choices=CATEGORY_CHOICES)
    title = models.CharField(_("summary"), max_length=200)
    description = models.TextField(_("what happened"))
    # Bigrams of the description and title for full-text search in Chinese (search.py).
    search_text = models.TextField(editable=False, blank=True, default="")

    # Who brought it. Anonymous cases keep no name or phone; a worker signed in to the portal
    # or recognized by id number is linked.
    anonymous = models.BooleanField(_("anonymous"), default=False)
    complainant_name = PersonalDataField(_("complainant"), kind="name", blank=True)
    complainant_phone = PersonalDataField(_("contact phone"), kind="phone", blank=True)
    complainant_phone_hash = BlindIndexField(source="complainant_phone")
    complainant_id_number = PersonalDataField(_("resident ID number"), kind="id_number", blank=True)
    complainant_id_hash = BlindIndexField(source="complainant_id_number")
    worker = models.ForeignKey(
        "members.Worker",
        verbose_name=_("worker"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
    )
    portal_account = models.ForeignKey(
        "members.PortalAccount",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
    )

    # Against whom.
    employer = models.ForeignKey(
        "organizations.Employer",
        verbose_name=_("employer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
    )
    employer_name_given = models.CharField(_("employer as given"), max_length=200, blank=True)
    workers_affected = models.PositiveIntegerField(
        _("workers affected"), default=1, validators=[MinValueValidator(1)]
    )
    collective = models.BooleanField(_("collective case"), default=False)
    amount_claimed = money(_("amount owed or claimed (yuan)"))

    # Wage arrears in construction: the project and the chain of contractors (the general
    # contractor answers for its subcontractors' arrears, Wage Payment Regulations 2020).
    project_name = models.CharField(_("construction project"), max_length=200, blank=True)
    general_contractor = models.CharField(_("general contractor"), max_length=200, blank=True)
    subcontractors = models.JSONField(
        _("subcontractor chain"), default=list, blank=True, help_text=_("from the top down")
    )
    arrears_months = models.CharField(
        _("months unpaid"), max_length=200, blank=True, help_text=_("e.g. 2026-03 to 2026-06")
    )

    # Where it is and who has it.
    status = models.CharField(
        _("status"), max_length=12, choices=CaseStatus.choices, default=CaseStatus.RECEIVED
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organization handling"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    received_by = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("received by"),
        on_delete=models.PROTECT,
        related_name="cases_received",
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handler"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases_handled",
    )
    handling_method = models.CharField(
        _("handling method"), max_length=16, choices=HandlingMethod.choices, blank=True
    )
    tier = models.CharField(
        _("complexity"), max_length=12, choices=Tier.choices, default=Tier.GENERAL
    )
    time_limit_days = models.PositiveSmallIntegerField(_("time limit (working days)"), null=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)

    # Clock: received_at starts the acceptance clock; accepted_on starts the handling clock.
    received_at = models.DateTimeField(_("received at"))
    accept_due = models.DateField(_("accept by"), null=True, blank=True)
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True, db_index=True)
    paused = models.BooleanField(_("clock paused"), default=False)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)

    # Conclusion and follow-up. ``solved`` is the worker's problem being solved, not the case
    # being closed: the figures report both rates side by side.
    concluded_at = models.DateTimeField(_("concluded at"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    solved = models.BooleanField(_("problem solved"), null=True, blank=True)
    amount_recovered = money(_("amount recovered (yuan)"))
    workers_benefited = models.PositiveIntegerField(_("workers benefited"), default=0)
    followup_due = models.DateField(_("follow up by"), null=True, blank=True)
    followed_up_at = models.DateTimeField(_("followed up at"), null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction (1-5)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times re-opened"), default=0)
    # Working days the case took from acceptance to conclusion, pauses excluded (for figures).
    handling_days = models.PositiveIntegerField(
        _("handling time (working days)"), null=True, blank=True
    )
    concluded_late = models.BooleanField(_("concluded after the due date"), null=True, blank=True)

    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_cases",
    )
    # Raised on each change; a form carries the version it was drawn from, and a service refuses
    # a change made on a stale page ("someone else changed this case meanwhile").
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ScopedManager.from_queryset(CaseQuerySet)()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "status", "-received_at"], name="case_org_status"),
            models.Index(fields=["-received_at", "-id"], name="case_received_order"),
            models.Index(
                fields=["due_on"],
                name="case_open_due",
                condition=Q(status__in=["received", "accepted", "assigned", "in_handling"]),
            ),
            models.Index(fields=["employer", "-received_at"], name="case_employer_recent"),
            models.Index(fields=["handler", "status"], name="case_handler_status"),
            # The open cases (7 % of a province's million) in the case list's order: the
            # overdue, due-soon and not-accepted lists walk it instead of every case.
            models.Index(
                fields=["-received_at", "-id"],
                name="case_open_received",
                # the deadline filters read from the index alone (an index-only scan)
                include=["status", "paused", "due_on", "accept_due"],
                condition=Q(status__in=["received", "accepted", "assigned", "in_handling"]),
            ),
            # One status of the whole province, newest first (e.g. the closed hotline cases).
            models.Index(fields=["status", "-received_at", "-id"], name="case_status_received"),
            # The deadlines page: per handler / per organization, oldest deadline first.
            models.Index(
                fields=["handler", "due_on"],
                name="case_open_handler_due",
                include=["status", "paused"],
                condition=Q(status__in=["received", "accepted", "assigned", "in_handling"]),
            ),
            models.Index(
                fields=["organization", "due_on"],
                name="case_open_org_due",
                include=["status", "paused"],
                condition=Q(status__in=["received", "accepted", "assigned", "in_handling"]),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(satisfaction__isnull=True)
                | Q(satisfaction__gte=1, satisfaction__lte=5),
                name="case_satisfaction_1_5",
            ),
            models.CheckConstraint(
                condition=Q(amount_claimed__gte=0) & Q(amount_recovered__gte=0),
                name="case_money_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class CaseParty(models.Model):
    """A worker listed on a case (several on a collective case), with what each is owed."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parties")
    worker = models.ForeignKey(
        "members.Worker",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="case_parties",
    )
    name = PersonalDataField(_("full name"), kind="name")
    phone = PersonalDataField(_("mobile phone"), kind="phone", blank=True)
    id_number = PersonalDataField(_("resident ID number"), kind="id_number", blank=True)
    id_number_hash = BlindIndexField(source="id_number")
    months = models.CharField(_("months unpaid"), max_length=200, blank=True)
    amount_claimed = money(_("amount owed (yuan)"))
    amount_recovered = money(_("amount recovered (yuan)"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["id"]

    def __str__(self):
        return str(self.case)


class EventKind(models.TextChoices):
    RECEIVED = "received", pgettext_lazy("case event", "Received")
    ACCEPTED = "accepted", pgettext_lazy("case event", "Accepted")
    DECLINED = "declined", pgettext_lazy("case event", "Declined")
    ASSIGNED = "assigned", pgettext_lazy("case event", "Assigned")
    RETURNED = "returned", pgettext_lazy("case event", "Returned to the dispatcher")
    HANDLING = "handling", pgettext_lazy("case event", "Handling started")
    NOTE = "note", pgettext_lazy("case event", "Note")
    PAUSED = "paused", pgettext_lazy("case event", "Clock paused")
    RESUMED = "resumed", pgettext_lazy("case event", "Clock resumed")
    MEDIATION = "mediation", pgettext_lazy("case event", "Mediation")
    REFERRAL = "referral", pgettext_lazy("case event", "Referral")
    CONCLUDED = "concluded", pgettext_lazy("case event", "Concluded")
    FOLLOW_UP = "follow_up", pgettext_lazy("case event", "Followed up")
    CLOSED = "closed", pgettext_lazy("case event", "Closed")
    REOPENED = "reopened", pgettext_lazy("case event", "Re-opened")
    MERGED = "merged", pgettext_lazy("case event", "Merged")
    SUPERVISED = "supervised", pgettext_lazy("case event", "Supervision")
    ESCALATED = "escalated", pgettext_lazy("case event", "Escalated")
    ATTACHMENT = "attachment", pgettext_lazy("case event", "Attachment added")
    CHANGED = "changed", pgettext_lazy("case event", "Details changed")


class CaseEvent(models.Model):
    """One step on a case's timeline. ``public_text`` is what the worker sees on the status
    page (plain words, no staff names); ``internal_note`` is for staff only."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=16, choices=EventKind.choices)
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    from_status = models.CharField(max_length=12, choices=CaseStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=CaseStatus.choices, blank=True)
    public_text = models.TextField(_("shown to the worker"), blank=True)
    internal_note = models.TextField(_("internal note"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at"], name="caseevent_case_at")]

    def __str__(self):
        return f"{self.case_id} {self.kind}"


class PauseReason(models.TextChoices):
    WORKER = "worker", _("Waiting on the worker")
    OUTSIDE = "outside", _("Waiting on an outside body")


class CasePause(models.Model):
    """A span during which the case's clock stands still (the worker or an outside body is
    awaited). ``ended_on`` empty = still paused. Shown on the case and counted out of its time."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="pauses")
    reason = models.CharField(_("reason"), max_length=12, choices=PauseReason.choices)
    note = models.CharField(_("note"), max_length=255, blank=True)
    started_on = models.DateField(_("paused from"))
    ended_on = models.DateField(_("resumed on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("pause")
        verbose_name_plural = _("pauses")
        ordering = ["started_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(ended_on__isnull=True), name="one_open_pause_per_case"
            )
        ]

    def __str__(self):
        return f"{self.case_id} {self.started_on}–{self.ended_on or ''}"


def attachment_path(instance, filename):
    # Never the uploaded name on disk: a random name under the case's year.
    import secrets

    return f"rights/{instance.case.received_at:%Y}/{secrets.token_hex(16)}"


class Attachment(models.Model):
    """A photo, PDF or scan on a case; its type is checked from its content, not its name."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=64)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    from_worker = models.BooleanField(_("sent by the worker"), default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.original_name


@register_scoped
class Supervision(models.Model):
    """督办: a higher organization flags a case; the handler must report by a date."""

    scope_path = ("case__organization__path", "organization__path")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="supervisions")
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("supervising organization"),
        on_delete=models.PROTECT,
        related_name="supervisions",
    )
    flagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    flagged_at = models.DateTimeField(_("flagged at"), auto_now_add=True)
    instructions = models.TextField(_("instructions"))
    report_due = models.DateField(_("report by"))
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    report = models.TextField(_("report"), blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ScopedManager()

    class Meta:
        verbose_name = _("supervision")
        verbose_name_plural = _("supervisions")
        ordering = ["report_due", "id"]

    def __str__(self):
        return f"{self.case} · {self.instructions[:40]}"


# --- mediation -------------------------------------------------------------------------------


class MediationStatus(models.TextChoices):
    OPEN = "open", _("In mediation")
    AGREED = "agreed", _("Agreement reached")
    FAILED = "failed", pgettext_lazy("mediation status", "Failed")
    TIMED_OUT = "timed_out", _("No agreement within the period")
    WITHDRAWN = "withdrawn", _("Withdrawn")


@register_scoped
class Mediation(models.Model):
    """Mediation of a labor dispute on a case (Labor Dispute Mediation and Arbitration Law).

    ``statutory_due`` = received_on + 15 days (art. 14, calendar days, Civil Code arts. 201/203
    for counting); after it, or on failure, the worker is told the arbitration route and the
    date their limitation period (one year, art. 27) runs out.
    """

    scope_path = "case__organization__path"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="mediations")
    body = models.CharField(
        _("mediation body"), max_length=200, help_text=_("e.g. 都昌县总工会劳动争议调解委员会")
    )
    mediator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("mediator"),
        on_delete=models.PROTECT,
        related_name="mediations",
    )
    applicant_name = PersonalDataField(_("applicant (worker)"), kind="name")
    applicant_id_number = PersonalDataField(
        _("applicant's ID number"), kind="id_number", blank=True
    )
    applicant_address = models.CharField(_("applicant's address"), max_length=255, blank=True)
    respondent_name = models.CharField(_("respondent (employer)"), max_length=200)
    respondent_representative = models.CharField(
        _("legal representative"), max_length=64, blank=True
    )
    respondent_address = models.CharField(_("respondent's address"), max_length=255, blank=True)
    received_on = models.DateField(_("application received on"))
    statutory_due = models.DateField(_("agreement due by (15 days)"))
    # When the worker knew of the infringement, and when employment ended (for pay during
    # employment the one-year period runs from the end of employment, art. 27).
    knew_on = models.DateField(_("worker knew of the infringement on"), null=True, blank=True)
    employment_ended_on = models.DateField(_("employment ended on"), null=True, blank=True)
    pay_claim = models.BooleanField(_("claim for pay during employment"), default=False)
    status = models.CharField(
        _("status"), max_length=12, choices=MediationStatus.choices, default=MediationStatus.OPEN
    )
    facts = models.TextField(_("facts of the dispute"), blank=True)
    agreement_terms = models.TextField(_("terms agreed"), blank=True)
    # How the agreement is carried out (履行方式): the agreement must say it (art. 16 practice).
    performance = models.TextField(_("how it is carried out"), blank=True)
    amount_agreed = money(_("amount agreed (yuan)"))
    payment_due = models.DateField(_("to be paid by"), null=True, blank=True)
    signed_on = models.DateField(_("agreement signed on"), null=True, blank=True)
    ended_on = models.DateField(_("mediation ended on"), null=True, blank=True)
    failure_reason = models.TextField(_("why it failed"), blank=True)
    limitation_ends = models.DateField(
        _("arbitration limitation runs out on"), null=True, blank=True
    )
    worker_told_at = models.DateTimeField(_("worker told of arbitration at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("mediation")
        verbose_name_plural = _("mediations")
        ordering = ["-received_on", "-id"]

    def __str__(self):
        return f"{self.case.number} · {self.respondent_name}"

    @property
    def is_open(self) -> bool:
        return self.status == MediationStatus.OPEN

    @property
    def past_due(self) -> bool:
        """Still open after the 15 days of art. 14 (the daily check will time it out)."""
        from django.utils import timezone

        return self.is_open and self.statutory_due < timezone.localdate()

    @property
    def limitation_days_left(self) -> int | None:
        """Calendar days from today to the last day of the arbitration limitation period."""
        if self.limitation_ends is None:
            return None
        from django.utils import timezone

        return (self.limitation_ends - timezone.localdate()).days

    @property
    def limitation_urgent(self) -> bool:
        """Legal Aid Law art. 44: fewer than 7 days (不足七日) left on the limitation period
        makes a legal-aid request urgent (aid first, paperwork after)."""
        left = self.limitation_days_left
        return left is not None and 0 <= left < 7 and self.status != MediationStatus.AGREED


class MediationClaim(models.Model):
    mediation = models.ForeignKey(Mediation, on_delete=models.CASCADE, related_name="claims")
    item = models.CharField(_("claim"), max_length=200)
    amount = money(_("amount (yuan)"))
    amount_agreed = money(_("amount agreed (yuan)"))

    class Meta:
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        ordering = ["id"]

    def __str__(self):
        return self.item


class MediationSession(models.Model):
    mediation = models.ForeignKey(Mediation, on_delete=models.CASCADE, related_name="sessions")
    held_at = models.DateTimeField(_("held at"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    attendees = models.TextField(_("attendees"), blank=True)
    record = models.TextField(_("record"), blank=True)

    class Meta:
        verbose_name = _("mediation session")
        verbose_name_plural = _("mediation sessions")
        ordering = ["held_at", "id"]

    def __str__(self):
        return f"{self.mediation_id} {self.held_at:%Y-%m-%d}"


# --- referrals and supervision notices -------------------------------------------------------


class Body(models.TextChoices):
    LABOR_INSPECTION = "labor_inspection", _("Labor inspection")
    ARBITRATION = "arbitration", _("Labor dispute arbitration committee")
    COURT = "court", _("People's court")
    LEGAL_AID = "legal_aid", _("Legal aid center")
    HR_BUREAU = "hr_bureau", _("Human resources and social security bureau")
    HOTLINE_12345 = "hotline_12345", _("12345 government hotline")
    OTHER = "other", _("Other body")


class ReferralStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    RECEIVED = "received", _("Receipt confirmed")
    REPLIED = "replied", _("Replied")
    WITHDRAWN = "withdrawn", _("Withdrawn")


@register_scoped
class Referral(models.Model):
    """A case sent to a government body as a packet, with a reply deadline."""

    scope_path = "case__organization__path"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    body = models.CharField(_("body"), max_length=20, choices=Body.choices)
    body_name = models.CharField(_("name of the body"), max_length=200)
    sent_on = models.DateField(_("sent on"))
    reply_due = models.DateField(_("reply due by"))
    status = models.CharField(
        _("status"), max_length=12, choices=ReferralStatus.choices, default=ReferralStatus.SENT
    )
    matters = models.TextField(_("matters referred"))
    asked = models.TextField(_("what the body is asked to do"), blank=True)
    # The packet: case attachments sent with the letter.
    attachments = models.ManyToManyField(
        Attachment, blank=True, related_name="referrals", verbose_name=_("attachments sent")
    )
    # The case clock was paused (reason "outside") while awaiting this body's reply.
    pauses_clock = models.BooleanField(_("case clock paused until the reply"), default=False)
    received_on = models.DateField(_("receipt confirmed on"), null=True, blank=True)
    receipt_number = models.CharField(_("their reference"), max_length=64, blank=True)
    replied_on = models.DateField(_("replied on"), null=True, blank=True)
    reply = models.TextField(_("reply"), blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["reply_due", "id"]
        indexes = [
            models.Index(
                fields=["reply_due"],
                name="referral_awaiting_reply",
                condition=Q(status__in=["sent", "received"]),
            )
        ]

    def __str__(self):
        return f"{self.case.number} → {self.body_name}"

    @property
    def awaiting_reply(self) -> bool:
        return self.status in (ReferralStatus.SENT, ReferralStatus.RECEIVED)

    @property
    def is_overdue(self) -> bool:
        from django.utils import timezone

        return self.awaiting_reply and self.reply_due < timezone.localdate()


@register_scoped
class SupervisionNotice(models.Model):
    """工会劳动法律监督建议书: the union tells an employer what to correct, by a date."""

    scope_path = "organization__path"

    number = models.CharField(_("notice number"), max_length=32, unique=True)
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        related_name="supervision_notices",
    )
    employer = models.ForeignKey(
        "organizations.Employer",
        verbose_name=_("employer"),
        on_delete=models.PROTECT,
        related_name="supervision_notices",
    )
    case = models.ForeignKey(
        Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="supervision_notices"
    )
    issued_on = models.DateField(_("issued on"))
    findings = models.TextField(_("what was found"))
    legal_basis = models.TextField(_("legal basis"), blank=True)
    demands = models.TextField(_("what the employer must correct"))
    reply_due = models.DateField(_("reply due by"))
    replied_on = models.DateField(_("replied on"), null=True, blank=True)
    reply = models.TextField(_("employer's reply"), blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("labor-law supervision notice")
        verbose_name_plural = _("labor-law supervision notices")
        ordering = ["-issued_on", "-id"]

    def __str__(self):
        return f"{self.number} {self.employer.name}"

    @property
    def is_overdue(self) -> bool:
        from django.utils import timezone

        return self.replied_on is None and self.reply_due < timezone.localdate()


# --- wage-arrears inspections ----------------------------------------------------------------


@register_scoped
class Inspection(models.Model):
    """A special inspection campaign (专项检查) for wage arrears."""

    scope_path = "organization__path"

    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organized by"),
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    name = models.CharField(_("name"), max_length=200)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    description = models.TextField(_("scope and method"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("special inspection")
        verbose_name_plural = _("special inspections")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="inspection_dates"
            )
        ]

    def __str__(self):
        return self.name


class TargetStatus(models.TextChoices):
    PLANNED = "planned", _("To inspect")
    INSPECTED = "inspected", _("Inspected")
    FOLLOW_UP = "follow_up", _("Follow-up due")
    DONE = "done", _("Done")


@register_scoped
class InspectionTarget(models.Model):
    """One employer in an inspection: what was found, what is owed, what was recovered."""

    scope_path = "inspection__organization__path"

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="targets")
    employer = models.ForeignKey(
        "organizations.Employer",
        verbose_name=_("employer"),
        on_delete=models.PROTECT,
        related_name="inspection_targets",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=TargetStatus.choices, default=TargetStatus.PLANNED
    )
    inspected_on = models.DateField(_("inspected on"), null=True, blank=True)
    inspectors = models.CharField(_("inspectors"), max_length=200, blank=True)
    findings = models.TextField(_("findings"), blank=True)
    arrears_found = money(_("arrears found (yuan)"))
    workers_owed = models.PositiveIntegerField(_("workers owed"), default=0)
    amount_recovered = money(_("amount recovered (yuan)"))
    followup_due = models.DateField(_("follow-up visit by"), null=True, blank=True)
    followed_up_on = models.DateField(_("followed up on"), null=True, blank=True)
    followup_notes = models.TextField(_("follow-up notes"), blank=True)
    case = models.ForeignKey(
        Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="inspection_targets"
    )

    objects = ScopedManager()

    class Meta:
        verbose_name = _("inspected employer")
        verbose_name_plural = _("inspected employers")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "employer"], name="one_target_per_employer"
            )
        ]

    def __str__(self):
        return f"{self.inspection.name} · {self.employer.name}"


# --- early warning ---------------------------------------------------------------------------


class AlertRule(models.TextChoices):
    CLUSTER = "cluster", _("Several complaints about one employer")
    COLLECTIVE = "collective", _("Many workers in one case")
    FESTIVAL_ARREARS = "festival", _("Construction wage arrears before Spring Festival")


class AlertStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("alert status", "Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    CLOSED = "closed", pgettext_lazy("alert status", "Acted on and closed")


@register_scoped
class Alert(models.Model):
    """An early warning: a cluster of cases someone must acknowledge and act on."""

    scope_path = "organization__path"

    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("raised to"),
        on_delete=models.PROTECT,
        related_name="alerts",
    )
    rule = models.CharField(_("rule"), max_length=12, choices=AlertRule.choices)
    employer = models.ForeignKey(
        "organizations.Employer",
        verbose_name=_("employer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="alerts",
    )
    employer_name_given = models.CharField(_("employer as given"), max_length=200, blank=True)
    summary = models.CharField(_("summary"), max_length=255)
    cases = models.ManyToManyField(Case, related_name="alerts", verbose_name=_("cases"))
    workers_affected = models.PositiveIntegerField(_("workers affected"), default=0)
    raised_at = models.DateTimeField(_("raised at"))
    status = models.CharField(
        _("status"), max_length=14, choices=AlertStatus.choices, default=AlertStatus.OPEN
    )
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    action_taken = models.TextField(_("action taken"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ScopedManager()

    class Meta:
        verbose_name = _("early warning")
        verbose_name_plural = _("early warnings")
        ordering = ["-raised_at", "-id"]
        indexes = [models.Index(fields=["status", "-raised_at"], name="alert_status_recent")]

    def __str__(self):
        return self.summary


# --- knowledge base, hotline calls -----------------------------------------------------------


@register_scoped
class Article(models.Model):
    """A question and its answer on labor law or union policy, for call takers and workers."""

    scope_path = "organization__path"

    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="articles",
    )
    question = models.CharField(_("question"), max_length=255)
    answer = models.TextField(_("answer"))
    category = models.CharField(_("category"), max_length=40, choices=CATEGORY_CHOICES, blank=True)
    keywords = models.CharField(_("keywords"), max_length=255, blank=True)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    search_text = models.TextField(editable=False, blank=True, default="")
    public = models.BooleanField(_("shown on the portal"), default=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="articles",
    )
    review_due = models.DateField(_("review by"))
    reviewed_on = models.DateField(_("last reviewed on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("knowledge base answer")
        verbose_name_plural = _("knowledge base")
        ordering = ["question", "id"]

    def __str__(self):
        return self.question


@register_scoped
class HotlineCall(models.Model):
    """A call to 12351: answered on the spot (from the knowledge base) or turned into a case."""

    scope_path = "organization__path"

    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="hotline_calls",
    )
    caller_phone = PersonalDataField(_("caller number"), kind="phone", blank=True)
    caller_phone_hash = BlindIndexField(source="caller_phone")
    called_at = models.DateTimeField(_("call time"))
    category = models.CharField(_("category"), max_length=40, choices=CATEGORY_CHOICES)
    summary = models.TextField(_("what the caller asked"))
    answer = models.TextField(_("answer given"), blank=True)
    articles = models.ManyToManyField(Article, blank=True, related_name="calls")
    case = models.ForeignKey(
        Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="calls"
    )
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("hotline call")
        verbose_name_plural = _("hotline calls")
        ordering = ["-called_at", "-id"]

    def __str__(self):
        return f"{self.called_at:%Y-%m-%d %H:%M} {self.summary[:30]}"


# --- joint meetings --------------------------------------------------------------------------


@register_scoped
class JointMeeting(models.Model):
    """联席会议 with government departments: who came, what was raised, what was decided."""

    scope_path = "organization__path"

    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("convened by"),
        on_delete=models.PROTECT,
        related_name="joint_meetings",
    )
    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateField(pgettext_lazy("meeting", "held on"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    attendees = models.TextField(_("attendees (departments and people)"))
    issues = models.TextField(_("issues raised"))
    decisions = models.TextField(_("decisions"), blank=True)
    cases = models.ManyToManyField(Case, blank=True, related_name="joint_meetings")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("joint meeting")
        verbose_name_plural = _("joint meetings")
        ordering = ["-held_on", "-id"]

    def __str__(self):
        return self.title


class ActionItem(models.Model):
    meeting = models.ForeignKey(JointMeeting, on_delete=models.CASCADE, related_name="actions")
    text = models.TextField(_("action"))
    owner = models.CharField(_("owner (department or person)"), max_length=200)
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    result = models.TextField(_("result"), blank=True)

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["due_on", "id"]

    def __str__(self):
        return self.text[:60]
