"""The one scoping mechanism: a user sees exactly their organization's subtree.

Every model that holds union records uses ``ScopedManager`` and names, in ``scope_path``, the
lookup that reaches the materialized path of the organization it belongs to. Lists start from
``Model.objects.visible_to(user)``; single records are loaded with ``get_for_user`` (404
outside the scope). Pages, the API, exports, search and reports all go through these two.
"""

from __future__ import annotations

from django.apps import apps
from django.db import models
from django.http import Http404

_SCOPED_MODELS: dict[str, type[models.Model]] = {}


class ScopedQuerySet(models.QuerySet):
    def visible_to(self, user) -> ScopedQuerySet:
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        prefix = user.scope_prefix
        if not prefix:
            return self.none()
        if _is_only_root(user.organization):
            # The whole tree: no filter, so the database can walk the sort index directly
            # instead of joining every record to its organization first.
            return self
        return self.filter(_scope_q(self.model, prefix))

    def within(self, organization) -> ScopedQuerySet:
        """Records of one organization's subtree (used for drill-down inside a user's scope)."""
        return self.filter(_scope_q(self.model, organization.path))


def _scope_q(model, prefix: str) -> models.Q:
    """``scope_path`` names one lookup, or a tuple of them for a record that belongs to two
    organizations at once (a transfer is seen by the union it leaves and the one it joins)."""
    lookups = model.scope_path if isinstance(model.scope_path, tuple) else (model.scope_path,)
    condition = models.Q()
    for lookup in lookups:
        condition |= models.Q(**{f"{lookup}__subtree": prefix})
    return condition


def _is_only_root(organization) -> bool:
    """True when the organization is the top of the only tree in this instance (asked each
    time: one indexed count, and a second federation created meanwhile is seen at once)."""
    if organization.parent_id is not None:
        return False
    return type(organization).objects.filter(parent__isnull=True).count() == 1


class ScopedManager(models.Manager.from_queryset(ScopedQuerySet)):
    pass


def register_scoped(model: type[models.Model]) -> type[models.Model]:
    """Class decorator: declares a model scoped, for the reveal view and the scope test."""
    if not getattr(model, "scope_path", None):
        raise TypeError(f"{model.__name__} needs a scope_path")
    _SCOPED_MODELS[model._meta.label_lower] = model
    return model


def scoped_models() -> dict[str, type[models.Model]]:
    return dict(_SCOPED_MODELS)


def scoped_model(label: str) -> type[models.Model]:
    try:
        return _SCOPED_MODELS[label]
    except KeyError:
        raise Http404 from None


def get_for_user(model_or_qs, user, **lookup):
    """The record if the user's scope holds it, else 404 (never 403: existence is not told)."""
    qs = model_or_qs if isinstance(model_or_qs, models.QuerySet) else model_or_qs.objects.all()
    try:
        return qs.visible_to(user).get(**lookup)
    except (qs.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def model_from_label(label: str):
    return apps.get_model(label)
