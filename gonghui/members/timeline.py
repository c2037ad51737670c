"""One timeline per worker, to which every area adds its events.

An area registers a provider, ``provider(worker, user) -> iterable of TimelineItem``, that
returns what it knows about the worker and the user may see (rights cases, hardship files,
payments, training, honors as those areas arrive). The worker page shows them merged by time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class TimelineItem:
    at: dt.datetime
    area: str  # short label of the area, shown as a tag
    text: str
    url: str = ""
    by: str = ""


_PROVIDERS: list[Callable] = []


def register(provider: Callable[..., Iterable[TimelineItem]]) -> Callable:
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)
    return provider


def for_worker(worker, user, limit: int = 200) -> list[TimelineItem]:
    items: list[TimelineItem] = []
    for provider in _PROVIDERS:
        items.extend(provider(worker, user))
    items.sort(key=lambda item: item.at, reverse=True)
    return items[:limit]


@register
def membership_history(worker, user) -> Iterable[TimelineItem]:
    from django.utils.translation import gettext as _

    for event in worker.membership_events.select_related("actor", "organization")[:200]:
        yield TimelineItem(
            at=event.at,
            area=_("Membership"),
            text=f"{event.get_kind_display()} · {event.organization}",
            by=str(event.actor) if event.actor else "",
        )
