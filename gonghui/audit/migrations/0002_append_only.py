"""The audit log refuses UPDATE, DELETE (and TRUNCATE on PostgreSQL) in the database itself,
so not even a bug or a shell session in the app can rewrite history."""

from django.db import migrations

from gonghui.audit.db import install_append_only, remove_append_only


def forwards(apps, schema_editor):
    install_append_only(schema_editor.connection)


def backwards(apps, schema_editor):
    remove_append_only(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
