"""List pages that stay fast on a million rows: filters, sorting and keyset pagination.

No page runs a full COUNT: it fetches one row more than it shows to know whether there is a
next page, and moves by a cursor (the sort value and id of the last row shown), so page 5,000
costs what page 1 costs. Sorts are on non-null columns with an index, id breaking ties.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import QueryDict


@dataclass(frozen=True)
class Sort:
    key: str
    field: str  # a model field path (no leading "-")
    label: Any
    descending: bool = False


def _encode(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, dt.date):
        return {"d": value.isoformat()}
    if isinstance(value, Decimal):
        return {"dec": str(value)}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if "dt" in value:
            return dt.datetime.fromisoformat(value["dt"])
        if "d" in value:
            return dt.date.fromisoformat(value["d"])
        if "dec" in value:
            return Decimal(value["dec"])
    return value


def encode_cursor(value: Any, pk: int, direction: str) -> str:
    raw = json.dumps([_encode(value), pk, direction], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str) -> tuple[Any, int, str] | None:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        value, pk, direction = json.loads(raw)
        if direction not in {"after", "before"} or not isinstance(pk, int):
            return None
        return _decode(value), pk, direction
    except (ValueError, TypeError):
        return None


def _resolve(obj: Any, path: str) -> Any:
    for part in path.split("__"):
        obj = getattr(obj, part)
    return obj


@dataclass
class Page:
    rows: list
    next_cursor: str | None
    prev_cursor: str | None
    is_first: bool

    @property
    def has_other_pages(self) -> bool:
        return bool(self.next_cursor or self.prev_cursor)


@dataclass
class Listing:
    """One list page's state, read from the query string."""

    queryset: QuerySet
    params: QueryDict
    sorts: list[Sort]
    filter_form: forms.Form | None = None
    page_size: int = field(default_factory=lambda: settings.LIST_PAGE_SIZE)

    def __post_init__(self):
        self.sort = self._chosen_sort()
        self.descending = (
            self.params.get("dir") == "desc" if "dir" in self.params else self.sort.descending
        )

    def _chosen_sort(self) -> Sort:
        key = self.params.get("sort")
        for sort in self.sorts:
            if sort.key == key:
                return sort
        return self.sorts[0]

    def ordered(self) -> QuerySet:
        """The filtered queryset in list order (used by the page and by the export)."""
        prefix = "-" if self.descending else ""
        return self.queryset.order_by(prefix + self.sort.field, prefix + "pk")

    def page(self) -> Page:
        cursor = decode_cursor(self.params.get("cursor", "")) if self.params.get("cursor") else None
        qs = self.ordered()
        backwards = cursor is not None and cursor[2] == "before"
        if cursor is not None:
            value, pk, _direction = cursor
            field_name = self.sort.field
            forward_gt = not self.descending
            if backwards:
                forward_gt = not forward_gt
                qs = qs.reverse()
            op = "gt" if forward_gt else "lt"
            qs = qs.filter(
                Q(**{f"{field_name}__{op}": value}) | Q(**{field_name: value, f"pk__{op}": pk})
            )
        rows = list(qs[: self.page_size + 1])
        has_more = len(rows) > self.page_size
        rows = rows[: self.page_size]
        if backwards:
            rows.reverse()
        next_cursor = prev_cursor = None
        if rows:
            first, last = rows[0], rows[-1]
            if (has_more and not backwards) or (backwards and cursor is not None):
                next_cursor = encode_cursor(_resolve(last, self.sort.field), last.pk, "after")
            if (cursor is not None and not backwards) or (backwards and has_more):
                prev_cursor = encode_cursor(_resolve(first, self.sort.field), first.pk, "before")
        return Page(
            rows=rows,
            next_cursor=next_cursor,
            prev_cursor=prev_cursor,
            is_first=prev_cursor is None,
        )

    def url_with(self, **changes: Any) -> str:
        params = self.params.copy()
        for key, value in changes.items():
            if value is None:
                params.pop(key, None)
            else:
                params[key] = value
        return "?" + params.urlencode()

    def sort_links(self) -> list[dict]:
        links = []
        for sort in self.sorts:
            active = sort.key == self.sort.key
            next_dir = (
                ("asc" if self.descending else "desc")
                if active
                else ("desc" if sort.descending else "asc")
            )
            links.append(
                {
                    "label": sort.label,
                    "active": active,
                    "descending": active and self.descending,
                    "url": self.url_with(sort=sort.key, dir=next_dir, cursor=None),
                }
            )
        return links
