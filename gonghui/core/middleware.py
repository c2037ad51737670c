"""Keeps the current request reachable (IP, user agent) for the audit log, per request."""

from __future__ import annotations

import contextvars

from django.conf import settings

_current_request: contextvars.ContextVar = contextvars.ContextVar("gonghui_request", default=None)


def current_request():
    return _current_request.get()


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from . import calendar

        calendar.refresh_if_changed()  # another process may have entered calendar days
        token = _current_request.set(request)
        try:
            response = self.get_response(request)
        finally:
            _current_request.reset(token)
        return response


def client_ip(request) -> str | None:
    """The client's address. Behind PROXY_COUNT trusted reverse proxies it is the address the
    outermost trusted proxy saw (X-Forwarded-For read from the right); with no proxy it is
    REMOTE_ADDR. Used by the audit log and by the login lockout."""
    count = settings.PROXY_COUNT
    if count > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR") or None
