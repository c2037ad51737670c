"""Indexes that only cost writes: every imported worker, membership and history row updated
them (the roster import's PostgreSQL time is mostly index insertions, docs/import.md).

- ``Worker``: the ``Index(fields=["employer"])`` repeated the foreign key's own index; the
  foreign key to the organization is served by the index on (organization, name).
- ``Membership.union``: served by the index on (union, status).
- ``MembershipEvent.worker``: served by the index on (worker, at).
- PostgreSQL only: Django adds a ``varchar_pattern_ops`` copy (``…_like``) of the index of
  every indexed varchar column, for LIKE. The keyed hashes ``Worker.id_number_hash`` and
  ``Worker.phone_hash`` are only ever compared for equality (their unique or plain index
  serves that), so those two copies go. The field state does not change: a later AlterField
  that changes these columns' type would create them again and should drop them again.
"""

import django.db.models.deletion
from django.db import migrations, models

LIKE_INDEXED = [("members_worker", "id_number_hash"), ("members_worker", "phone_hash")]


def drop_like_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column in LIKE_INDEXED:
        name = schema_editor._create_index_name(table, [column], suffix="_like")
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")


def create_like_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column in LIKE_INDEXED:
        name = schema_editor._create_index_name(table, [column], suffix="_like")
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {schema_editor.quote_name(name)} "
            f"ON {schema_editor.quote_name(table)} ({schema_editor.quote_name(column)} "
            "varchar_pattern_ops)"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0006_search_indexes"),
        ("organizations", "0002_registry"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="worker",
            name="members_wor_employe_4b26c5_idx",
        ),
        migrations.AlterField(
            model_name="membership",
            name="union",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="memberships",
                to="organizations.organization",
                verbose_name="grassroots union",
            ),
        ),
        migrations.AlterField(
            model_name="membershipevent",
            name="worker",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="membership_events",
                to="members.worker",
            ),
        ),
        migrations.AlterField(
            model_name="worker",
            name="organization",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="workers",
                to="organizations.organization",
                verbose_name="organization",
            ),
        ),
        migrations.RunPython(drop_like_indexes, create_like_indexes),
    ]
