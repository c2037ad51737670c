from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from gonghui.core.decorators import staff_view

from . import services


@staff_view()
def notification_list(request):
    notifications = request.user.notifications.all()[:100]
    return render(request, "notifications/notification_list.html", {"notifications": notifications})


@staff_view()
@require_POST
def notification_mark_all_read(request):
    services.notification_mark_read(user=request.user)
    return redirect("notifications:list")
