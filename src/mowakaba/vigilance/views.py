"""Dashboards: one page per territory (country, region, province, establishment) with the
indicators of a period, their trend, a map or a ranking of the territories one level down
(each a link: the drill-down), the breakdowns, and the same numbers as a table to download.

Thin: the period comes from the query string, every number from ``selectors`` (pre-aggregated
facts under the one access policy), every picture from ``charts``/``maps`` (SVG drawn here).
Authority viewers get the same pages with small counts hidden, as in the published reports.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mowakaba.accounts.scope import Capability, scope_of
from mowakaba.audit.services import journal_write

from . import charts, selectors
from .models import Indicator, Level
from .periods import PERIODS, Period, add_months, parse_period
from .selectors import Territory, Value


def _shown(ind: Indicator, pt: selectors.Point, exact: bool) -> float | None:
    """A month's value as the reader may see it: the dashboards' small-count rule, month by month."""
    return selectors.hide_small(ind, Value(pt.num, pt.den, pt.value), exact).value


def _dim_label(dim: str) -> str:
    labels = {
        "sex": _("Sex"), "age": _("Age band"), "group": _("Target group"), "need": _("Need"),
        "channel": _("Channel"), "level": _("Vulnerability level"), "programme": _("Programme"),
        "sector": _("Sector"), "kind": _("Kind of follow-up"), "theme": _("Theme"),
    }
    return str(labels.get(dim, dim))


def fmt(ind: Indicator, v: float | None) -> str:
    if v is None:
        return "—"
    if ind.unit == Indicator.Unit.PERCENT:
        return f"{v:.1f}\u202f%"
    if ind.unit in (Indicator.Unit.PER_1000, Indicator.Unit.DAYS, Indicator.Unit.RATIO):
        return f"{v:.2f}" if abs(v) < 10 else f"{v:.1f}"
    return charts.format_number(v)


@dataclass(frozen=True)
class ChildView:
    c: selectors.ChildRow
    num: float | None
    den: float | None
    value: float | None
    text: str
    href: str | None


URL_NAMES: dict[str, str] = {"N": "vigilance:national", "R": "vigilance:region", "P": "vigilance:province",
                             "E": "vigilance:establishment"}


def _url(level: str, pk: int | None, params: dict[str, str]) -> str:
    name = URL_NAMES[level]
    base = reverse(name) if level == Level.NATIONAL else reverse(name, args=[pk])
    query = "&".join(f"{k}={v}" for k, v in params.items() if v)
    return f"{base}?{query}" if query else base


def _crumbs(t: Territory) -> list[Territory]:
    out = []
    node: Territory | None = t
    while node is not None:
        out.append(node)
        node = node.parent
    return list(reversed(out))


@login_required
def dashboard_home(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    level, pk = selectors.default_territory(scope)
    return redirect(_url(level, pk, {}))


@login_required
def dashboard(request: HttpRequest, level: str, pk: int | None = None) -> HttpResponse:
    scope = scope_of(request)
    t = selectors.territory(scope, level, pk)
    today = timezone.localdate()
    period = parse_period(request.GET.get("period"), today)
    indicators = selectors.dashboard_indicators()
    by_code = {i.code: i for i in indicators}
    chosen = by_code.get(request.GET.get("ind", "")) or by_code.get("beneficiaries") or (
        indicators[0] if indicators else None)
    if chosen is None:
        raise Http404
    exact = selectors.shows_exact_counts(scope)
    rtl = bool(translation.get_language_bidi())
    params = {"period": period.code, "ind": chosen.code}

    values = selectors.indicator_values(scope, indicators, level=level, territory_id=pk, start=period.start,
                                        end=period.end)
    prev_start, prev_end = period.previous
    previous = selectors.indicator_values(scope, indicators, level=level, territory_id=pk, start=prev_start,
                                          end=prev_end)
    trend_start = add_months(period.end, -24)
    series = selectors.monthly(scope, indicators, level=level, territory_id=pk, start=trend_start, end=period.end)

    tiles = []
    for ind in indicators:
        v = selectors.hide_small(ind, values[ind.code], exact)
        p = selectors.hide_small(ind, previous[ind.code], exact)
        change = None
        if v.value is not None and p.value:
            change = (v.value - p.value) / abs(p.value) * 100
        spark = [_shown(ind, pt, exact) for pt in series[ind.code][-12:]]
        tiles.append({
            "ind": ind, "value": fmt(ind, v.value), "raw": v.value, "change": change,
            "good": None if change is None or abs(change) < 0.5 else (change > 0) == ind.higher_is_better,
            "spark": charts.sparkline(spark, title=ind.name, rtl=rtl),
            "href": _url(level, pk, {**params, "ind": ind.code}), "selected": ind.code == chosen.code,
        })

    # The chosen indicator: its months, its children (the drill-down), its breakdowns.
    months = series[chosen.code]
    periods = [date_format(pt.period, "M y") for pt in months]
    trend = charts.line_chart(
        periods, [charts.Series(chosen.name, [_shown(chosen, pt, exact) for pt in months])],
        title=_("%(indicator)s, month by month") % {"indicator": chosen.name},
        value_format=lambda x: fmt(chosen, x), rtl=rtl)

    children = selectors.by_children(scope, chosen, level=level, territory_id=pk, start=period.start,
                                     end=period.end)
    child_level = selectors.CHILD_LEVEL.get(level)
    parent_value = values[chosen.code].value
    rows: list[ChildView] = []
    for c in children:
        cv = selectors.hide_small(chosen, Value(c.num, c.den, c.value), exact)
        rows.append(ChildView(c, cv.num, cv.den, cv.value, fmt(chosen, cv.value),
                              _url(child_level, c.territory_id, params) if child_level else None))
    ranked = sorted(rows, key=lambda r: (r.value is None, -(r.value or 0)))
    bars = charts.bar_chart(
        [charts.BarItem(r.c.name, r.value, href=r.href) for r in ranked],
        title=_("%(indicator)s by territory") % {"indicator": chosen.name},
        value_format=lambda x: fmt(chosen, x), rtl=rtl, max_items=40,
        reference=parent_value if chosen.denominator else None,
        reference_label=_("%(territory)s: %(value)s") % {"territory": t.name, "value": fmt(chosen, parent_value)})

    map_svg = None
    legend: Any = None
    attribution: Any = None
    if level in (Level.NATIONAL, Level.REGION) and rows:
        from . import maps

        code_values: dict[str, float | None] = {r.c.code: r.value for r in rows}
        labels = {r.c.code: r.c.name for r in rows}
        hrefs: dict[str, str | None] = {r.c.code: r.href for r in rows}
        result = maps.choropleth(
            "province", code_values, higher_is_better=chosen.higher_is_better,
            title=_("%(indicator)s by province") % {"indicator": chosen.name},
            value_format=lambda x: fmt(chosen, x), link=lambda code: hrefs.get(code), labels=labels,
            only=list(code_values) if level == Level.REGION else None,
            missing_label=_("No data or hidden (fewer than 5)"))
        map_svg, legend, attribution = result.svg, result.legend_html, result.attribution

    breakdowns = []
    for dim in chosen.dims:
        pts = selectors.breakdown(scope, chosen, dim, level=level, territory_id=pk, start=period.start,
                                  end=period.end)
        if not pts:
            continue
        items = []
        for pt in pts:
            pv = selectors.hide_small(chosen, Value(pt.num, pt.den, pt.value), exact)
            items.append(charts.BarItem(dim_value_label(dim, pt.dim_value), pv.value))
        breakdowns.append({"dim": dim, "label": _dim_label(dim), "svg": charts.bar_chart(
            items, title=_("%(indicator)s by %(dimension)s") % {"indicator": chosen.name,
                                                                 "dimension": _dim_label(dim).lower()},
            value_format=lambda x: fmt(chosen, x), rtl=rtl, max_items=20)})

    fmt_out = request.GET.get("format")
    if fmt_out in ("csv", "xlsx"):
        return _download(request, fmt_out, t, period, chosen, tiles, values, rows, exact)

    alerts = _open_alerts(scope, t)
    return render(request, "vigilance/dashboard.html", {
        "t": t, "crumbs": _crumbs(t), "period": period, "periods": [parse_period(c, today) for c in PERIODS],
        "tiles": tiles, "chosen": chosen, "trend": trend, "bars": bars, "map_svg": map_svg, "legend": legend,
        "attribution": attribution,
        "rows": rows, "child_level": child_level, "breakdowns": breakdowns, "exact": exact,
        "parent_text": fmt(chosen, parent_value), "params": params, "alerts": alerts,
        "refreshed": selectors.last_refresh(), "can_refresh": scope.is_national and scope.can(Capability.SUPERVISE),
        "csv_url": f"?period={period.code}&ind={chosen.code}&format=csv",
        "xlsx_url": f"?period={period.code}&ind={chosen.code}&format=xlsx",
        "child_title": {"P": _("Province"), "E": _("Establishment"), "R": _("Region")}.get(child_level or "", ""),
    })


def dim_value_label(dim: str, value: str) -> str:
    """A disaggregation value in the reader's language, from the domain's own choices."""
    if not value:
        return _("Not recorded")
    try:
        if dim == "sex":
            from mowakaba.registry.models import Sex

            return str(dict(Sex.choices).get(value, value))
        if dim == "group":
            from mowakaba.cases.models import TargetGroup

            return str(dict(TargetGroup.choices).get(value, value))
        if dim == "level":
            from mowakaba.cases.models import Level as CaseLevel

            return str(dict(CaseLevel.choices).get(value, value))
        if dim == "need":
            from mowakaba.cases.models import Need

            return str(dict(Need.choices).get(value, value))
        if dim == "channel":
            from mowakaba.cases.models import Channel

            return str(dict(Channel.choices).get(value, value))
        if dim == "kind":
            from mowakaba.cases.models import Task

            return str(dict(Task.Kind.choices).get(value, value))
        if dim == "sector":
            from mowakaba.referrals.models import Sector

            return str(dict(Sector.choices).get(value, value))
        if dim == "programme":
            from mowakaba.programs.models import Programme

            p = Programme.objects.filter(code=value).first()
            return p.name if p is not None else value
        if dim == "theme":
            from mowakaba.training.models import Theme

            th = Theme.objects.filter(code=value).first()
            return th.name if th is not None else value
    except (ImportError, AttributeError):
        return value
    return value


def _open_alerts(scope: Any, t: Territory) -> dict[str, Any]:
    from .alerts import readable
    from .models import Alert

    qs = readable(scope).exclude(status=Alert.Status.CLOSED)
    if t.level == Level.PROVINCE:
        qs = qs.filter(province_id=t.id or 0)
    elif t.level == Level.REGION:
        qs = qs.filter(province__region_id=t.id or 0)
    elif t.level == Level.ESTABLISHMENT:
        qs = qs.filter(org_unit_id=t.id or 0)
    return {"count": qs.count(), "latest": list(qs.select_related("province").order_by("-created_at")[:5])}


def _download(request: HttpRequest, kind: str, t: Territory, period: Period, chosen: Indicator,
              tiles: list[dict[str, Any]], values: dict[str, Value], rows: list[ChildView],
              exact: bool) -> HttpResponse:
    headers = [_("Indicator"), _("Territory"), _("Period"), _("Numerator"), _("Denominator"), _("Value")]

    def n(x: float | None) -> float | int | None:
        if x is None:
            return None
        return int(x) if float(x).is_integer() else round(x, 2)

    table: list[list[Any]] = []
    for tile in tiles:
        ind = tile["ind"]
        v = selectors.hide_small(ind, values[ind.code], exact)
        table.append([ind.name, t.name, period.label, n(v.num), n(v.den), n(v.value)])
    for r in rows:
        table.append([chosen.name, r.c.name, period.label, n(r.num), n(r.den), n(r.value)])
    journal_write(actor=request.user, action="vigilance.export", object_type="dashboard",
                  object_repr=f"{t.key} {period.code} {chosen.code} {kind}")
    filename = f"mowakaba-{t.code}-{period.code}-{chosen.code}.{kind}"
    if kind == "xlsx":
        from mowakaba.core.xlsx import workbook_bytes, xlsx_response

        return xlsx_response(filename, workbook_bytes(_("Indicators"), headers, table,
                                                      language=translation.get_language()))
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(headers)
    w.writerows([["" if c is None else c for c in row] for row in table])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def indicator_list(request: HttpRequest) -> HttpResponse:
    """The indicators and how each is computed (numerator, denominator, factor, breakdowns)."""
    scope = scope_of(request)
    selectors.require_aggregates(scope)
    from .measures import MEASURES

    rows = [{"ind": i, "num": MEASURES.get(i.numerator),
             "den": MEASURES.get(i.denominator) if i.denominator not in ("", "population") else None,
             "dims": [_dim_label(d) for d in i.dims]}
            for i in Indicator.objects.filter(active=True)]
    return render(request, "vigilance/indicators.html", {"rows": rows, "refreshed": selectors.last_refresh()})


@login_required
@require_POST
def refresh_start(request: HttpRequest) -> HttpResponse:
    """Head office starts a full refresh of the facts as a background job (progress bar)."""
    scope = scope_of(request)
    if not (scope.is_national and scope.can(Capability.SUPERVISE)):
        raise Http404
    from mowakaba.core.models import Job

    from .tasks_refresh import refresh_job

    job = Job.objects.create(kind="vigilance.refresh", requested_by_id=request.user.pk, total=1)
    refresh_job.enqueue(job.pk)
    journal_write(actor=request.user, action="vigilance.refresh", object_type="job", object_id=job.pk)
    messages.info(request, _("The indicators are being recomputed; this page shows the progress."))
    return redirect("portal:job", pk=job.pk)
