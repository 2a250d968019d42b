"""Training pages: the organiser's sessions, a session with its participants, the attendance
sheet (the whole group on one phone screen, one POST), evaluations, "My trainings" and the totals.

Thin: parse, authorise through the scope (a session one does not organise is a 404, as if it did
not exist), call one service or selector, render. Actions are small POST URLs that redirect back
(post/redirect/get). Authority viewers reach the totals only: no page of theirs names anyone.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mowakaba.accounts.models import User
from mowakaba.accounts.scope import Capability, Scope, get_or_404, scope_of
from mowakaba.core.forms import apply_errors
from mowakaba.core.pagination import paginate
from mowakaba.territory.models import OrgUnit
from mowakaba.training import forms as f
from mowakaba.training import selectors, services
from mowakaba.training.models import ORGANISE, Participant, Status, Theme, TrainingSession


def _int(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _name_order() -> str:
    return "name_ar" if (get_language() or "ar")[:2] == "ar" else "name_fr"


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _organised(scope: Scope, pk: int) -> TrainingSession:
    scope.require(ORGANISE)
    return get_or_404(TrainingSession.objects.visible_to(scope)
                      .select_related("theme", "organiser", "place", "trainer"), pk=pk)


def _years(today: date) -> list[int]:
    return list(range(today.year + 1, today.year - 5, -1))


# ---- lists -----------------------------------------------------------------------------------


@login_required
def session_list(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    scope.require(ORGANISE)
    g = request.GET
    today = timezone.localdate()
    year = _int(g.get("year")) or today.year
    status = g.get("status", "")
    qs = selectors.sessions_for(scope, year=year, status=status, theme_id=_int(g.get("theme")),
                                q=g.get("q", "").strip())
    ctx = paginate(request, qs)
    ctx.update({"f": {k: g.get(k, "") for k in ("q", "status", "theme")}, "year": year, "years": _years(today),
                "statuses": Status.choices, "themes": Theme.objects.filter(active=True), "today": today})
    if getattr(request, "htmx", False):
        return render(request, "training/_session_rows.html", ctx)
    return render(request, "training/list.html", ctx)


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """Every staff member's own trainings, certificates and the sessions they may still join."""
    scope = scope_of(request)
    if not scope.has_any_grant:
        raise Http404
    participations = selectors.my_trainings(request.user)
    return render(request, "training/mine.html", {
        "participations": participations, "open_sessions": selectors.open_for(request.user),
        "today": timezone.localdate(), "can_organise": scope.can(ORGANISE)})


@login_required
def totals(request: HttpRequest) -> HttpResponse:
    """Figures only, never a name: what authority viewers see of training."""
    scope = scope_of(request)
    scope.require(Capability.VIEW_AGGREGATES)
    today = timezone.localdate()
    year = _int(request.GET.get("year")) or today.year
    by = request.GET.get("by", "region")
    result = selectors.totals(scope, year=year, by=by)
    return render(request, "training/totals.html", {
        "t": result, "years": _years(today), "plan_sessions": selectors.PLAN_SESSIONS,
        "plan_people": selectors.PLAN_PEOPLE, "groups": [("region", _("Region")), ("province", _("Province")),
                                                         ("theme", _("Theme"))],
        "can_organise": scope.can(ORGANISE)})


# ---- a session -------------------------------------------------------------------------------


def _form(scope: Scope, data: Any = None, *, initial: dict[str, Any] | None = None, editing: bool = False
          ) -> f.SessionForm:
    units = list(services.organiser_units(scope).exclude(kind=OrgUnit.Kind.ESTABLISHMENT)
                 .order_by("depth", _name_order())[:300])
    if not units:  # a manager organises for their own establishment
        units = list(services.organiser_units(scope).order_by("depth", _name_order())[:300])
    places = list(services.organiser_units(scope).order_by("depth", _name_order())[:300])
    trainers = list(User.objects.filter(services.staff_q(units[0]) if units else Q(pk__in=[]))
                    .order_by("last_name", "first_name")[:300]) if units else []
    return f.SessionForm(
        data, initial=initial,
        organisers=[(u.pk, u.name) for u in units], themes=[(t.pk, t.name) for t in Theme.objects.filter(active=True)],
        trainers=[(u.pk, u.display_name) for u in trainers], places=[(u.pk, u.name) for u in places], editing=editing)


@login_required
def session_new(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    scope.require(ORGANISE)
    form = _form(scope, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            s = services.session_create(actor=request.user, scope=scope, organiser_id=form.cleaned_data["organiser"],
                                        data=form.service_data())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Training session created. Open the registration when the programme is set."))
            return redirect("training:session", pk=s.pk)
    return render(request, "training/edit.html", {"form": form})


@login_required
def session_edit(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    s = _organised(scope, pk)
    initial = {"theme": s.theme_id, "title": s.title, "starts_on": s.starts_on, "ends_on": s.ends_on,
               "capacity": s.capacity, "trainer": s.trainer_id, "trainer_name": s.trainer_name,
               "place": s.place_id, "place_text": s.place_text}
    form = _form(scope, request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_update(actor=request.user, scope=scope, session_id=s.pk, data=form.service_data())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Training session saved."))
            return redirect("training:session", pk=s.pk)
    return render(request, "training/edit.html", {"form": form, "session": s})


@login_required
def session(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    s = _organised(scope, pk)
    today = timezone.localdate()
    participants = selectors.session_participants(s)
    days = s.days()
    return render(request, "training/session.html", {
        "session": s, "status": s.status_on(today), "participants": participants, "today": today,
        "n_days": len(days), "sheet_day": min(max(today, s.starts_on), s.ends_on),
        "can_register": s.status_on(today) not in services.CLOSED_STATES,
        "can_record": s.starts_on <= today and s.status_on(today) == Status.HELD,
        "can_close": s.status_on(today) == Status.HELD and s.ends_on <= today,
        "full": len(participants) >= s.capacity,
        "candidates": selectors.eligible_staff(s) if s.status_on(today) not in services.CLOSED_STATES else [],
    })


def _action(request: HttpRequest, pk: int, call: Any, done: str) -> HttpResponse:
    scope = scope_of(request)
    _organised(scope, pk)
    try:
        call(scope)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, done)
    return redirect("training:session", pk=pk)


@require_POST
@login_required
def session_open(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(request, pk, lambda scope: services.session_open_registration(
        actor=request.user, scope=scope, session_id=pk), _("Registration is open."))


@require_POST
@login_required
def session_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(request, pk, lambda scope: services.session_cancel(
        actor=request.user, scope=scope, session_id=pk, reason=request.POST.get("reason", "")),
        _("Training session cancelled."))


@require_POST
@login_required
def session_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(request, pk, lambda scope: services.session_close(
        actor=request.user, scope=scope, session_id=pk), _("Training session closed."))


@require_POST
@login_required
def register(request: HttpRequest, pk: int) -> HttpResponse:
    ids = [i for i in (_int(v) for v in request.POST.getlist("user")) if i]
    return _action(request, pk, lambda scope: services.participants_register(
        actor=request.user, scope=scope, session_id=pk, user_ids=ids,
        over_capacity_reason=request.POST.get("over_capacity_reason", "")), _("Participants registered."))


@login_required
def candidates(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff of the session's territory matching a name (htmx fragment of the register form)."""
    s = _organised(scope_of(request), pk)
    q = request.GET.get("q", "").strip()
    return render(request, "training/_candidates.html", {"candidates": selectors.eligible_staff(s, q), "q": q})


@require_POST
@login_required
def participant_remove(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    scope.require(ORGANISE)
    p = get_or_404(Participant.objects.filter(scope.rows_q("session__organiser", ORGANISE)), pk=pk)
    try:
        services.participant_remove(actor=request.user, scope=scope, participant_id=p.pk)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("Registration withdrawn."))
    return redirect("training:session", pk=p.session_id)


@require_POST
@login_required
def join(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    try:
        services.participant_join(actor=request.user, scope=scope, session_id=pk)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("You are registered."))
    return redirect("training:mine")


# ---- attendance and evaluation ---------------------------------------------------------------------


@login_required
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """The sheet for one day: everyone registered, one tap each, one POST for the group."""
    scope = scope_of(request)
    s = _organised(scope, pk)
    today = timezone.localdate()
    source = request.POST if request.method == "POST" else request.GET
    day = parse_date(source.get("day") or "") or min(max(today, s.starts_on), s.ends_on)
    if request.method == "POST":
        ids = [i for i in (_int(v) for v in request.POST.getlist("present")) if i]
        try:
            n = services.attendance_record(actor=request.user, scope=scope, session_id=s.pk, day=day,
                                           present_ids=ids)
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("Attendance saved: %(n)s present.") % {"n": n})
            return redirect(f"{request.path}?day={day.isoformat()}")
    rows = selectors.attendance_sheet(s, day)
    days = s.days()
    return render(request, "training/attendance.html", {
        "session": s, "rows": rows, "day": day, "days": days, "today": today,
        "prev_day": day - timedelta(days=1) if day > s.starts_on else None,
        "next_day": day + timedelta(days=1) if day < min(s.ends_on, today) else None,
        "recorded": any(r.present is not None for r in rows),
        "present_count": sum(1 for r in rows if r.present),
        "editable": s.status_on(today) == Status.HELD and day <= today,
    })


@login_required
def evaluate(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    p = get_or_404(Participant.objects.visible_to(scope).select_related("session__theme", "user"), pk=pk)
    form = f.EvaluationForm(request.POST or None, initial={
        "satisfaction": p.satisfaction, "usefulness": p.usefulness, "comment": p.comment})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.evaluation_record(actor=request.user, scope=scope, participant_id=p.pk,
                                       satisfaction=d["satisfaction"], usefulness=d["usefulness"],
                                       comment=d.get("comment", ""))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Thank you: the evaluation is saved."))
            if p.user_id == request.user.pk:
                return redirect("training:mine")
            return redirect("training:session", pk=p.session_id)
    return render(request, "training/evaluate.html", {"form": form, "p": p, "own": p.user_id == request.user.pk})
