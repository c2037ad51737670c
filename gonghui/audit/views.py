from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.accounts.roles import VIEW_AUDIT
from gonghui.core.decorators import staff_view
from gonghui.core.exports import Column, xlsx_response
from gonghui.core.listing import Listing, Sort

from .forms import AuditFilterForm
from .models import AuditEntry

SORTS = [Sort("time", "at", gettext_lazy("Time"), descending=True)]
COLUMNS = [
    Column(gettext_lazy("Time"), lambda e: e.at),
    Column(gettext_lazy("User"), lambda e: e.actor_username),
    Column(gettext_lazy("Action"), lambda e: e.get_action_display()),
    Column(gettext_lazy("Record type"), lambda e: e.object_type),
    Column(gettext_lazy("Record ID"), lambda e: e.object_id),
    Column(gettext_lazy("Record"), lambda e: e.object_repr, width=30),
    Column(gettext_lazy("Detail"), lambda e: e.detail, width=30),
    Column(gettext_lazy("Changes"), lambda e: str(e.changes), width=60),
    Column(gettext_lazy("IP address"), lambda e: e.ip_address),
]


@staff_view(permission=VIEW_AUDIT)
def audit_list(request):
    """The audit log of the user's subtree: searchable, exportable, never editable."""
    form = AuditFilterForm(request.GET or None)
    qs = (
        form.apply(AuditEntry.objects.visible_to(request.user))
        if request.GET
        else AuditEntry.objects.visible_to(request.user)
    )
    listing = Listing(queryset=qs, params=request.GET, sorts=SORTS)
    if request.GET.get("format") == "xlsx":
        return xlsx_response(
            request=request,
            name=_("Audit log"),
            columns=COLUMNS,
            rows=listing.ordered().iterator(chunk_size=2000),
            filters=request.GET.dict(),
            object_type="audit.auditentry",
        )
    return render(
        request, "audit/audit_list.html", {"form": form, "listing": listing, "page": listing.page()}
    )
