"""A stored tsvector beside the bigram search text, with a GIN index, on PostgreSQL only.

Migration 0002 indexed the expression ``to_tsvector('simple', search_text)``: PostgreSQL then
computes the expression again for every row it checks (about 80 µs each), so a search that
walks the received-date index, or rechecks a bitmap of tens of thousands of rows, took
seconds on a million cases (docs/rights-figures.md). A generated column computes the vector
once, when the row is written; ``search.filter_text`` tests it.

Django does not know the column (it is not a model field): the ORM never names it in an INSERT
or UPDATE, PostgreSQL fills it, and SQLite (which searches with LIKE) has no such column.
"""

from django.db import migrations

TABLES = (
    ("rights_case", "case_search_vector", "case_search_fts"),
    ("rights_article", "article_search_vector", "article_search_fts"),
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, index, old_index in TABLES:
        schema_editor.execute(
            f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS search_vector tsvector "
            f"GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED"
        )
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {index} ON {table} USING gin (search_vector)"
        )
        schema_editor.execute(f"DROP INDEX IF EXISTS {old_index}")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, index, old_index in TABLES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {old_index} ON {table} "
            f"USING gin (to_tsvector('simple', search_text))"
        )
        schema_editor.execute(f"DROP INDEX IF EXISTS {index}")
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_vector")


class Migration(migrations.Migration):
    # ALTER TABLE rewrites the table: outside one big transaction it holds its lock no longer
    # than needed, and a failure leaves each table either done or untouched (IF NOT EXISTS).
    atomic = False
    dependencies = [("rights", "0003_legal_packet")]
    operations = [migrations.RunPython(forwards, backwards)]
