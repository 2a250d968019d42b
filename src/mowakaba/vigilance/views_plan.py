"""The action plan's progress page: each target of the actor's territory against what was
expected by today, with a red / amber / green status, grouped by axis and objective, the
drill-down to regions or provinces, and the same figures as an Excel file (?format=xlsx)."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from mowakaba.accounts.scope import Capability, scope_of
from mowakaba.audit.models import JournalEntry
from mowakaba.audit.services import journal_write
from mowakaba.core.xlsx import wants_xlsx, workbook_bytes, xlsx_response
from mowakaba.planning import selectors as plan_selectors
from mowakaba.planning.models import ActionPlan
from mowakaba.territory.models import Province, Region

from . import charts, progress
from .models import Indicator


def _format(ind: Indicator | None) -> Callable[[float], str]:
    if ind is not None and ind.denominator:  # a rate: one decimal
        return lambda v: charts.format_number(round(v, 1))
    return lambda v: charts.format_number(round(v))


def _year(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


TERRITORY = re.compile(r"N|[RP][0-9]{1,9}")


@login_required
def plan_progress(request: HttpRequest, year: int | None = None) -> HttpResponse:
    scope = scope_of(request)
    if not plan_selectors.can_edit(scope):
        scope.require(Capability.VIEW_AGGREGATES)
    today = timezone.localdate()
    asked = year or _year(request.GET.get("year"))
    year = asked or today.year
    plan = plan_selectors.plans(scope).filter(year=year).first()
    years = list(plan_selectors.plans(scope).values_list("year", flat=True))
    if plan is None:
        if asked:  # a year without a plan the actor may see is a page that does not exist (a draft too)
            raise Http404
        return render(request, "vigilance/plan_progress.html", {"plan": None, "year": year, "years": years})
    territory = request.GET.get("t", "N")
    if not TERRITORY.fullmatch(territory):
        territory = "N"
    if wants_xlsx(request):
        flat = progress.plan_progress(scope, plan, today=today, territory=territory, flat=True)
        return _xlsx(request, plan, flat)
    result = progress.plan_progress(scope, plan, today=today, territory=territory)
    rtl = (get_language() or "ar")[:2] == "ar"
    for t in result.targets:
        t.chart = charts.progress_bar(  # type: ignore[attr-defined]
            t.actual or 0.0, t.target or 0.0, status=t.status, expected=t.expected, rtl=rtl,
            label=f"{t.indicator.name if t.indicator else ''} · {t.name}", value_format=_format(t.indicator))
    return render(request, "vigilance/plan_progress.html", {
        "plan": plan, "p": result, "year": year, "years": years, "statuses": progress.STATUSES,
        "green_at": round(progress.GREEN_AT * 100), "amber_at": round(progress.AMBER_AT * 100),
        "can_edit": plan_selectors.can_edit(scope), "draft": plan.status == ActionPlan.Status.DRAFT,
        "territory": territory, "territory_name": _territory_name(territory)})


def _territory_name(territory: str) -> str:
    level, pk = territory[:1], int(territory[1:] or 0)
    if level == "R":
        return str(Region.objects.filter(pk=pk).first() or "")
    if level == "P":
        return str(Province.objects.filter(pk=pk).first() or "")
    return ""


def _xlsx(request: HttpRequest, plan: ActionPlan, result: progress.PlanProgress) -> HttpResponse:
    headers = [_("Axis"), _("Objective"), _("Indicator"), _("Territory"), _("Target"), _("Baseline"),
               _("Actual to date"), _("Expected to date"), _("Share of expected (per cent)"), _("Status"),
               _("Projected at year end")]
    data = workbook_bytes(_("Plan %(year)s") % {"year": plan.year}, headers, progress.export_rows(result),
                          language=get_language())
    journal_write(actor=request.user, action="vigilance.plan_progress.export", obj=plan,
                  object_repr=f"{plan.year} {result.as_of.isoformat()}", kind=JournalEntry.Kind.EXPORT,
                  changes={"rows": len(result.targets)})
    return xlsx_response(f"plan-progress-{plan.year}-{result.as_of.isoformat()}.xlsx", data)
