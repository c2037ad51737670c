from __future__ import annotations

from django.db import models
from django.db.models import Q
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
    employer = models.ForeignKey(
        "organizations.Employer",
        verbose_name=_("employer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="workers",
    )
    # The organization holding the worker's record: the grassroots union of the employer, or
    # the township union for a worker without one.
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="workers",
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
            # Prefix search (the ``prefix`` lookup): PostgreSQL needs pattern operator classes
            # for LIKE 'x%' under a non-C collation; other databases ignore opclasses.
            models.Index(
                fields=["name"], name="worker_name_prefix", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(
                fields=["name_initials"],
                name="worker_initials_prefix",
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(
                fields=["name_pinyin"],
                name="worker_pinyin_prefix",
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(fields=["employer"]),
            models.Index(fields=["worker_type"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(worker_type__in=WorkerType.values), name="worker_type_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name
