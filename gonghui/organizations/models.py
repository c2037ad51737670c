from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gonghui.core.paths import MaterializedPathField
from gonghui.core.scope import ScopedManager, ScopedQuerySet, register_scoped

# Materialized path: each level is the organization's id in base 36, six characters wide, then
# "/". Six characters hold 2.1 billion ids; 255 characters hold 36 levels, far more than the
# province → city → county → township → grassroots chain needs.
SEGMENT_WIDTH = 6
_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"


def path_segment(pk: int) -> str:
    digits = []
    n = pk
    while n:
        n, rem = divmod(n, 36)
        digits.append(_ALPHABET[rem])
    return "".join(reversed(digits)).rjust(SEGMENT_WIDTH, "0") + "/"


class OrganizationKind(models.TextChoices):
    FEDERATION = "federation", _("Federation of trade unions")
    TOWNSHIP = "township", _("Township or subdistrict union")
    SECTOR = "sector", _("Sector union")
    PARK = "park", _("Park union")
    GRASSROOTS = "grassroots", _("Grassroots union")
    JOINT_GRASSROOTS = "joint_grassroots", _("Joint grassroots union")


GRASSROOTS_KINDS = (OrganizationKind.GRASSROOTS, OrganizationKind.JOINT_GRASSROOTS)


class FederationLevel(models.TextChoices):
    NATIONAL = "national", _("National")
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    COUNTY = "county", _("County")


class OrganizationStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


class OrganizationQuerySet(ScopedQuerySet):
    def active(self):
        return self.filter(status=OrganizationStatus.ACTIVE)

    def grassroots(self):
        return self.filter(kind__in=GRASSROOTS_KINDS)


@register_scoped
class Organization(models.Model):
    """A union organization at any level of the tree."""

    scope_path = "path"

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=128)
    short_name = models.CharField(_("short name"), max_length=64, blank=True)
    kind = models.CharField(_("kind"), max_length=24, choices=OrganizationKind.choices)
    level = models.CharField(
        _("federation level"), max_length=16, choices=FederationLevel.choices, blank=True
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent organization"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    # Indexed with a pattern index on PostgreSQL (Django adds varchar_pattern_ops for
    # db_index CharFields), which serves every "path LIKE 'prefix%'" subtree query.
    path = MaterializedPathField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    region_code = models.CharField(
        _("region code"),
        max_length=12,
        help_text=_("GB/T 2260 code of the administrative area (6 digits; 9 or 12 for a township)"),
    )
    uscc = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    founded_on = models.DateField(_("founding date"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=OrganizationStatus.choices,
        default=OrganizationStatus.ACTIVE,
    )
    closed_on = models.DateField(_("date closed"), null=True, blank=True)
    closed_reason = models.TextField(_("reason for closing"), blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    phone = models.CharField(_("office phone"), max_length=32, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager.from_queryset(OrganizationQuerySet)()

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["path"]
        indexes = [
            models.Index(fields=["kind", "status"]),
            models.Index(fields=["parent", "name"]),
            models.Index(fields=["region_code"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=OrganizationKind.values), name="organization_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=OrganizationStatus.values), name="organization_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status="active") | (Q(closed_on__isnull=False) & ~Q(closed_reason="")),
                name="organization_closed_has_date_and_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_grassroots(self) -> bool:
        return self.kind in GRASSROOTS_KINDS

    @property
    def is_active(self) -> bool:
        return self.status == OrganizationStatus.ACTIVE

    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to the parent, read from the path without a query."""
        segments = [s for s in self.path.split("/") if s][:-1]
        return [int(s, 36) for s in segments]

    def ancestors(self):
        ids = self.ancestor_ids()
        by_id = Organization.objects.in_bulk(ids)
        return [by_id[i] for i in ids if i in by_id]

    def descendants(self):
        return Organization.objects.filter(path__subtree=self.path).exclude(pk=self.pk)


class Ownership(models.TextChoices):
    STATE_OWNED = "state_owned", _("State-owned")
    COLLECTIVE = "collective", _("Collective")
    PRIVATE = "private", _("Private")
    HMT_INVESTED = "hmt_invested", _("Hong Kong, Macao or Taiwan invested")
    FOREIGN_INVESTED = "foreign_invested", _("Foreign-invested")
    MIXED = "mixed", _("Mixed ownership")
    PUBLIC_INSTITUTION = "public_institution", _("Public institution")
    GOVERNMENT = "government", _("Government agency")
    SOCIAL_ORGANIZATION = "social_organization", _("Social organization")
    OTHER = "other", _("Other")


NON_PUBLIC_OWNERSHIPS = (
    Ownership.PRIVATE,
    Ownership.HMT_INVESTED,
    Ownership.FOREIGN_INVESTED,
)


class Industry(models.TextChoices):
    """Sections of GB/T 4754-2017, Industrial classification for national economic activities."""

    A = "A", _("Agriculture, forestry, animal husbandry and fishery")
    B = "B", _("Mining")
    C = "C", _("Manufacturing")
    D = "D", _("Electricity, heat, gas and water production and supply")
    E = "E", _("Construction")
    F = "F", _("Wholesale and retail trade")
    G = "G", _("Transport, storage and postal services")
    H = "H", _("Accommodation and catering")
    I = "I", _("Information transmission, software and IT services")  # noqa: E741
    J = "J", _("Finance")
    K = "K", _("Real estate")
    L = "L", _("Leasing and business services")
    M = "M", _("Scientific research and technical services")
    N = "N", _("Water conservancy, environment and public facilities management")
    O = "O", _("Resident services, repair and other services")  # noqa: E741
    P = "P", _("Education")
    Q = "Q", _("Health and social work")
    R = "R", _("Culture, sports and entertainment")
    S = "S", _("Public administration, social security and social organizations")
    T = "T", _("International organizations")


class EmployerSize(models.TextChoices):
    LARGE = "large", _("Large")
    MEDIUM = "medium", _("Medium")
    SMALL = "small", _("Small")
    MICRO = "micro", _("Micro")


@register_scoped
class Employer(models.Model):
    """Any employing unit, identified by its unified social credit code (GB 32100-2015)."""

    scope_path = "organization__path"

    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    name = models.CharField(_("name"), max_length=200, db_index=True)
    former_names = models.JSONField(_("former names"), default=list, blank=True)
    ownership = models.CharField(_("ownership"), max_length=24, choices=Ownership.choices)
    industry = models.CharField(_("industry"), max_length=1, choices=Industry.choices)
    size = models.CharField(_("size"), max_length=8, choices=EmployerSize.choices, blank=True)
    above_designated_size = models.BooleanField(_("above designated size"), default=False)
    region_code = models.CharField(_("region code"), max_length=12)
    address = models.CharField(_("address"), max_length=255, blank=True)
    headcount = models.PositiveIntegerField(_("workers employed"), default=0)
    # {"regular": n, "migrant": n, "dispatched": n, "platform": n} as the employer reports it
    headcount_by_type = models.JSONField(_("workers by type"), default=dict, blank=True)
    # The organization responsible for the employer's records: its own or joint grassroots
    # union when it has one, else the township union of its location.
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("responsible organization"),
        on_delete=models.PROTECT,
        related_name="employers",
    )
    union = models.ForeignKey(
        Organization,
        verbose_name=_("grassroots union"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="covered_employers",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("employer")
        verbose_name_plural = _("employers")
        ordering = ["name"]
        indexes = [
            models.Index(fields=["organization", "name"]),
            models.Index(fields=["ownership", "industry"]),
            models.Index(fields=["-headcount", "id"]),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def has_union(self) -> bool:
        return self.union_id is not None


class FoundingRecord(models.Model):
    """How a union was founded (Trade Union Law art. 11: 25 or more members form a committee,
    fewer may elect an organizer; the higher union approves)."""

    scope_path = "organization__path"

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="founding"
    )
    founded_on = models.DateField(_("founding date"))
    founding_members = models.PositiveIntegerField(_("founding members"))
    approved_by = models.CharField(_("approved by"), max_length=128, blank=True)
    approval_number = models.CharField(_("approval document number"), max_length=64, blank=True)
    first_committee = models.TextField(
        _("first committee"), blank=True, help_text=_("One name and position per line")
    )
    notes = models.TextField(_("notes"), blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("founding record")
        verbose_name_plural = _("founding records")

    def __str__(self) -> str:
        return f"{self.organization} {self.founded_on}"


register_scoped(FoundingRecord)


class ElectionKind(models.TextChoices):
    FOUNDING = "founding", _("Founding election")
    REGULAR = "regular", _("Re-election at the end of a term")
    BY_ELECTION = "by_election", _("By-election")


class Election(models.Model):
    """A union's election of its committee (terms of 3 or 5 years, Trade Union Law art. 15)."""

    scope_path = "organization__path"

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="elections"
    )
    held_on = models.DateField(_("held on"))
    kind = models.CharField(_("kind"), max_length=16, choices=ElectionKind.choices)
    term_years = models.PositiveSmallIntegerField(_("term in years"), default=5)
    members_total = models.PositiveIntegerField(_("members entitled to vote"), default=0)
    members_voting = models.PositiveIntegerField(_("members who voted"), default=0)
    approved_by = models.CharField(_("approved by"), max_length=128, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("election")
        verbose_name_plural = _("elections")
        ordering = ["-held_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(members_voting__lte=models.F("members_total")),
                name="election_voters_within_members",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.held_on}"


register_scoped(Election)


class CadrePosition(models.TextChoices):
    CHAIR = "chair", _("Chair")
    VICE_CHAIR = "vice_chair", _("Vice-chair")
    COMMITTEE_MEMBER = "committee_member", _("Committee member")
    ORGANIZER = "organizer", _("Union organizer")
    FUNDS_AUDITOR = "funds_auditor", _("Chair of the funds audit committee")
    WOMEN_WORKERS = "women_workers", _("Chair of the women workers' committee")


class Cadre(models.Model):
    """An officer of a union and one term in that office."""

    scope_path = "organization__path"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="cadres")
    worker = models.ForeignKey(
        "members.Worker",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cadre_terms",
    )
    name = models.CharField(_("full name"), max_length=64)
    position = models.CharField(_("position"), max_length=24, choices=CadrePosition.choices)
    rank = models.CharField(_("rank"), max_length=32, blank=True, help_text=_("e.g. 副科级"))
    full_time = models.BooleanField(_("full-time"), default=False)
    term_start = models.DateField(_("term start"))
    term_end = models.DateField(_("term end"))
    election = models.ForeignKey(
        Election, on_delete=models.SET_NULL, null=True, blank=True, related_name="cadres"
    )
    ended_on = models.DateField(_("left office on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("union cadre")
        verbose_name_plural = _("union cadres")
        ordering = ["organization", "position", "name"]
        indexes = [
            models.Index(fields=["term_end"]),
            models.Index(fields=["organization", "position"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(term_end__gt=models.F("term_start")), name="cadre_term_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} · {self.get_position_display()}"


register_scoped(Cadre)
