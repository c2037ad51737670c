from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from gonghui.accounts.roles import REVEAL
from gonghui.audit.models import AuditAction
from gonghui.audit.services import audit_record
from gonghui.core import identifiers as ids
from gonghui.core.decorators import staff_view
from gonghui.core.fields import hash_for, personal_fields
from gonghui.core.scope import get_for_user, scoped_model
from gonghui.members.models import Worker
from gonghui.members.search import latin_query_filter
from gonghui.organizations.models import Employer, Organization

logger = logging.getLogger("gonghui")


def index(request):
    """Staff land on their workbench; everyone else sees what the platform is and its doors."""
    if request.user.is_authenticated:
        return redirect("core:home")
    return render(request, "core/landing.html")


@staff_view()
def home(request):
    from .selectors import workbench_figures

    figures = workbench_figures(request.user)
    notifications = request.user.notifications.all()[:8]
    return render(request, "core/home.html", {"figures": figures, "notifications": notifications})


@staff_view()
def search(request):
    """One box for organizations, employers and people: names, pinyin initials, codes,
    exact id numbers and phone numbers (matched by keyed hash, never by decrypting)."""
    q = request.GET.get("q", "").strip()
    results: dict[str, list] = {"organizations": [], "employers": [], "workers": []}
    note = ""
    user = request.user
    if q:
        orgs = Organization.objects.visible_to(user)
        employers = Employer.objects.visible_to(user).select_related("organization")
        workers = Worker.objects.visible_to(user).select_related("employer", "organization")
        compact = "".join(q.split())
        id_like = len(compact) in (15, 18) and compact[:17].isdigit()
        phone_like = compact.lstrip("+").replace("-", "").isdigit() and len(compact) >= 11
        if id_like:
            try:
                number = ids.parse_resident_id(compact).number
                results["workers"] = list(
                    workers.filter(id_number_hash=hash_for("id_number", number))[:20]
                )
            except ids.IdentifierError as exc:
                note = str(exc.message)
        elif phone_like:
            try:
                phone = ids.normalize_mobile(compact)
                results["workers"] = list(workers.filter(phone_hash=hash_for("phone", phone))[:20])
            except ids.IdentifierError as exc:
                note = str(exc.message)
        if len(compact) == 18:
            # A credit code can be all digits but its check character, like an ID number.
            results["employers"] = list(employers.filter(uscc=compact.upper())[:20])
            if results["employers"]:
                note = ""
        if not results["workers"] and not id_like and not phone_like:
            if compact.isascii() and compact.isalpha():
                condition = latin_query_filter(compact)
                column = next(iter(condition)).removesuffix("__prefix")
                results["workers"] = list(workers.filter(**condition).order_by(column, "pk")[:20])
            else:
                results["workers"] = list(workers.filter(name__prefix=q)[:20])
        if not results["employers"]:
            results["employers"] = list(employers.filter(name__contains=q)[:20])
        results["organizations"] = list(
            orgs.filter(name__contains=q)[:20] or orgs.filter(code__iexact=q)[:20]
        )
    total = sum(len(v) for v in results.values())
    return render(
        request, "core/search.html", {"q": q, "results": results, "total": total, "note": note}
    )


@require_POST
@login_required
def reveal(request, label: str, pk: int, field: str):
    """Show one full personal value to a user allowed to see it, and write that to the log."""
    model = scoped_model(label)
    fields = personal_fields(model)
    if field not in fields:
        raise PermissionDenied
    if not request.user.can(REVEAL):
        raise PermissionDenied(_("Your role may not reveal personal data."))
    obj = get_for_user(model, request.user, pk=pk)
    value = getattr(obj, field)
    audit_record(
        by=request.user,
        action=AuditAction.REVEAL,
        obj=obj,
        detail=field,
        changes={"field": field},
    )
    if request.htmx:
        return render(request, "core/_revealed.html", {"value": value})
    return render(
        request,
        "core/revealed_page.html",
        {"value": value, "obj": obj, "field_label": fields[field].verbose_name},
    )


@require_GET
@never_cache
def healthz(request):
    """Is this instance able to serve? Database, migrations and the task backlog, as JSON."""
    checks: dict[str, dict] = {}
    healthy = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = {"ok": True, "vendor": connection.vendor}
    except Exception as exc:  # any failure to reach the database is the answer itself
        logger.warning("healthz: database unreachable: %s", exc)
        checks["database"] = {"ok": False, "error": exc.__class__.__name__}
        healthy = False
    if healthy:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        checks["migrations"] = {"ok": not pending, "pending": len(pending)}
        healthy = healthy and not pending
        try:
            from django_tasks_db.models import DBTaskResult

            backlog = DBTaskResult.objects.filter(status="READY").count()
            oldest = (
                DBTaskResult.objects.filter(status="READY")
                .order_by("enqueued_at")
                .values_list("enqueued_at", flat=True)
                .first()
            )
            limit = settings.HEALTHZ_TASK_BACKLOG_LIMIT
            checks["tasks"] = {
                "ok": backlog <= limit,
                "backlog": backlog,
                "limit": limit,
                "oldest_waiting_seconds": int((timezone.now() - oldest).total_seconds())
                if oldest
                else 0,
            }
            healthy = healthy and backlog <= limit
        except Exception as exc:  # the table is missing until migrations ran
            checks["tasks"] = {"ok": False, "error": exc.__class__.__name__}
            healthy = False
    body = {
        "status": "ok" if healthy else "unavailable",
        "checks": checks,
        "time": timezone.now().isoformat(),
    }
    return JsonResponse(body, status=200 if healthy else 503)


def robots(request):
    return HttpResponse("User-agent: *\nDisallow: /\n", content_type="text/plain")
