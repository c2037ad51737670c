"""The human check of the portal's complaint form, made to work on an intranet with no internet
(no third-party captcha service can be reached there).

Three brakes together:
- a small sum or difference drawn by the server as an SVG picture: the digits are strokes with
  random jitter, tilt and noise lines, never text a script could read out of the page;
- the answer kept in the server-side session as a keyed hash, good for one try only (a new
  question is drawn for every form shown) and for ``MAX_AGE`` seconds;
- a honeypot field hidden from people (bots fill every field) and a minimum time between drawing
  the form and sending it (``RIGHTS_FORM_MIN_SECONDS``, default 3; a person needs longer than
  that to describe a problem).

Anyone who cannot read the picture is told to call 12351 instead.
"""

from __future__ import annotations

import random
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.html import format_html, mark_safe
from django.utils.translation import gettext as _

SESSION_KEY = "rights_human_check"
HONEYPOT = "website"  # a name bots like to fill
MAX_AGE = 30 * 60

# Seven-segment strokes of each glyph in a 10 x 20 box: (x1, y1, x2, y2).
_SEG = {
    "a": (1, 1, 9, 1),
    "b": (9, 1, 9, 10),
    "c": (9, 10, 9, 19),
    "d": (1, 19, 9, 19),
    "e": (1, 10, 1, 19),
    "f": (1, 1, 1, 10),
    "g": (1, 10, 9, 10),
}
_DIGITS = {
    "0": "abcdef",
    "1": "bc",
    "2": "abged",
    "3": "abgcd",
    "4": "fgbc",
    "5": "afgcd",
    "6": "afgedc",
    "7": "abc",
    "8": "abcdefg",
    "9": "abcdfg",
}
_SIGNS = {
    "+": [(1, 10, 9, 10), (5, 6, 5, 14)],
    "-": [(1, 10, 9, 10)],
    "=": [(1, 7, 9, 7), (1, 13, 9, 13)],
    "?": [(2, 3, 5, 1), (5, 1, 9, 4), (9, 4, 5, 10), (5, 10, 5, 14), (5, 17, 5, 19)],
}


def _now() -> float:
    return time.time()


def min_seconds() -> float:
    return float(getattr(settings, "RIGHTS_FORM_MIN_SECONDS", 3))


def _numbers() -> tuple[int, str, int]:
    """The question (tests replace it to know the answer)."""
    a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    if secrets.randbelow(2):
        return max(a, b) + 10, "-", min(a, b)
    return a, "+", b


def _hash(answer: str) -> str:
    return salted_hmac("gonghui.rights.human-check", answer, algorithm="sha256").hexdigest()


def _glyph(char: str, x: float, rng: random.Random) -> str:
    strokes = [_SEG[s] for s in _DIGITS[char]] if char in _DIGITS else _SIGNS[char]
    angle = rng.uniform(-12, 12)
    scale = rng.uniform(1.15, 1.35)
    y = rng.uniform(5, 11)
    color = rng.choice(["#8a1116", "#1d4e89", "#2f5d34", "#5b3a78", "#333"])
    lines = []
    for x1, y1, x2, y2 in strokes:

        def j():
            return rng.uniform(-1.1, 1.1)

        lines.append(
            f'<line x1="{x1 + j():.1f}" y1="{y1 + j():.1f}" x2="{x2 + j():.1f}" y2="{y2 + j():.1f}"/>'
        )
    return (
        f'<g transform="translate({x:.1f} {y:.1f}) rotate({angle:.1f} 5 10) scale({scale:.2f})" '
        f'stroke="{color}" stroke-width="{rng.uniform(2.0, 2.8):.1f}" stroke-linecap="round">'
        + "".join(lines)
        + "</g>"
    )


def _svg(text: str) -> str:
    rng = random.Random(secrets.randbits(64))
    width, height = 30 + 22 * len(text), 48
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="human-check-picture" viewBox="0 0 {width} {height}" '
        f'width="{width * 2}" height="{height * 2}" role="img" aria-hidden="true" focusable="false">',
        f'<rect width="{width}" height="{height}" fill="#fbf6ec" rx="4"/>',
    ]
    for _i in range(5):  # noise behind the glyphs
        parts.append(
            f'<line x1="{rng.uniform(0, width):.1f}" y1="{rng.uniform(0, height):.1f}" '
            f'x2="{rng.uniform(0, width):.1f}" y2="{rng.uniform(0, height):.1f}" '
            f'stroke="#c9b99a" stroke-width="{rng.uniform(0.6, 1.4):.1f}"/>'
        )
    x = 12.0
    for char in text:
        parts.append(_glyph(char, x, rng))
        x += 22 + rng.uniform(-2, 2)
    for _i in range(18):
        parts.append(
            f'<circle cx="{rng.uniform(0, width):.1f}" cy="{rng.uniform(0, height):.1f}" '
            f'r="{rng.uniform(0.4, 1.2):.1f}" fill="#a08e6c"/>'
        )
    parts.append("</svg>")
    return "".join(parts)


@dataclass(frozen=True)
class Challenge:
    svg: str  # safe markup


def new_challenge(request) -> Challenge:
    """Draw a new question for the form about to be shown; the previous one stops working."""
    a, sign, b = _numbers()
    answer = a + b if sign == "+" else a - b
    request.session[SESSION_KEY] = {"h": _hash(str(answer)), "t": _now()}
    return Challenge(svg=mark_safe(_svg(f"{a}{sign}{b}=?")))  # noqa: S308 — built above from digits


_FULL_WIDTH = str.maketrans({chr(0xFF10 + n): str(n) for n in range(10)} | {"－": "-"})


def verify(request, *, answer: str, honeypot: str = "") -> str | None:
    """None when the check passed, else the message to show on the answer field. The question
    is used up either way."""
    stored = request.session.pop(SESSION_KEY, None)
    if honeypot:
        return _("The check failed. Answer the new question.")
    if not stored:
        return _("The check has expired. Answer the new question.")
    elapsed = _now() - float(stored.get("t", 0))
    if elapsed > MAX_AGE:
        return _("The check has expired. Answer the new question.")
    if elapsed < min_seconds():
        return _("The form was sent too fast to be filled in by a person. Answer the new question.")
    given = "".join(str(answer or "").translate(_FULL_WIDTH).split())
    if not given:
        return _("Enter the result of the sum in the picture.")
    if not constant_time_compare(_hash(given), stored.get("h", "")):
        return _("That is not the result of the sum in the picture. Try the new question.")
    return None


def honeypot_html() -> str:
    """The trap: off-screen, skipped by keyboard and screen readers, left empty by people."""
    return format_html(
        '<div class="hp-field" aria-hidden="true"><label for="id_{n}">{label}</label>'
        '<input type="text" name="{n}" id="id_{n}" tabindex="-1" autocomplete="off" value=""></div>',
        n=HONEYPOT,
        label=_("Leave this empty"),
    )
