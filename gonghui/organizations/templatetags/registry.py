"""Template filters of the registry pages: ``{% load registry %}``."""

from __future__ import annotations

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def percent(rate: float | None) -> str:
    """0.4567 → "45.7%"; None (nothing to divide by) → "—"."""
    if rate is None:
        return "—"
    # Rounded first: number_format cuts extra decimals off (2/3 would show as 66.6%).
    return number_format(round(rate * 100, 1), decimal_pos=1) + "%"


@register.filter
def get(mapping: dict, key):
    return mapping.get(key) if mapping else None
