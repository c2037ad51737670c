"""Errors as JSON that name each field and the reason, in the user's language."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

PYDANTIC_MESSAGES = {
    "missing": lambda e: _("This field is required."),
    "string_type": lambda e: _("Must be text."),
    "string_too_long": lambda e: (
        _("At most %(n)s characters.") % {"n": e.get("ctx", {}).get("max_length", "?")}
    ),
    "string_too_short": lambda e: (
        _("At least %(n)s characters.") % {"n": e.get("ctx", {}).get("min_length", "?")}
    ),
    "int_parsing": lambda e: _("Must be a whole number."),
    "int_type": lambda e: _("Must be a whole number."),
    "decimal_parsing": lambda e: _("Must be a number."),
    "date_parsing": lambda e: _("Must be a date like 2026-01-31."),
    "date_from_datetime_parsing": lambda e: _("Must be a date like 2026-01-31."),
    "bool_parsing": lambda e: _("Must be true or false."),
    "enum": lambda e: (
        _("Must be one of: %(values)s.") % {"values": e.get("ctx", {}).get("expected", "")}
    ),
    "literal_error": lambda e: (
        _("Must be one of: %(values)s.") % {"values": e.get("ctx", {}).get("expected", "")}
    ),
    "json_invalid": lambda e: _("The request body is not valid JSON."),
    "model_attributes_type": lambda e: _("The request body must be a JSON object."),
    "dict_type": lambda e: _("Must be a JSON object."),
    "greater_than_equal": lambda e: (
        _("Must be at least %(n)s.") % {"n": e.get("ctx", {}).get("ge", "?")}
    ),
    "less_than_equal": lambda e: (
        _("Must be at most %(n)s.") % {"n": e.get("ctx", {}).get("le", "?")}
    ),
}


def _field_name(loc) -> str:
    parts = [
        str(p) for p in loc if p not in ("body", "payload", "query", "path", "filters", "header")
    ]
    return ".".join(parts) or "body"


def error_body(message: str, errors: list[dict] | None = None) -> dict:
    return {"detail": message, "errors": errors or []}


def install(api) -> None:
    @api.exception_handler(NinjaValidationError)
    def validation_error(request, exc):
        errors = []
        for err in exc.errors:
            translate = PYDANTIC_MESSAGES.get(err.get("type"))
            errors.append(
                {
                    "field": _field_name(err.get("loc", ())),
                    "message": translate(err) if translate else err.get("msg", ""),
                }
            )
        return api.create_response(
            request, error_body(_("Some fields are not valid."), errors), status=422
        )

    @api.exception_handler(ValidationError)
    def service_validation_error(request, exc):
        if hasattr(exc, "error_dict"):
            errors = [
                {"field": f, "message": m} for f, msgs in exc.message_dict.items() for m in msgs
            ]
        else:
            errors = [{"field": "__all__", "message": m} for m in exc.messages]
        return api.create_response(
            request, error_body(_("Some fields are not valid."), errors), status=422
        )

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return api.create_response(request, error_body(_("Not found.")), status=404)

    @api.exception_handler(PermissionDenied)
    def forbidden(request, exc):
        return api.create_response(
            request, error_body(str(exc) or _("You may not do this.")), status=403
        )

    @api.exception_handler(AuthenticationError)
    def unauthorized(request, exc):
        return api.create_response(
            request, error_body(_("Sign in first: send Authorization: Bearer TOKEN.")), status=401
        )

    @api.exception_handler(HttpError)
    def http_error(request, exc):
        return api.create_response(request, error_body(str(exc.message)), status=exc.status_code)
