"""Authority reports (ask for one, follow its job, download it) and the public open-data page."""

from __future__ import annotations

import csv
import io
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from mowakaba.accounts.scope import Capability, Scope, get_or_404, scope_of
from mowakaba.audit.models import JournalEntry
from mowakaba.audit.services import journal_write
from mowakaba.core.models import Job
from mowakaba.core.xlsx import xlsx_response
from mowakaba.territory.models import Province, Region

from . import reports, selectors
from .models import Level
from .selectors import local_name
from .tasks import FORMATS, JOB_KIND, report_file, report_job

REPORT_LANGUAGES = [("ar", _("Arabic")), ("fr", _("French"))]
RECENT = 10


def territory_choices(scope: Scope) -> list[tuple[str, Any]]:
    """The territories whose report the actor may ask for: the country, whole regions, provinces."""
    allowed = scope.territory_province_ids()
    out: list[tuple[str, Any]] = []
    if allowed is None:
        out.append(("N", _("Morocco (national)")))
    provinces = list(Province.objects.select_related("region").order_by("region__code", "code"))
    by_region: dict[int, list[Province]] = {}
    for p in provinces:
        by_region.setdefault(p.region_id, []).append(p)
    regions = []
    for r in Region.objects.order_by("code"):
        ps = by_region.get(r.pk, [])
        if ps and (allowed is None or all(p.pk in allowed for p in ps)):
            regions.append((f"R{r.pk}", local_name(r)))
    if regions:
        out.append((str(_("Regions")), regions))
    provs = [(f"P{p.pk}", local_name(p)) for p in provinces if allowed is None or p.pk in allowed]
    if provs:
        out.append((str(_("Provinces")), provs))
    return out


def parse_territory(value: str) -> tuple[str, int | None]:
    if value == "N":
        return Level.NATIONAL, None
    if value[:1] in ("R", "P") and value[1:].isdigit():
        return value[0], int(value[1:])
    raise ValueError(value)


class ReportForm(forms.Form):
    territory = forms.ChoiceField(label=_("Territory"))
    # a select of the recent periods; any past month, quarter or year is accepted (a link, a test)
    period = forms.CharField(label=_("Period"), widget=forms.Select)
    language = forms.ChoiceField(label=_("Language of the report"), choices=REPORT_LANGUAGES)

    def __init__(self, *args: Any, scope: Scope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scope = scope
        self.territories = territory_choices(scope)
        self.periods = reports.period_choices()
        self.fields["territory"].choices = self.territories  # type: ignore[attr-defined]
        self.fields["period"].widget.choices = self.periods

    def clean_period(self) -> str:
        value = str(self.cleaned_data.get("period") or "")
        try:
            period = reports.Period.parse(value)
        except ValueError:
            raise forms.ValidationError(_("Choose a month, a quarter or a year.")) from None
        if period.start.year < 2000 or period.start > timezone.localdate():
            raise forms.ValidationError(_("Choose a period that has begun."))
        return period.key

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "territory" in data:
            level, tid = parse_territory(data["territory"])
            selectors.territory(self.scope, level, tid)  # the one access policy, again
            data["level"], data["territory_id"] = level, tid
        return data


def _language(request: HttpRequest) -> str:
    for lang in (getattr(request.user, "language", ""), getattr(request, "LANGUAGE_CODE", "")):
        if lang in ("ar", "fr"):
            return str(lang)
    return "ar"


def job_label(job: Job) -> str:
    return str((job.result or {}).get("title") or (job.params or {}).get("filename") or job.pk)


def _recent(request: HttpRequest) -> list[dict[str, Any]]:
    jobs = Job.objects.filter(requested_by_id=request.user.pk, kind=JOB_KIND)[:RECENT]
    return [{"job": j, "label": job_label(j), "arabic": (j.params or {}).get("language") == "ar",
             "files": j.status == Job.Status.DONE and bool((j.result or {}).get("files"))} for j in jobs]


@login_required
@require_http_methods(["GET", "POST"])
def reports_home(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    scope.require(Capability.VIEW_AGGREGATES)
    if request.method == "POST":
        form = ReportForm(request.POST, scope=scope)
        if form.is_valid():
            d = form.cleaned_data
            job = Job.objects.create(kind=JOB_KIND, requested_by_id=request.user.pk, params={
                "level": d["level"], "territory_id": d["territory_id"], "period": d["period"],
                "language": d["language"],
                "filename": f"{dict(_flat(form.territories)).get(d['territory'], '')} · "
                            f"{dict(_flat(form.periods)).get(d['period'], d['period'])}"})
            report_job.enqueue(job.pk)
            return redirect("vigilance:report_job", pk=job.pk)
    else:
        flat = _flat(territory_choices(scope))
        first = flat[0][0] if flat else ""
        periods = reports.period_choices()
        form = ReportForm(scope=scope, initial={"language": _language(request), "territory": first,
                                                "period": periods[2][1][0][0]})
    return render(request, "vigilance/reports.html", {"form": form, "jobs": _recent(request)})


def _flat(choices: Any) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for k, v in choices:
        if isinstance(v, list | tuple):
            out.extend(v)
        else:
            out.append((k, v))
    return out


def _own_job(request: HttpRequest, pk: int) -> Job:
    scope_of(request).require(Capability.VIEW_AGGREGATES)
    return get_or_404(Job.objects.filter(requested_by_id=request.user.pk, kind=JOB_KIND), pk=pk)


@never_cache
@login_required
@require_GET
def report_job_view(request: HttpRequest, pk: int) -> HttpResponse:
    job = _own_job(request, pk)
    template = "vigilance/report_job_status.html" if getattr(request, "htmx", False) else "vigilance/report_job.html"
    seconds = (job.result or {}).get("seconds", {}).get("total")
    return render(request, template, {"job": job, "label": job_label(job), "seconds": seconds,
                                      "files": bool((job.result or {}).get("files"))})


@never_cache
@login_required
@require_GET
def report_download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse | FileResponse:
    job = _own_job(request, pk)
    if fmt not in FORMATS or job.status != Job.Status.DONE:
        raise Http404
    # The territory is checked again: an assignment may have ended since the report was made.
    selectors.territory(scope_of(request), job.params.get("level", ""), job.params.get("territory_id"))
    path = report_file(job, fmt)
    if path is None:
        raise Http404
    journal_write(actor=request.user, action="report.download", object_type="vigilance.report", object_id=job.pk,
                  object_repr=str(job.result.get("slug", ""))[:250], changes={"format": fmt},
                  kind=JournalEntry.Kind.EXPORT)
    filename = f"mowakaba-{job.result.get('slug') or job.pk}.{fmt}"
    return FileResponse(path.open("rb"), as_attachment=True, filename=filename, content_type=FORMATS[fmt])


# ---- open data (public) ----------------------------------------------------------------------

OPEN_PERIODS = {"year": reports.last_full_year, "12m": reports.last_twelve_months}


def _open_period(request: HttpRequest) -> tuple[str, reports.Period]:
    key = request.GET.get("period", "year")
    if key not in OPEN_PERIODS:
        key = "year"
    return key, OPEN_PERIODS[key]()


def _cache_key(*parts: Any) -> str:
    run = selectors.last_refresh()
    return "opendata:" + ":".join(str(p) for p in (getattr(run, "pk", 0), *parts))


def _open_data(period_key: str, period: reports.Period, language: str) -> reports.OpenData:
    key = _cache_key("data", period_key, period.key, language)
    data = cache.get(key)
    if data is None:
        data = reports.open_data(period)
        cache.set(key, data, 24 * 3600)
    return data  # type: ignore[no-any-return]


@require_GET
def open_data_page(request: HttpRequest) -> HttpResponse:
    """Public page: national and regional aggregates, protected like the reports. Its tables are
    cached until the next refresh of the facts (the key carries the last refresh's id)."""
    period_key, period = _open_period(request)
    language = translation.get_language() or "ar"
    key = _cache_key("html", period_key, period.key, language)
    body = cache.get(key)
    if body is None:
        data = _open_data(period_key, period, language)
        body = render_to_string("vigilance/opendata_tables.html", {
            "data": data, "legend": reports.suppression_legend(), "licence": reports.LICENCE,
            "period_key": period_key})
        cache.set(key, body, 24 * 3600)
    return render(request, "vigilance/opendata.html", {"body": body, "period_key": period_key,
                                                       "periods": [("year", _("Last full year")),
                                                                   ("12m", _("Last 12 months"))]})


@require_GET
def open_data_download(request: HttpRequest, fmt: str) -> HttpResponse:
    period_key, period = _open_period(request)
    language = translation.get_language() or "ar"
    data = _open_data(period_key, period, language)
    filename = f"mowakaba-open-data-{period.key.replace('..', '_')}"
    if fmt == "xlsx":
        return xlsx_response(f"{filename}.xlsx", reports.open_data_xlsx(data, language))
    if fmt != "csv":
        raise Http404
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["table", "code", "territory_or_category", "column", "value"])
    w.writerows(reports.open_data_rows(data))
    w.writerow([])
    w.writerow([str(reports.LICENCE)])
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response
