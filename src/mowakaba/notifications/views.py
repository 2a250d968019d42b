"""The user's notifications: newest first, unread in bold, opened by a click (which marks it read)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mowakaba.accounts.scope import get_or_404
from mowakaba.core.pagination import paginate
from mowakaba.notifications import services, text
from mowakaba.notifications.models import Notification


def _mine(request: HttpRequest) -> QuerySet[Notification]:
    return Notification.objects.filter(user_id=request.user.pk or 0)


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    ctx = paginate(request, _mine(request).order_by("-created_at", "-pk"))
    rows = list(ctx["object_list"])
    for n in rows:
        n.text = text.render_html(n)
    ctx["object_list"] = rows
    ctx["has_unread"] = any(n.read_at is None for n in rows) or _mine(request).filter(read_at__isnull=True).exists()
    return render(request, "notifications/list.html", ctx)


@login_required
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    n = services.mark_read(user=request.user)
    if n:
        messages.success(request, _("All notifications marked as read."))
    return redirect("notifications:list")


@login_required
@require_POST
def open_one(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one notification read and go where it points. Another user's is a 404."""
    n = get_or_404(_mine(request), pk=pk)
    services.mark_read(user=request.user, notification_ids=[n.pk])
    if n.url and url_has_allowed_host_and_scheme(n.url, allowed_hosts={request.get_host()},
                                                 require_https=request.is_secure()):
        return redirect(n.url)
    return redirect("notifications:list")
