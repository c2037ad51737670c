from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.fields import BlindIndexField, PersonalDataField
from gonghui.core.scope import ScopedManager, register_scoped

from .search import PinyinKeyField


class WorkerType(models.TextChoices):
    REGULAR = "regular", _("Regular employee")
    MIGRANT = "migrant", _("Migrant worker")
    DISPATCHED = "dispatched", _("Dispatched worker")
    PLATFORM = "platform", _("Platform or gig worker")


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


@register_scoped
class Worker(models.Model):
    """One person who works, keyed by the keyed hash of the resident id number."""

    scope_path = "organization__path"

    name = models.CharField(_("full name"), max_length=64)
    # Pinyin initials ("zs" for 张三) and full pinyin, for search by the Latin keyboard.
    name_initials = PinyinKeyField(max_length=32, source="name", part="initials")
    name_pinyin = PinyinKeyField(max_length=128, source="name", part="full")
    id_number = PersonalDataField(_("resident ID number"), kind="id_number")
    id_number_hash = BlindIndexField(source="id_number", unique=True, null=True, default=None)
    phone = PersonalDataField(_("mobile phone"), kind="phone")
    phone_hash = BlindIndexField(source="phone")
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    worker_type = models.CharField(
        _("worker type"), max_length=16, choices=WorkerType.choices, default=WorkerType.REGULAR
    )
    # The employer the worker works at; for a dispatched worker the user employer (用工单位),
    # with the labor-dispatch agency (用人单位) beside it.
    employer = models.ForeignKey(
        "organizations.Employer",
        verbose_name=_("employer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="workers",
    )
    dispatching_employer = models.ForeignKey(
        "organizations.Employer",
        verbose_name=_("dispatching agency"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="dispatched_workers",
    )
    # An employer named in a roster but not (yet) on record, kept for later matching.
    employer_name_given = models.CharField(_("employer as written"), max_length=200, blank=True)
    # What differs between the record and the ID number (sex, birth date), for a person to check.
    review_flags = models.JSONField(_("to check"), default=list, blank=True)
    # The organization holding the worker's record: the grassroots union of the employer, or
    # the township union for a worker without one.
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="workers",
        db_index=False,  # the index on (organization, name) serves it
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("worker")
        verbose_name_plural = _("workers")
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["organization", "name"]),
            models.Index(fields=["name", "id"]),
            # Prefix search (the ``prefix`` lookup) and its ordering from one index each. On
            # PostgreSQL these columns use the "C" collation (migration 0003), under which a
            # plain btree serves both LIKE 'x%' and ORDER BY; SQLite's BINARY does the same.
            models.Index(fields=["name_initials", "id"], name="worker_initials_order"),
            models.Index(fields=["name_pinyin", "id"], name="worker_pinyin_order"),
            # No Index(fields=["employer"]): the foreign key has its own index (migration 0007).
            models.Index(fields=["worker_type"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(worker_type__in=WorkerType.values), name="worker_type_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class MembershipStatus(models.TextChoices):
    ACTIVE = "active", _("Member")
    TRANSFERRED = "transferred", _("Transferred out")
    LAPSED = "lapsed", _("Lapsed")
    RETIRED = "retired", _("Retired")
    DECEASED = "deceased", _("Deceased")
    LEFT = "left", _("Left the union")


@register_scoped
class Membership(models.Model):
    """One stretch of a worker's membership in one grassroots union. A worker has at most one
    active membership (a database constraint); a transfer ends one and starts the next."""

    scope_path = "union__path"

    worker = models.ForeignKey(Worker, on_delete=models.PROTECT, related_name="memberships")
    union = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("grassroots union"),
        on_delete=models.PROTECT,
        related_name="memberships",
        db_index=False,  # the index on (union, status) serves it
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=MembershipStatus.choices,
        default=MembershipStatus.ACTIVE,
    )
    joined_on = models.DateField(_("joined on"))
    card_number = models.CharField(_("membership card number"), max_length=32, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["-joined_on", "-id"]
        indexes = [
            models.Index(fields=["union", "status"]),
            models.Index(fields=["status", "joined_on"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["worker"],
                condition=Q(status="active"),
                name="one_active_membership_per_worker",
            ),
            models.UniqueConstraint(
                fields=["card_number"],
                condition=~Q(card_number=""),
                name="membership_card_number_unique",
            ),
            models.CheckConstraint(
                condition=Q(status__in=MembershipStatus.values), name="membership_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status="active") | Q(ended_on__isnull=False),
                name="membership_ended_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker} @ {self.union}"


class MembershipEventKind(models.TextChoices):
    JOINED = "joined", _("Joined")
    TRANSFER_REQUESTED = "transfer_requested", _("Transfer requested")
    TRANSFERRED_OUT = "transferred_out", _("Transferred out")
    TRANSFERRED_IN = "transferred_in", _("Transferred in")
    TRANSFER_REJECTED = "transfer_rejected", _("Transfer refused")
    LAPSED = "lapsed", _("Lapsed")
    REJOINED = "rejoined", _("Rejoined")
    RETIRED = "retired", _("Retired")
    DECEASED = "deceased", _("Deceased")
    LEFT = "left", _("Left the union")
    MERGED = "merged", _("Duplicate record merged")


class MembershipEvent(models.Model):
    """Append-only history of a worker's membership: the timeline on the worker page."""

    scope_path = "organization__path"

    worker = models.ForeignKey(
        Worker,
        on_delete=models.CASCADE,
        related_name="membership_events",
        db_index=False,  # the index on (worker, at) serves it
    )
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=24, choices=MembershipEventKind.choices)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)

    objects = ScopedManager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["worker", "at"])]

    def __str__(self) -> str:
        return f"{self.worker} {self.kind}"


class TransferStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Refused")
    CANCELLED = "cancelled", _("Withdrawn")


@register_scoped
class MembershipTransfer(models.Model):
    """Moving a member from one grassroots union to another ("membership follows the job").
    Seen by both unions; approved by the receiving union."""

    scope_path = ("from_union__path", "to_union__path")

    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="transfers")
    worker = models.ForeignKey(Worker, on_delete=models.PROTECT, related_name="transfers")
    from_union = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="transfers_out"
    )
    to_union = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="transfers_in"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=TransferStatus.choices, default=TransferStatus.REQUESTED
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("note on the decision"), max_length=200, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("membership transfer")
        verbose_name_plural = _("membership transfers")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["membership"],
                condition=Q(status="requested"),
                name="one_open_transfer_per_membership",
            ),
            models.CheckConstraint(
                condition=~Q(from_union=models.F("to_union")), name="transfer_to_another_union"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker}: {self.from_union} → {self.to_union}"


class ApplicationKind(models.TextChoices):
    JOIN = "join", _("Join the union")
    TRANSFER = "transfer", _("Transfer membership")


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Declined")


@register_scoped
class JoinApplication(models.Model):
    """A worker's own request, from the portal on a phone, to join a union or move to one."""

    scope_path = "union__path"

    account = models.ForeignKey(
        "members.PortalAccount", on_delete=models.PROTECT, related_name="applications"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ApplicationKind.choices)
    union = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("grassroots union"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    name = models.CharField(_("full name"), max_length=64)
    id_number = PersonalDataField(_("resident ID number"), kind="id_number")
    id_number_hash = BlindIndexField(source="id_number")
    phone = PersonalDataField(_("mobile phone"), kind="phone")
    worker_type = models.CharField(
        _("worker type"), max_length=16, choices=WorkerType.choices, default=WorkerType.REGULAR
    )
    employer = models.ForeignKey(
        "organizations.Employer", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    employer_name_given = models.CharField(_("employer as written"), max_length=200, blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.SUBMITTED,
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("reason told to the worker"), max_length=200, blank=True)
    membership = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ScopedManager()

    class Meta:
        verbose_name = _("membership application")
        verbose_name_plural = _("membership applications")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account"],
                condition=Q(status="submitted"),
                name="one_open_application_per_account",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} → {self.union}"


class PortalAccount(models.Model):
    """A worker who signs in to the portal with a phone number and a one-time SMS code, and
    binds their ID number once; from then on they see their own records and no one else's."""

    phone = PersonalDataField(_("mobile phone"), kind="phone")
    phone_hash = BlindIndexField(source="phone", unique=True, null=True, default=None)
    worker = models.OneToOneField(
        Worker, on_delete=models.SET_NULL, null=True, blank=True, related_name="portal_account"
    )
    bound_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_login_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("portal account")
        verbose_name_plural = _("portal accounts")

    def __str__(self) -> str:
        from gonghui.core.fields import mask

        return mask("phone", self.phone)


class OneTimeCode(models.Model):
    """An SMS sign-in code: only its hash is kept; short-lived, single-use, few tries."""

    phone_hash = models.CharField(max_length=40, db_index=True)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    def __str__(self) -> str:
        return f"code {self.pk} until {self.expires_at:%H:%M}"


class DuplicateStatus(models.TextChoices):
    OPEN = "open", _("To review")
    MERGED = "merged", _("Merged")
    DISMISSED = "dismissed", _("Not the same person")


@register_scoped
class DuplicateCandidate(models.Model):
    """Two worker records that may be one person, for a person to merge or dismiss."""

    scope_path = ("worker_a__organization__path", "worker_b__organization__path")

    worker_a = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="+")
    worker_b = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("why"), max_length=32)
    status = models.CharField(
        _("status"), max_length=16, choices=DuplicateStatus.choices, default=DuplicateStatus.OPEN
    )
    found_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("possible duplicate")
        verbose_name_plural = _("possible duplicates")
        ordering = ["-found_at"]
        constraints = [
            models.UniqueConstraint(fields=["worker_a", "worker_b"], name="duplicate_pair_once"),
            models.CheckConstraint(
                condition=Q(worker_a__lt=models.F("worker_b")), name="duplicate_pair_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker_a} / {self.worker_b}"


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Done")
    FAILED = "failed", _("Could not be read")


@register_scoped
class ImportJob(models.Model):
    """One roster file imported from the web or the command line, with its counts and the
    file of rejected rows."""

    scope_path = "organization__path"

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="import_jobs"
    )
    target_union = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Every row joins this union (else each row goes to its employer's union)"),
    )
    file = models.FileField(upload_to="imports/%Y/%m/")
    original_name = models.CharField(max_length=255)
    dry_run = models.BooleanField(default=False)
    status = models.CharField(
        max_length=16, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    ignored_columns = models.JSONField(default=list, blank=True)
    report = models.FileField(upload_to="imports/reports/%Y/%m/", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("roster import")
        verbose_name_plural = _("roster imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.original_name
