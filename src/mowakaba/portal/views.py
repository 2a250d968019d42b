"""Home pages fitted to each role, the language switch and the health check."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.db.models import Count, Q, Sum
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from mowakaba.accounts.models import Role
from mowakaba.accounts.scope import Capability, get_or_404, scope_of
from mowakaba.audit.selectors import journal_for
from mowakaba.core.models import Job
from mowakaba.territory.models import OrgUnit, Province, Region
from mowakaba.territory.selectors import establishment_summary


@login_required
def home(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    ctx: dict[str, Any] = {"role_labels": [Role(r).label for r in sorted(scope.roles)]}
    if not scope.has_any_grant:
        return render(request, "portal/home_unassigned.html", ctx)

    units = OrgUnit.objects.visible_to(scope)
    # The units the user is assigned to, shown as "where I work".
    ctx["my_units"] = list(
        OrgUnit.objects.filter(assignments__user_id=request.user.pk or 0, assignments__ends_on__isnull=True)
        .select_related("establishment_type", "commune", "parent").distinct()[:10]
    )
    ctx["summary"] = establishment_summary(scope)
    if scope.can(Capability.SUPERVISE) or scope.is_national or scope.can(Capability.VIEW_AGGREGATES):
        # Establishments per region or province of the user's reach, with population (one query).
        by_province = (
            units.filter(kind=OrgUnit.Kind.ESTABLISHMENT, active=True)
            .values("commune__province_id")
            .annotate(n=Count("pk"), capacity=Sum("capacity"))
        )
        counts = {row["commune__province_id"]: row for row in by_province}
        province_ids = scope.territory_province_ids()
        provinces = Province.objects.select_related("region").order_by("region__code", "code")
        if province_ids is not None:
            provinces = provinces.filter(pk__in=province_ids)
        if scope.is_national:
            regions = []
            for region in Region.objects.order_by("code"):
                rows = [counts.get(p.pk) for p in provinces if p.region_id == region.pk]
                n = sum(r["n"] for r in rows if r)
                regions.append({"region": region, "n": n,
                                "per100k": n * 100_000 / region.population_2024 if region.population_2024 else 0})
            ctx["regions"] = regions
        else:
            ctx["provinces"] = [
                {"province": p, "n": (counts.get(p.pk) or {}).get("n", 0),
                 "capacity": (counts.get(p.pk) or {}).get("capacity") or 0}
                for p in provinces
            ]
        ctx["max_n"] = max([r["n"] for r in ctx.get("regions", ctx.get("provinces", []))] or [1]) or 1
    ctx["casework"] = _casework(scope, request.user.pk or 0)
    if scope.can(Capability.VIEW_JOURNAL):
        ctx["recent"] = list(journal_for(scope)[:8])
    if scope.can(Capability.SUPERVISE):
        ctx["staff"] = (
            units.filter(assignments__ends_on__isnull=True).aggregate(n=Count("assignments__user", distinct=True))["n"]
        )
    return render(request, "portal/home.html", ctx)


def _casework(scope: Any, user_id: int) -> dict[str, int] | None:
    """What waits for the reader in casework: their tasks due, and for supervisors the team's
    overdue tasks, missed deadlines and the approvals to give. A few counts, one query each."""
    if not scope.can(Capability.VIEW_PERSONS):
        return None
    from mowakaba.cases import selectors as casework
    from mowakaba.cases.models import Task

    today = timezone.localdate()
    out: dict[str, int] = {}
    if scope.can(Capability.EDIT_PERSONS):
        out.update(Task.objects.visible_to(scope).filter(
            assignee_id=user_id, done_at__isnull=True, cancelled=False, due_on__lte=today,
        ).aggregate(overdue=Count("pk", filter=Q(due_on__lt=today)), today=Count("pk", filter=Q(due_on=today))))
        out["transfers"] = casework.incoming_transfers(scope).count()
    if scope.can(Capability.SUPERVISE):
        out["team_overdue"] = casework.team_overdue(scope).count()
        out["late"] = casework.late_deadlines(scope).count()
    if scope.can(Capability.APPROVE_EXTREME):
        out["approvals"] = casework.pending_approvals(scope).count()
    return out


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch language; remembered on the user (all devices) and in a cookie (this browser)."""
    lang = request.POST.get("language", "")
    supported = {code for code, _label in settings.LANGUAGES}
    nxt = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        nxt = "/"
    response = HttpResponseRedirect(nxt)
    if lang in supported:
        if request.user.is_authenticated and getattr(request.user, "language", None) != lang:
            get_user_model().objects.filter(pk=request.user.pk).update(language=lang)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME, lang, max_age=settings.LANGUAGE_COOKIE_AGE, samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE, httponly=True,
        )
    return response


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": connection.vendor})


@login_required
def job(request: HttpRequest, pk: int) -> HttpResponse:
    """A background job's progress; visible to the person who asked for it only."""
    obj = get_or_404(Job.objects.filter(requested_by_id=request.user.pk), pk=pk)
    template = "portal/_job.html" if getattr(request, "htmx", False) else "portal/job.html"
    return render(request, template, {"job": obj})
