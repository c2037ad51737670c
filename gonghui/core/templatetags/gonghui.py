"""Template helpers used on every page (loaded as builtins)."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from gonghui.accounts.roles import REVEAL
from gonghui.core.fields import mask, personal_fields

register = template.Library()


@register.simple_tag(takes_context=True)
def personal(context, obj, field_name: str):
    """A masked personal value, with a reveal button for users allowed to see it in full."""
    field = personal_fields(type(obj))[field_name]
    value = getattr(obj, field_name)
    if not value:
        return "—"
    masked = mask(field.kind, value)
    user = context["request"].user
    if not user.can(REVEAL):
        return format_html('<span class="masked">{}</span>', masked)
    url = reverse("core:reveal", args=[obj._meta.label_lower, obj.pk, field_name])
    return format_html(
        '<span class="personal" id="reveal-{field}-{pk}"><span class="masked">{masked}</span> '
        '<form method="post" action="{url}" class="inline" hx-post="{url}" hx-target="#reveal-{field}-{pk}" hx-swap="innerHTML">'
        '<input type="hidden" name="csrfmiddlewaretoken" value="{csrf}">'
        '<button type="submit" class="link small" title="{title}">{label}</button></form></span>',
        field=field_name,
        pk=obj.pk,
        masked=masked,
        url=url,
        csrf=context.get("csrf_token", ""),
        title=_("Show in full (recorded in the audit log)"),
        label=_("Show"),
    )


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters changed (None removes one)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = value
    return "?" + params.urlencode()


@register.filter
def indent(depth: int, root: int = 0) -> int:
    return max(0, (depth or 0) - (root or 0)) * 20
