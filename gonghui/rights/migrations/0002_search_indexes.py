"""GIN indexes for the bigram full-text search (rights/search.py), on PostgreSQL only: SQLite
searches with LIKE and needs nothing here."""

from django.db import migrations

INDEXES = (
    ("case_search_fts", "rights_case"),
    ("article_search_fts", "rights_article"),
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
            f"USING gin (to_tsvector('simple', search_text))"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("rights", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
