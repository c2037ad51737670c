"""Roster import pages: upload → preview → confirm → progress → result, and the list of imports.

The uploaded file waits in storage, named in the session, until the preview is confirmed; only
then is an ImportJob created and its task queued. So a job in the list is an import someone
decided to run, and "waiting" means waiting for the task worker.
"""

from __future__ import annotations

import os

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from gonghui.accounts.roles import CHANGE
from gonghui.audit.models import AuditAction
from gonghui.audit.services import audit_record
from gonghui.core.decorators import staff_view
from gonghui.core.listing import Listing, Sort
from gonghui.core.scope import get_for_user
from gonghui.organizations.models import Organization

from . import importing
from .models import ImportJob, ImportStatus

SESSION_KEY = "roster_upload"
JOB_SORTS = [Sort("created", "created_at", gettext_lazy("Uploaded"), descending=True)]
SHOWN_PROBLEMS = 200


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Roster file"),
        help_text=gettext_lazy(
            ".xlsx, .xls, .ods or .csv (UTF-8 or GBK), at most 20 MB; the header row may be "
            "anywhere in the first 10 rows."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(importing.EXTENSIONS)}),
    )
    target_union = forms.ModelChoiceField(
        label=gettext_lazy("Every row joins this union"),
        queryset=Organization.objects.none(),
        required=False,
        empty_label=gettext_lazy("— each row joins its employer's union —"),
        help_text=gettext_lazy(
            "Without a union, each row joins the grassroots union of the employer it names "
            "(by 统一社会信用代码, else by the exact 工作单位)."
        ),
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Dry run: check and count only, change nothing"), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target_union"].queryset = (
            Organization.objects.visible_to(user).grassroots().active().order_by("path")
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            importing.check_uploaded_file(upload)
        except importing.RosterError as exc:
            raise ValidationError(str(exc)) from None
        return upload


def _pending(request) -> dict | None:
    pending = request.session.get(SESSION_KEY)
    if pending and default_storage.exists(pending["file"]):
        return pending
    return None


def _drop_pending(request) -> None:
    pending = request.session.pop(SESSION_KEY, None)
    if pending and default_storage.exists(pending["file"]):
        default_storage.delete(pending["file"])


@staff_view(permission=CHANGE)
@require_http_methods(["GET", "POST"])
def upload(request):
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["target_union"] is None and request.user.organization_id is None:
            form.add_error("target_union", _("Choose the union the rows join."))
        else:
            _drop_pending(request)  # a new upload replaces one never confirmed
            upload = form.cleaned_data["file"]
            union = form.cleaned_data["target_union"]
            request.session[SESSION_KEY] = {
                "file": importing.store_upload(upload),
                "name": os.path.basename(upload.name),
                "union": union.pk if union else None,
                "dry_run": form.cleaned_data["dry_run"],
            }
            return redirect("imports:preview")
    headers = [(importing.FIELD_LABELS[k], v) for k, v in importing.HEADERS.items()]
    return render(request, "members/imports/upload.html", {"form": form, "headers": headers})


@staff_view(permission=CHANGE)
@require_http_methods(["GET", "POST"])
def preview(request):
    """The file as it will be read; POST ``confirm`` queues the import, ``cancel`` drops it."""
    pending = _pending(request)
    if pending is None:
        return render(request, "members/imports/preview.html", {"pending": None})
    union = (
        get_for_user(Organization, request.user, pk=pending["union"]) if pending["union"] else None
    )
    if request.method == "POST":
        if request.POST.get("action") == "cancel":
            _drop_pending(request)
            messages.info(request, _("The upload was discarded."))
            return redirect("imports:upload")
        try:
            job = importing.import_job_create(
                by=request.user,
                file_name=pending["file"],
                original_name=pending["name"],
                target_union=union,
                dry_run=pending["dry_run"],
            )
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            request.session.pop(SESSION_KEY, None)  # the file now belongs to the job
            return redirect("imports:detail", pk=job.pk)
    try:
        source = default_storage.path(pending["file"])
    except NotImplementedError:
        with default_storage.open(pending["file"], "rb") as handle:
            source = handle.read()
    result = importing.roster_preview(
        by=request.user, source=source, name=pending["name"], organization=union
    )
    columns = [(header, importing.FIELD_LABELS[key], key) for header, key in result.mapping.items()]
    columns.sort(key=lambda c: result.header.index(c[0]))
    context = {
        "pending": pending,
        "union": union,
        "result": result,
        "columns": columns,
        "rows": [
            {
                "outcome": o,
                "values": [o.values.get(key, "") for _h, _l, key in columns],
            }
            for o in result.outcomes
        ],
    }
    return render(request, "members/imports/preview.html", context)


@staff_view()
def job_list(request):
    qs = ImportJob.objects.visible_to(request.user).select_related(
        "organization", "target_union", "created_by"
    )
    listing = Listing(queryset=qs, params=request.GET, sorts=JOB_SORTS)
    return render(
        request,
        "members/imports/job_list.html",
        {"listing": listing, "page": listing.page(), "can_import": request.user.can(CHANGE)},
    )


def _job(request, pk: int) -> ImportJob:
    return get_for_user(
        ImportJob.objects.select_related("organization", "target_union", "created_by"),
        request.user,
        pk=pk,
    )


def _progress_context(job: ImportJob) -> dict:
    running = job.status in (ImportStatus.QUEUED, ImportStatus.RUNNING)
    percent = round(100 * job.rows_done / job.rows_total) if job.rows_total else 0
    return {"job": job, "running": running, "percent": percent}


@staff_view(scope_model=ImportJob)
def job_detail(request, pk: int):
    job = _job(request, pk)
    context = _progress_context(job)
    problems = []
    if job.report and not context["running"]:
        try:
            problems = importing.read_report_problems(job.report.path, limit=SHOWN_PROBLEMS)
        except NotImplementedError:
            with job.report.open("rb") as handle:
                problems = importing.read_report_problems(handle.read(), limit=SHOWN_PROBLEMS)
    context.update(
        problems=problems,
        more_problems=job.rejected > len(problems) and len(problems) >= SHOWN_PROBLEMS,
        can_download=request.user.can(CHANGE),
    )
    return render(request, "members/imports/job_detail.html", context)


@staff_view(scope_model=ImportJob)
def job_progress(request, pk: int):
    """The progress bar alone, polled by htmx every second while the import runs; once it has
    finished, htmx reloads the page to show the result."""
    job = _job(request, pk)
    context = _progress_context(job)
    response = render(request, "members/imports/job_detail.html#progress", context)
    if request.htmx and not context["running"]:
        response["HX-Refresh"] = "true"
    return response


@staff_view(scope_model=ImportJob, permission=CHANGE)
def job_report(request, pk: int):
    """The rejected rows as xlsx with every value in full (ID numbers as text), to fix and
    import again: for those who may import, and written to the audit log."""
    job = _job(request, pk)
    if not job.report:
        return render(request, "members/imports/no_report.html", {"job": job})
    audit_record(
        by=request.user,
        action=AuditAction.EXPORT,
        obj=job,
        changes={"rows": job.rejected, "personal_data": "full", "file": "rejected rows"},
        detail=f"{job.rejected} rejected rows",
        request=request,
    )
    stem = os.path.splitext(job.original_name)[0][:80]
    stamp = timezone.localtime(job.finished_at or job.created_at).strftime("%Y%m%d-%H%M")
    return FileResponse(
        job.report.open("rb"),
        as_attachment=True,
        filename=f"{stem}-{_('rejected')}-{stamp}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
