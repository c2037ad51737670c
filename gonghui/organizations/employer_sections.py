"""Sections of the employer page that other areas add: rights cases, labor relations,
wage arrears, … each shows what its area knows about the employer.

An area registers one function per section, once, from its ``AppConfig.ready()``::

    from gonghui.organizations import employer_sections

    @employer_sections.register
    def rights_cases(request, employer):
        cases = Case.objects.visible_to(request.user).filter(employer=employer)
        if not request.user.can(VIEW_CASES):
            return None                      # nothing to show to this user
        return employer_sections.Section(
            key="rights_cases",
            title=_("Rights cases"),
            template="rights/_employer_cases.html",
            context={"cases": cases[:20]},
            order=30,
        )

The function receives the request (for the user and the scope: it must load everything through
``visible_to``) and the employer, which the page has already loaded through ``get_for_user``.
It returns a :class:`Section` or None. The page renders each section's template with its
context plus ``employer`` and ``request``, in a panel titled ``title`` with the anchor
``#section-<key>``, sorted by ``order`` then title. A failing section is an error like any
other: sections are code of this project, not plug-ins to be sandboxed.

The registry's own sections (members, union cadres) are registered at the bottom of this
module, in the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Section:
    key: str
    title: Any
    template: str
    context: dict = field(default_factory=dict)
    order: int = 100


@dataclass(frozen=True)
class RenderedSection:
    key: str
    title: Any
    html: SafeString
    order: int


SectionFunction = Callable[[Any, Any], Section | None]

_SECTIONS: list[SectionFunction] = []


def register(section_fn: SectionFunction) -> SectionFunction:
    """Add a section to the employer page (idempotent; usable as a decorator)."""
    if section_fn not in _SECTIONS:
        _SECTIONS.append(section_fn)
    return section_fn


def unregister(section_fn: SectionFunction) -> None:
    if section_fn in _SECTIONS:
        _SECTIONS.remove(section_fn)


def registered() -> list[SectionFunction]:
    return list(_SECTIONS)


def render_sections(request, employer) -> list[RenderedSection]:
    sections = [s for s in (fn(request, employer) for fn in _SECTIONS) if s is not None]
    sections.sort(key=lambda s: (s.order, str(s.title)))
    return [
        RenderedSection(
            key=s.key,
            title=s.title,
            html=render_to_string(s.template, {**s.context, "employer": employer}, request=request),
            order=s.order,
        )
        for s in sections
    ]


# --- the registry's own sections -------------------------------------------------------------

MEMBERS_SHOWN = 50


@register
def members_section(request, employer) -> Section:
    from .selectors import employer_members

    memberships = employer_members(request.user, employer)
    return Section(
        key="members",
        title=_("Members"),
        template="organizations/sections/_employer_members.html",
        context={
            "memberships": memberships[:MEMBERS_SHOWN],
            "membership_count": memberships.count(),
            "shown": MEMBERS_SHOWN,
        },
        order=10,
    )


@register
def cadres_section(request, employer) -> Section | None:
    from .selectors import organization_cadres

    if employer.union is None:
        return None
    return Section(
        key="cadres",
        title=_("Cadres of its union"),
        template="organizations/sections/_employer_cadres.html",
        context={"union": employer.union, "cadres": organization_cadres(employer.union)},
        order=20,
    )
