"""Full-text search of case descriptions and knowledge-base answers, in Chinese.

PostgreSQL's parsers do not split Chinese into words, and a word-segmentation extension
(zhparser, pg_jieba) is not something every county's server has. So the text is indexed as
overlapping character pairs (bigrams) of each run of Chinese characters, plus the lower-cased
Latin words and numbers: "拖欠工资" → "拖欠 欠工 工资". A query is cut the same way and every
pair must be present (a query of one character matches pairs that start with it). On
PostgreSQL the pairs are stored as a generated ``search_vector`` column
(``to_tsvector('simple', search_text)``, migration 0004) with a GIN index, so a search is an
index lookup and a row is never tokenized again while searching; on SQLite (the small embedded
setup) each pair is a LIKE.

This finds what a substring search finds, except that pairs of a phrase may also occur apart
in the same text (a rare false positive that the listing shows anyway).
"""

from __future__ import annotations

import re

from django.db import connection

_RUNS = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[0-9A-Za-z]+")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
MAX_DOC_TOKENS = 4000
# Tables with a generated ``search_vector`` column on PostgreSQL (migration 0004).
VECTOR_TABLES = frozenset({"rights_case", "rights_article"})


def tokens(text: str) -> list[str]:
    out: list[str] = []
    for run in _RUNS.findall(text or ""):
        if _CJK.match(run):
            if len(run) == 1:
                out.append(run)
            else:
                out.extend(run[i : i + 2] for i in range(len(run) - 1))
        else:
            out.append(run.lower())
    return out


def document(*texts: str) -> str:
    """The search text stored beside a record (distinct tokens, in order of first use)."""
    seen: dict[str, None] = {}
    for text in texts:
        for token in tokens(text):
            seen.setdefault(token, None)
            if len(seen) >= MAX_DOC_TOKENS:
                break
    return " ".join(seen)


def query_tokens(text: str) -> list[str]:
    return list(dict.fromkeys(tokens(text)))[:20]


def _tsquery(parts: list[str]) -> str:
    terms = []
    for part in parts:
        safe = part.replace("'", "")
        if not safe:
            continue
        # a lone Chinese character: any pair that starts with it
        terms.append(f"'{safe}':*" if len(safe) == 1 and _CJK.match(safe) else f"'{safe}'")
    return " & ".join(terms)


def vector_match(column: str, text: str) -> tuple[str, list] | None:
    """SQL testing a stored tsvector ``column`` against ``text`` on PostgreSQL, with its
    parameters; None when ``text`` holds nothing to search."""
    query = _tsquery(query_tokens(text))
    if not query:
        return None
    return f"{column} @@ to_tsquery('simple', %s)", [query]


def filter_text(queryset, text: str, field: str = "search_text"):
    """``queryset`` narrowed to records whose search text holds every token of ``text``."""
    parts = query_tokens(text)
    if not parts:
        return queryset
    if connection.vendor == "postgresql":
        table = queryset.model._meta.db_table
        if field == "search_text" and table in VECTOR_TABLES:
            # the stored vector (migration 0004): computed once when the row was written
            column = f'"{table}"."search_vector"'
        else:
            column = f'to_tsvector(\'simple\', "{table}"."{field}")'
        return queryset.extra(
            where=[f"{column} @@ to_tsquery('simple', %s)"],
            params=[_tsquery(parts)],
        )
    for part in parts:
        queryset = queryset.filter(**{f"{field}__contains": part})
    return queryset
