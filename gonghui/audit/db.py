"""The database triggers that make the audit log append-only (installed by migration 0002)."""

SQLITE_UP = [
    """CREATE TRIGGER IF NOT EXISTS audit_auditentry_no_update BEFORE UPDATE ON audit_auditentry
       BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
    """CREATE TRIGGER IF NOT EXISTS audit_auditentry_no_delete BEFORE DELETE ON audit_auditentry
       BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS audit_auditentry_no_update",
    "DROP TRIGGER IF EXISTS audit_auditentry_no_delete",
]
POSTGRES_UP = [
    """CREATE OR REPLACE FUNCTION audit_auditentry_refuse() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'the audit log is append-only'; END; $$ LANGUAGE plpgsql""",
    "DROP TRIGGER IF EXISTS audit_auditentry_append_only ON audit_auditentry",
    """CREATE TRIGGER audit_auditentry_append_only BEFORE UPDATE OR DELETE ON audit_auditentry
       FOR EACH ROW EXECUTE FUNCTION audit_auditentry_refuse()""",
    # TRUNCATE is not a row event; refuse it with a statement trigger.
    "DROP TRIGGER IF EXISTS audit_auditentry_no_truncate ON audit_auditentry",
    """CREATE TRIGGER audit_auditentry_no_truncate BEFORE TRUNCATE ON audit_auditentry
       FOR EACH STATEMENT EXECUTE FUNCTION audit_auditentry_refuse()""",
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS audit_auditentry_no_truncate ON audit_auditentry",
    "DROP TRIGGER IF EXISTS audit_auditentry_append_only ON audit_auditentry",
    "DROP FUNCTION IF EXISTS audit_auditentry_refuse()",
]


def _run(connection, statements_by_vendor) -> None:
    with connection.cursor() as cursor:
        for sql in statements_by_vendor.get(connection.vendor, []):
            cursor.execute(sql)


def install_append_only(connection) -> None:
    _run(connection, {"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP})


def remove_append_only(connection) -> None:
    """Only for test teardown, which must empty every table between tests."""
    _run(connection, {"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN})
