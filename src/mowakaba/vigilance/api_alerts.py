"""Alerts over the API (registered under /api/vigilance/): the list with the page's filters,
one alert with how it was computed and its history, and the life-cycle actions.

Same services and the same policy as the pages: an alert outside the caller's territory is a
404; acting needs SUPERVISE within the alert's province (anyone else: 404); a stale ``version``
is a 409; a refused transition a 400 with the reason in the caller's language. Authority viewers
get figures only: no note, no staff name, counts under 5 hidden (``null``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from mowakaba.accounts.scope import Capability, scope_of
from mowakaba.core.errors import StaleEdit

from . import alerts as al
from .models import Alert

router = Router(tags=["vigilance"])


class AlertOut(Schema):
    id: int
    kind: str
    kind_label: str
    status: str
    severity: str
    province_id: int
    province_code: str
    subject: str
    period_start: date
    observed: float | None
    expected: float | None
    score: float | None
    threshold: float | None
    method: str
    version: int
    created_at: datetime
    updated_at: datetime
    acknowledged_at: datetime | None
    action_at: datetime | None
    closed_at: datetime | None


class EventOut(Schema):
    at: datetime
    status: str
    actor: str | None
    note: str | None


class ExplanationRow(Schema):
    label: str
    value: str


class AlertDetailOut(AlertOut):
    rule: str
    explanation_rows: list[ExplanationRow]
    explanation: dict[str, Any]
    events: list[EventOut]
    can_act: bool
    next_actions: list[str]
    action_note: str | None
    closure_note: str | None


class ActIn(Schema):
    version: int
    note: str = ""


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] | None = None


def _row(a: Alert, exact: bool) -> dict[str, Any]:
    coverage = a.kind == Alert.Kind.COVERAGE_LOW  # a rate, not a count
    return {
        "id": a.pk, "kind": a.kind, "kind_label": str(a.get_kind_display()), "status": a.status,
        "severity": a.severity, "province_id": a.province_id, "province_code": a.province.code,
        "subject": a.subject, "period_start": a.period_start,
        "observed": al.masked(a.observed, exact or coverage), "expected": a.expected, "score": a.score,
        "threshold": a.threshold, "method": a.method, "version": a.version, "created_at": a.created_at,
        "updated_at": a.updated_at, "acknowledged_at": a.acknowledged_at, "action_at": a.action_at,
        "closed_at": a.closed_at,
    }


def _masked_explanation(e: dict[str, Any], exact: bool) -> dict[str, Any]:
    if exact:
        return e
    out: dict[str, Any] = {}
    for k, v in e.items():
        if isinstance(v, dict):
            out[k] = _masked_explanation(v, exact)
        elif k == "values" and isinstance(v, list):
            out[k] = [al.masked(float(x), False) if isinstance(x, int | float) else x for x in v]
        elif isinstance(v, int) and not isinstance(v, bool) and k not in (
                "baseline_weeks", "guard_weeks", "seasonal_years", "min", "critical", "min_count", "window_days",
                "min_overdue", "grace_days", "population", "national_population", "oldest_days_late",
                "oldest_hours_late"):
            out[k] = al.masked(float(v), False)
        else:
            out[k] = v
    return out


def _detail(request: HttpRequest, alert_id: int) -> dict[str, Any]:
    scope = scope_of(request)
    a = al.alert_read(scope, alert_id)
    exact = al.shows_exact_counts(scope)
    staff = scope.can(Capability.VIEW_PERSONS)
    explained = al.explain(a, exact=exact)
    can = al.can_act(scope, a)
    out = _row(a, exact)
    out.update({
        "rule": explained["rule"],
        "explanation_rows": [{"label": label, "value": value} for label, value in explained["rows"]],
        "explanation": _masked_explanation(a.explanation or {}, exact),
        "events": [{"at": e.at, "status": e.status,
                    "actor": (e.actor.display_name if e.actor else None) if staff else None,
                    "note": e.note if staff else None} for e in a.events.select_related("actor")],
        "can_act": can, "next_actions": al.allowed_actions(a) if can else [],
        "action_note": a.action_note if staff else None, "closure_note": a.closure_note if staff else None,
    })
    return out


@router.get("/alerts", response=list[AlertOut],
            summary="Alerts of your territory (status: open (default), new, acknowledged, action_taken, closed, all)")
@paginate(LimitOffsetPagination, max_limit=100)
def alert_list(request: HttpRequest, status: str = "open", kind: str = "", province_id: int | None = None) -> Any:
    scope = scope_of(request)
    scope.require(Capability.VIEW_AGGREGATES)
    exact = al.shows_exact_counts(scope)
    qs = al.ordered(al.filtered(al.readable(scope), status=status, kind=kind,
                                province_id=province_id).select_related("province"))
    return _Rows(qs, exact)


class _Rows:
    """A lazily converted queryset, so that the paginator slices in the database."""

    def __init__(self, qs: Any, exact: bool) -> None:
        self.qs, self.exact = qs, exact

    def __len__(self) -> int:
        return int(self.qs.count())

    def count(self) -> int:
        return int(self.qs.count())

    def __getitem__(self, item: slice) -> list[dict[str, Any]]:
        return [_row(a, self.exact) for a in self.qs[item]]


@router.get("/alerts/{alert_id}", response=AlertDetailOut, summary="One alert: how it was computed, its history")
def alert_detail(request: HttpRequest, alert_id: int) -> Any:
    return _detail(request, alert_id)


def _act(request: HttpRequest, alert_id: int, action: str, body: ActIn) -> Any:
    try:
        al.ACTIONS[action](actor=request.user, scope=scope_of(request), alert_id=alert_id, version=body.version,
                           note=body.note)
    except StaleEdit:
        return Status(409, {"detail": _("Someone else changed this alert since you read it. "
                                        "Read it again, then retry.")})
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        return Status(400, {"detail": _("The request was refused."), "errors": errors})
    return Status(200, _detail(request, alert_id))


RESPONSES: dict[int, Any] = {200: AlertDetailOut, 400: ErrorOut, 409: ErrorOut}


@router.post("/alerts/{alert_id}/acknowledge", response=RESPONSES, summary="new → acknowledged (version check)")
def alert_acknowledge(request: HttpRequest, alert_id: int, body: ActIn) -> Any:
    return _act(request, alert_id, "acknowledge", body)


@router.post("/alerts/{alert_id}/action", response=RESPONSES,
             summary="Record what was done (note required) → action taken (version check)")
def alert_action(request: HttpRequest, alert_id: int, body: ActIn) -> Any:
    return _act(request, alert_id, "action", body)


@router.post("/alerts/{alert_id}/close", response=RESPONSES,
             summary="Close with a note: the outcome, or why nothing had to be done (version check)")
def alert_close(request: HttpRequest, alert_id: int, body: ActIn) -> Any:
    return _act(request, alert_id, "close", body)


@router.post("/alerts/{alert_id}/reopen", response=RESPONSES,
             summary="Reopen a closed alert, with a note → acknowledged (version check)")
def alert_reopen(request: HttpRequest, alert_id: int, body: ActIn) -> Any:
    return _act(request, alert_id, "reopen", body)
