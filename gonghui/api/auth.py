from __future__ import annotations

from django.utils import timezone
from ninja.security import HttpBearer

from gonghui.accounts.models import ApiToken


class BearerToken(HttpBearer):
    """``Authorization: Bearer gh_…`` with a token from POST /api/v1/auth/token."""

    openapi_description = "A token from POST /api/v1/auth/token"

    def authenticate(self, request, token: str):
        found = (
            ApiToken.objects.active()
            .select_related("user", "user__organization")
            .filter(token_hash=ApiToken.hash(token))
            .first()
        )
        if found is None or not found.user.is_active:
            return None
        now = timezone.now()
        if found.last_used_at is None or (now - found.last_used_at).total_seconds() > 300:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        return found.user


class SessionAuth:
    """The signed-in browser session, so the interactive docs work for staff (read-only)."""

    openapi_type = "apiKey"

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and request.method in ("GET", "HEAD"):
            return user
        return None
