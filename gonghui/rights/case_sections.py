"""Panels of the staff case page that the area's parts add (mediation, referrals, wage-arrears
details, supervision notices), so that no part edits another's template.

Same contract as ``organizations.employer_sections``: a part registers, from its ``hooks_*``
module, ``fn(request, case) -> Section | None``; the case page renders each section's template
with its context plus ``case`` and ``request``, in a panel titled ``title`` with the anchor
``#section-<key>``, sorted by ``order``. The function loads everything through
``visible_to(request.user)`` and returns None when the user may not see it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.template.loader import render_to_string

from gonghui.organizations.employer_sections import RenderedSection, Section

__all__ = ["Section", "register", "render_sections"]

_SECTIONS: list[Callable[[Any, Any], Section | None]] = []


def register(section_fn):
    if section_fn not in _SECTIONS:
        _SECTIONS.append(section_fn)
    return section_fn


def render_sections(request, case) -> list[RenderedSection]:
    sections = [s for s in (fn(request, case) for fn in _SECTIONS) if s is not None]
    sections.sort(key=lambda s: (s.order, str(s.title)))
    return [
        RenderedSection(
            key=s.key,
            title=s.title,
            html=render_to_string(s.template, {**s.context, "case": case}, request=request),
            order=s.order,
        )
        for s in sections
    ]
