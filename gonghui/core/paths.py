"""The ``subtree`` lookup on materialized paths: ``path__subtree=prefix``.

PostgreSQL serves ``LIKE 'prefix%'`` from the pattern-ops index Django builds for an indexed
CharField. SQLite cannot use an index for LIKE unless case_sensitive_like is on, so there the
same test is written as a range: ``path >= prefix AND path < prefix || '~'`` — paths hold only
0-9, a-z and '/', all below '~', so the range is exactly the subtree and uses the plain index.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Lookup

UPPER_BOUND_CHAR = "~"


class MaterializedPathField(models.CharField):
    description = "Materialized path of a tree node (segments of [0-9a-z] ending in '/')"


@MaterializedPathField.register_lookup
class Subtree(Lookup):
    lookup_name = "subtree"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        prefix = self.rhs
        if connection.vendor == "postgresql":
            escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            return f"{lhs} LIKE %s", [*lhs_params, escaped + "%"]
        return f"({lhs} >= %s AND {lhs} < %s)", [
            *lhs_params,
            prefix,
            *lhs_params,
            prefix + UPPER_BOUND_CHAR,
        ]


# The highest code point: in SQLite's BINARY collation (UTF-8 bytes) every string that starts
# with ``prefix`` sorts at or after ``prefix`` and before ``prefix + U+10FFFF``.
MAX_CHAR = "\U0010ffff"


@models.CharField.register_lookup
class Prefix(Lookup):
    """``name__prefix="张"``: a case-sensitive prefix match that uses an index on both databases
    (LIKE with a varchar_pattern_ops index on PostgreSQL, an index range on SQLite)."""

    lookup_name = "prefix"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        prefix = str(self.rhs)
        if connection.vendor == "postgresql":
            escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            return f"{lhs} LIKE %s", [*lhs_params, escaped + "%"]
        return f"({lhs} >= %s AND {lhs} < %s)", [
            *lhs_params,
            prefix,
            *lhs_params,
            prefix + MAX_CHAR,
        ]
