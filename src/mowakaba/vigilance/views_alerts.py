"""Alert pages: the list (tabs by status with their counts, filters by kind and province, paged)
and one alert (what, where, when, observed against expected, the weekly line with its expected
range and alarm weeks, how it was computed, who did what, and the forms to act on it).

Thin: reading goes through ``alerts.readable`` (aggregate readers, authority viewers included,
partner staff not; another province is a 404), acting through ``alerts.actionable`` and the services
(anyone else gets a 404 on the action URL, as if the alert did not exist). Authority viewers see
no note and no staff name (notes are free text written by staff) and small counts hidden.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mowakaba.accounts.scope import Capability, scope_of
from mowakaba.core.errors import StaleEdit
from mowakaba.core.pagination import paginate
from mowakaba.territory.models import Province

from . import alerts as al
from . import charts
from .models import Alert
from .selectors import local_name


def _int(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _provinces(scope: Any) -> list[tuple[int, str]]:
    allowed = scope.territory_province_ids()
    qs = Province.objects.all() if allowed is None else Province.objects.filter(pk__in=allowed)
    return sorted(((p.pk, local_name(p)) for p in qs), key=lambda x: x[1])


def _value(v: float | None, exact: bool) -> str:
    shown = al.masked(v, exact)
    if v is not None and shown is None:
        return _("fewer than 5")
    return al.fmt(v)


@login_required
def alert_list(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    scope.require(Capability.VIEW_AGGREGATES)
    g = request.GET
    status = g.get("status", "open") or "open"
    kind = g.get("kind", "")
    province_id = _int(g.get("province"))
    base = al.readable(scope)
    # the tab counts follow the other filters, not the status
    counts = al.status_counts(al.filtered(base, status="all", kind=kind, province_id=province_id))
    qs = al.ordered(al.filtered(base, status=status, kind=kind, province_id=province_id)
                    .select_related("province"))
    ctx = paginate(request, qs)
    exact = al.shows_exact_counts(scope)
    rows = []
    for a in ctx["object_list"]:
        rows.append({"a": a, "province": local_name(a.province), "subject": al.subject_label(a),
                     "observed": _value(a.observed, exact or a.kind == Alert.Kind.COVERAGE_LOW),
                     "expected": al.fmt(a.expected)})
    tabs = [("open", _("Still open")), *[(s.value, s.label) for s in Alert.Status], ("all", _("All"))]
    ctx.update({
        "rows": rows, "tabs": [(v, label, counts.get(v, 0)) for v, label in tabs], "status": status,
        "f": {"kind": kind, "province": province_id}, "kinds": Alert.Kind.choices,
        "provinces": _provinces(scope), "can_supervise": scope.can(Capability.SUPERVISE),
        "query": {k: v for k, v in (("kind", kind), ("province", province_id or "")) if v},
    })
    return render(request, "vigilance/alerts.html", ctx)


def _series_chart(a: Alert, exact: bool) -> dict[str, Any] | None:
    series = (a.explanation or {}).get("series")
    if not series or not series.get("values"):
        return None
    values = [al.masked(float(v), exact) for v in series["values"]]
    expected = series.get("expected") or []
    upper = series.get("upper") or []
    e = a.explanation
    band = (float(e.get("lower") or 0), float(e.get("upper") or 0)) if e.get("upper") is not None else None
    start = date.fromisoformat(series["start"])
    weeks = []
    for i, v in enumerate(values):
        weeks.append({"week": start + timedelta(weeks=i), "count": _value(series["values"][i], exact),
                      "expected": al.fmt(expected[i] if i < len(expected) else None),
                      "upper": al.fmt(upper[i] if i < len(upper) else None),
                      "alarm": i in series.get("alarms", []), "hidden": v is None and series["values"][i]})
    svg = charts.sparkline(values, band=band, marks=series.get("alarms", []),
                           title=_("Weekly counts over %(n)s weeks; shaded: the expected range of the alert week; "
                                   "red dots: alarm weeks") % {"n": len(values)},
                           rtl=(get_language() or "ar")[:2] == "ar")
    return {"svg": svg, "weeks": weeks}


def _page(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    a = al.alert_read(scope, pk)
    exact = al.shows_exact_counts(scope)
    staff = scope.can(Capability.VIEW_PERSONS)
    events = list(a.events.select_related("actor"))
    labels = {"new": _("Raised"), "acknowledged": _("Acknowledged"), "action_taken": _("Action recorded"),
              "closed": _("Closed")}
    previous = ""
    for e in events:
        # the events keep the status reached; a step back from closed is a reopening
        e.label = _("Reopened") if previous == "closed" else labels.get(e.status, e.status)  # type: ignore[attr-defined]
        previous = e.status
    can_act = al.can_act(scope, a)
    ratio = a.kind == Alert.Kind.COVERAGE_LOW
    return render(request, "vigilance/alert.html", {
        "a": a, "province": local_name(a.province), "subject": al.subject_label(a),
        "observed": _value(a.observed, exact or ratio), "expected": al.fmt(a.expected),
        "threshold": al.pct(a.threshold) if a.kind == Alert.Kind.FOLLOWUPS_OVERDUE else al.fmt(a.threshold),
        "score": al.fmt(a.score),
        "explained": al.explain(a, exact=exact), "chart": _series_chart(a, exact),
        "events": events, "staff": staff, "can_act": can_act,
        "actions": al.allowed_actions(a) if can_act else [],
        "period_is_month": a.kind in (Alert.Kind.REPORTS_LATE, Alert.Kind.COVERAGE_LOW),
        "week_end": a.period_start + timedelta(days=6),
        "is_surge": a.kind in (Alert.Kind.SURGE_SESSIONS, Alert.Kind.SURGE_CASES),
    })


@login_required
def alert(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, pk)


def _act(request: HttpRequest, pk: int, action: str, done: str) -> HttpResponse:
    scope = scope_of(request)
    # authorised before the form is read: anyone who may not act gets a 404, as if missing
    if not al.actionable(scope).filter(pk=pk).exists():
        raise Http404
    version = _int(request.POST.get("version")) or 0
    try:
        al.ACTIONS[action](actor=request.user, scope=scope, alert_id=pk, version=version,
                           note=request.POST.get("note", ""))
    except StaleEdit:
        messages.error(request, _("Someone else changed this alert after you opened the page. Look at what "
                                  "they did, then act again if needed."))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect("vigilance:alert", pk=pk)


@require_POST
@login_required
def alert_ack(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "acknowledge", _("Alert acknowledged."))


@require_POST
@login_required
def alert_action(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "action", _("Action recorded."))


@require_POST
@login_required
def alert_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "close", _("Alert closed."))


@require_POST
@login_required
def alert_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "reopen", _("Alert reopened."))
