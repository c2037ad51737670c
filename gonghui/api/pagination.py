from __future__ import annotations

from django.http import QueryDict

from gonghui.core.listing import Listing, Sort


def cursor_page(qs, *, cursor: str | None, limit: int, sorts: list[Sort], sort: str | None = None):
    params = QueryDict(mutable=True)
    if cursor:
        params["cursor"] = cursor
    if sort:
        params["sort"] = sort.lstrip("-")
        params["dir"] = "desc" if sort.startswith("-") else "asc"
    listing = Listing(queryset=qs, params=params, sorts=sorts, page_size=limit)
    page = listing.page()
    return {"items": page.rows, "next_cursor": page.next_cursor, "prev_cursor": page.prev_cursor}
