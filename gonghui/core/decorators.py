"""Marks on staff views: who may enter, and which model a URL's ``pk`` loads.

The scope test reads ``view.scope_model`` to try every detail URL with a record of a sibling
organization; a staff URL with a ``pk`` and no declared model fails that test, so a new URL
cannot slip past it.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied


def staff_view(scope_model=None, permission: str = "view"):
    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.can(permission):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        guarded = login_required(wrapped)
        guarded.scope_model = scope_model
        guarded.staff_permission = permission
        return guarded

    return decorate
