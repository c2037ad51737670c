"""Model fields for sensitive personal information.

``PersonalDataField`` keeps the value encrypted in the database and plain in Python. Each kind
of personal data knows how to normalize, mask and hash itself, so a model declares::

    id_number = PersonalDataField(kind="id_number")
    id_number_hash = BlindIndexField(source="id_number")

and gets encryption on write, decryption on read, a masked form for pages and exports, and an
indexed keyed hash for exact search (``Worker.objects.filter(id_number_hash=hash_for(...))``).
Lookups on the encrypted column itself are refused: they could never match.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import FieldError
from django.db import models
from django.utils.translation import gettext_lazy as _

from gonghui.core import crypto
from gonghui.core import identifiers as ids


@dataclass(frozen=True)
class PersonalKind:
    name: str
    label: str
    normalize: Callable[[str], str]
    mask: Callable[[str], str]


def _strip(value: str) -> str:
    return "".join(value.split())


def _mask_generic(value: str) -> str:
    if len(value) <= 2:
        return "*" * len(value)
    return value[0] + "*" * (len(value) - 2) + value[-1]


def _normalize_mobile_lenient(value: str) -> str:
    # Already 11 digits: nothing to normalize (validation is the services' job, not storage's),
    # and this is the common case on every save and hash.
    if len(value) == 11 and value.isascii() and value.isdigit():
        return value
    try:
        return ids.normalize_mobile(value)
    except ids.IdentifierError:
        return _strip(value)


PERSONAL_KINDS: dict[str, PersonalKind] = {
    "id_number": PersonalKind(
        "id_number", _("resident ID number"), ids.normalize_id_number, ids.mask_id_number
    ),
    "phone": PersonalKind("phone", _("phone number"), _normalize_mobile_lenient, ids.mask_mobile),
    "bank_account": PersonalKind("bank_account", _("bank account"), _strip, ids.mask_bank_account),
    "name": PersonalKind("name", _("full name"), str.strip, ids.mask_name),
    "text": PersonalKind("text", _("personal details"), str.strip, _mask_generic),
}


def hash_for(kind: str, value: str) -> str:
    """The keyed hash to search a ``BlindIndexField`` of this kind with."""
    return crypto.blind_index(PERSONAL_KINDS[kind].normalize(value), kind)


def mask(kind: str, value: str | None) -> str:
    return PERSONAL_KINDS[kind].mask(value) if value else ""


class PersonalDataField(models.TextField):
    """Encrypted at rest; plain ``str`` in Python; never filterable except by ``isnull``."""

    description = "Encrypted sensitive personal information"

    def __init__(self, *args, kind: str = "text", **kwargs):
        if kind not in PERSONAL_KINDS:
            raise ValueError(f"unknown personal data kind {kind!r}")
        self.kind = kind
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["kind"] = self.kind
        if kwargs.get("blank") is True:
            kwargs.pop("blank")
        if kwargs.get("default") == "":
            kwargs.pop("default")
        return name, path, args, kwargs

    def from_db_value(self, value, expression, connection):
        if not value:
            return ""
        return crypto.decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if not value:
            return ""
        return crypto.encrypt(self.personal_kind.normalize(value))

    def to_python(self, value):
        return "" if value is None else str(value)

    @property
    def personal_kind(self) -> PersonalKind:
        return PERSONAL_KINDS[self.kind]

    def get_lookup(self, lookup_name):
        if lookup_name not in {"isnull", "exact"}:
            raise FieldError(
                f"{self.model.__name__}.{self.name} is encrypted; search its BlindIndexField instead"
            )
        return super().get_lookup(lookup_name)


class BlindIndexField(models.CharField):
    """The keyed hash of another field's normalized value, kept current on every save."""

    def __init__(self, *args, source: str = "", **kwargs):
        self.source = source
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("db_index", True)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        for key, value in (
            ("max_length", 40),
            ("blank", True),
            ("default", ""),
            ("db_index", True),
            ("editable", False),
        ):
            if kwargs.get(key) == value:
                kwargs.pop(key)
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        source_field = model_instance._meta.get_field(self.source)
        value = getattr(model_instance, self.source)
        empty = None if self.null else ""
        digest = hash_for(source_field.kind, value) if value else empty
        setattr(model_instance, self.attname, digest)
        return digest


def personal_fields(model) -> dict[str, PersonalDataField]:
    return {f.name: f for f in model._meta.get_fields() if isinstance(f, PersonalDataField)}
