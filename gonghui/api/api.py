"""/api/v1: a second door to the same services and selectors as the pages.

django-ninja was chosen because it builds the OpenAPI 3 schema from typed signatures and
Pydantic schemas (so the schema cannot drift from the code), ships Swagger UI's files inside
the package (the docs work on an intranet with no internet), and is plain Django underneath:
the same request, user, transactions and scope as the pages.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import authenticate
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import HttpError

from gonghui.accounts.models import ApiToken
from gonghui.audit.models import AuditAction
from gonghui.audit.services import audit_record

from . import errors
from .auth import BearerToken, SessionAuth


class GonghuiAPI(NinjaAPI):
    """Documents in the schema the error answers every operation can give, so that clients
    (and schemathesis) know them: 401 without a valid token, 403 without the right, 404 for a
    record outside the caller's scope, 422 for invalid input — all as ``ErrorOut``."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        ref = {
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
        }
        texts = {
            "401": "Not signed in: no valid bearer token",
            "403": "Not allowed for this role, or locked out",
            "404": "Not found, or outside the caller's scope",
            "422": "Invalid input: each field and the reason",
            "400": "The request body could not be read",
            "429": "Too many failed sign-ins: locked for a while",
            "415": "The body must be JSON",
        }
        for path_item in schema["paths"].values():
            for operation in path_item.values():
                responses = operation.setdefault("responses", {})
                codes = ["422", "400"]
                if not operation.get("security"):
                    codes += ["415", "429"]
                if operation.get("security"):
                    codes += ["401", "403"]
                if "{" in str(operation.get("parameters", "")) or any(
                    p.get("in") == "path" for p in operation.get("parameters", [])
                ):
                    codes.append("404")
                for code in codes:
                    if code not in responses and int(code) not in responses:
                        responses[code] = {"description": texts[code], **ref}
        return schema


api = GonghuiAPI(
    title="Gonghui API",
    version="1",
    description=(
        "The API of Gonghui (工会), the platform of a trade-union federation. "
        "Get a token from POST /api/v1/auth/token and send it as `Authorization: Bearer TOKEN`. "
        "Every list and record is limited to the subtree of the token user's organization. "
        "Lists are paged by cursor: pass `next_cursor` back as `cursor`. "
        "Errors are JSON: `{detail, errors: [{field, message}]}`."
    ),
    auth=[BearerToken(), SessionAuth()],
    urls_namespace="api",
)
errors.install(api)


class TokenIn(Schema):
    username: str
    password: str
    name: str = ""


class TokenOut(Schema):
    token: str
    expires_at: dt.datetime
    username: str
    role: str
    organization_id: int | None


class ErrorItem(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    detail: str
    errors: list[ErrorItem]


@api.post(
    "/auth/token",
    auth=None,
    response={201: TokenOut, 401: ErrorOut, 415: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    tags=["auth"],
)
def token_create(request, payload: TokenIn):
    """Exchange a username and password for a bearer token (shown once; only its hash is kept)."""
    if request.content_type != "application/json":
        # Anything else would reach the lockout's form parsing and could slip past it.
        raise HttpError(415, _("Send the credentials as JSON (Content-Type: application/json)."))
    user = authenticate(request, username=payload.username, password=payload.password)
    if getattr(request, "axes_locked_out", False):
        raise HttpError(429, _("Too many failed sign-ins: this account is locked for a while."))
    if user is None:
        return 401, errors.error_body(
            _("Wrong username or password."),
            [{"field": "password", "message": _("Wrong username or password.")}],
        )
    raw = ApiToken.new_raw()
    expires = timezone.now() + dt.timedelta(days=settings.API_TOKEN_DAYS)
    ApiToken.objects.create(
        user=user,
        token_hash=ApiToken.hash(raw),
        prefix=raw[:8],
        name=payload.name[:100],
        expires_at=expires,
    )
    audit_record(
        by=user,
        action=AuditAction.TOKEN,
        organization_path=user.scope_prefix,
        object_repr=user.get_username(),
        request=request,
    )
    return 201, {
        "token": raw,
        "expires_at": expires,
        "username": user.get_username(),
        "role": user.role,
        "organization_id": user.organization_id,
    }


class MeOut(Schema):
    username: str
    full_name: str
    role: str
    organization_id: int | None
    organization_name: str | None
    permissions: list[str]


@api.get("/me", response=MeOut, tags=["auth"])
def me(request):
    """Who the token belongs to, where they stand and what they may do."""
    user = request.user
    return {
        "username": user.get_username(),
        "full_name": user.full_name,
        "role": user.role,
        "organization_id": user.organization_id,
        "organization_name": user.organization.name if user.organization_id else None,
        "permissions": sorted(user.permissions),
    }


def _add_routers() -> None:
    from gonghui.members.api import membership_router, transfer_router
    from gonghui.members.api import router as members_router
    from gonghui.organizations.api import employer_router
    from gonghui.organizations.api import router as organizations_router

    api.add_router("/organizations", organizations_router)
    api.add_router("/employers", employer_router)
    api.add_router("/workers", members_router)
    api.add_router("/memberships", membership_router)
    api.add_router("/transfers", transfer_router)
    from gonghui.members.import_api import router as import_router

    api.add_router("/imports", import_router)
    from gonghui.rights import api_arrears, api_cases, api_legal, api_public

    api.add_router("/public", api_public.router)  # the workers' door: no token, rate-limited
    api.add_router("/cases", api_cases.router)
    # several resources each: {"/referrals": router, "/mediations": router, …}
    for module in (api_legal, api_arrears):
        for prefix, router in module.routers.items():
            api.add_router(prefix, router)


_add_routers()
