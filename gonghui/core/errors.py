"""Error pages: JSON under /api/ (the API's clients read JSON), templates elsewhere."""

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults


def page_not_found(request, exception):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Not found."), "errors": []}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": _("Server error; it has been logged."), "errors": []}, status=500
        )
    return defaults.server_error(request)
