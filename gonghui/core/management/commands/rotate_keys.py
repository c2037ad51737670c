"""Re-encrypt every personal data value with the first key of FIELD_ENCRYPTION_KEYS and
recompute every keyed hash with the current FIELD_HASH_KEY.

Rotation: put the new encryption key first (keep the old one after it), or set a new
FIELD_HASH_KEY, restart, run this command, then remove the old encryption key. Rows are
processed in batches inside transactions; running it twice is harmless.
"""

from __future__ import annotations

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from gonghui.core import crypto
from gonghui.core.fields import BlindIndexField, PersonalDataField


class Command(BaseCommand):
    help = "Re-encrypt personal data with the current key and recompute keyed hashes."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=2000)

    def handle(self, *args, batch_size: int, **options):
        ring = crypto.keyring()
        for model in apps.get_models():
            personal = [f for f in model._meta.concrete_fields if isinstance(f, PersonalDataField)]
            if not personal:
                continue
            hashes = [f for f in model._meta.concrete_fields if isinstance(f, BlindIndexField)]
            names = [f.name for f in personal] + [f.name for f in hashes]
            done = 0
            last_pk = 0
            while True:
                with transaction.atomic():
                    rows = list(
                        model._base_manager.filter(pk__gt=last_pk)
                        .order_by("pk")
                        .select_for_update()[:batch_size]
                    )
                    if not rows:
                        break
                    for row in rows:
                        for field in hashes:
                            field.pre_save(row, add=False)
                    # get_prep_value encrypts with the primary key on the way back in.
                    model._base_manager.bulk_update(rows, names, batch_size=batch_size)
                    last_pk = rows[-1].pk
                    done += len(rows)
            self.stdout.write(
                f"{model._meta.label}: {done} rows re-encrypted with key {ring.primary_id!r}"
            )
