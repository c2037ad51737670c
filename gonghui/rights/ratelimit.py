"""Rate limits of the rights area's public doors: the portal's complaint form, the status page
and the public API.

The counting is the portal's sliding window (``gonghui.portal.services.Limit``) in the shared
cache, so several app instances count together. Limits and their sizes come from the setting
``RIGHTS_RATE_LIMITS``:

- absent or ``True``: the defaults below;
- ``False``: every limit is off (the portal benchmark measures the form, not the brake);
- a dict ``{name: (count, seconds)}``: those limits changed, the others at their defaults; a
  name mapped to ``None`` switches that one limit off.

Names: ``submit_address`` and ``submit_phone`` (complaints filed, from one client address and
for one contact phone), ``track_address`` and ``track_code`` (wrong tracking code or PIN from one
address and for one code: the issue's "a tracking code guessed wrong a few times is slowed
down").
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from gonghui.portal.services import Limit

HOUR = 3600

DEFAULTS: dict[str, tuple[int, int]] = {
    "submit_address": (10, HOUR),
    "submit_phone": (3, HOUR),
    "track_address": (20, HOUR),
    "track_code": (5, 15 * 60),
}


def _now() -> float:
    """The clock of the limits (tests move it)."""
    return time.time()


@dataclass
class RateLimited(Exception):
    """Refused: ``retry_after`` seconds to wait, ``message`` says until when."""

    retry_after: int
    message: str

    def __str__(self) -> str:
        return self.message


def sizes() -> dict[str, tuple[int, int] | None]:
    configured = getattr(settings, "RIGHTS_RATE_LIMITS", True)
    if configured is False or configured is None:
        return dict.fromkeys(DEFAULTS)
    result: dict[str, tuple[int, int] | None] = dict(DEFAULTS)
    if isinstance(configured, dict):
        for name, value in configured.items():
            if name not in DEFAULTS:
                raise ValueError(f"RIGHTS_RATE_LIMITS: unknown limit {name!r}")
            result[name] = tuple(value) if value else None
    return result


def _messages() -> dict[str, str]:
    return {
        "submit_address": _(
            "Too many complaints have been sent from this network in the last hour. "
            "You can send another at %(time)s, or call 12351."
        ),
        "submit_phone": _(
            "Too many complaints have been sent with this mobile number in the last hour. "
            "You can send another at %(time)s, or call 12351."
        ),
        "track_address": _(
            "Too many wrong tracking codes or PINs from this network. Try again at %(time)s."
        ),
        "track_code": _("Too many wrong tries for this tracking code. Try again at %(time)s."),
    }


def _limits(pairs: list[tuple[str, str]]) -> list[Limit]:
    configured = sizes()
    messages = _messages()
    found = []
    for name, key in pairs:
        size = configured[name]
        if size is None or not key:
            continue
        count, window = size
        found.append(Limit(f"rights:{name}:{key}", int(count), int(window), messages[name]))
    return found


def check(pairs: list[tuple[str, str]]) -> None:
    """Raise ``RateLimited`` when any of the named limits is reached for its key."""
    now = _now()
    for limit in _limits(pairs):
        retry_at = limit.retry_at(now)
        if retry_at is not None:
            at = timezone.localtime(dt.datetime.fromtimestamp(retry_at, tz=dt.UTC))
            seconds = max(1, int(retry_at - now + 0.999))
            raise RateLimited(
                retry_after=seconds,
                message=limit.message
                % {"seconds": seconds, "time": formats.time_format(at, "H:i")},
            )


def hit(pairs: list[tuple[str, str]]) -> None:
    """Count one event under each named limit. (Checking and counting are two cache calls:
    a limit is a brake on abuse, not an exact quota.)"""
    now = _now()
    for limit in _limits(pairs):
        limit.hit(now)


def clear(pairs: list[tuple[str, str]]) -> None:
    from django.core.cache import cache

    for limit in _limits(pairs):
        cache.delete(limit.key)
