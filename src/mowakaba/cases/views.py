"""Casework pages: listening, the case list, the case file and its small actions, my tasks, the
team, approvals and the transfer inbox.

Thin, like every interface here: parse, authorise through the scope (a case out of reach is a
404, as if it did not exist), call one service or selector, render. A service's
``ValidationError`` is shown on the form in the reader's language and nothing is written; a
``StaleEdit`` says that someone else saved first. Every page that shows a case reads it through
``services.case_read``, which journals the read. Each action is its own small POST URL that
redirects back to the case (post/redirect/get), so the pages work without JavaScript; htmx only
refreshes lists, searches and the quick "done" on the task list.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django import forms as djforms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.timezone import is_aware, localtime
from django.utils.translation import get_language, get_language_bidi, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mowakaba.accounts.models import Assignment, User
from mowakaba.accounts.scope import ROLE_CAPABILITIES, Capability, Scope, get_or_404, scope_of
from mowakaba.audit.services import journal_write
from mowakaba.cases import assessment as scoring
from mowakaba.cases import forms as f
from mowakaba.cases import selectors, services
from mowakaba.cases.models import (
    Approval,
    AssessmentScheme,
    Case,
    Channel,
    ClosureOutcome,
    ClosureReason,
    ExtremeTrack,
    Goal,
    Level,
    ListeningSession,
    Need,
    Placement,
    Status,
    TargetGroup,
    Task,
    Transfer,
    Urgency,
)
from mowakaba.core.errors import StaleEdit
from mowakaba.core.forms import apply_errors
from mowakaba.core.pagination import paginate
from mowakaba.core.xlsx import MAX_EXPORT_ROWS, export_query, wants_xlsx, workbook_bytes, xlsx_response
from mowakaba.referrals.models import Outcome as ReferralOutcome
from mowakaba.referrals.models import Sector, Target
from mowakaba.registry import search as person_search
from mowakaba.registry.models import Consent, Disability, Education, MaritalStatus, Person, Sex
from mowakaba.territory.models import Commune, OrgUnit

E = Capability.EDIT_PERSONS
V = Capability.VIEW_PERSONS


def _stale() -> str:
    return _("Someone else saved this case after you opened the form. Reload the page to see their changes, "
             "then apply yours again.")


def _int(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _name_order() -> str:
    return "name_ar" if (get_language() or "ar")[:2] == "ar" else "name_fr"


def _next_or(request: HttpRequest, default: str) -> str:
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
        return nxt
    return default


def _errors_to_messages(request: HttpRequest, errors: Any) -> None:
    if isinstance(errors, ValidationError):
        for message in errors.messages:
            messages.error(request, message)
        return
    for field_errors in errors.values():
        for error in field_errors:
            messages.error(request, str(error))


def _case_url(pk: int, section: str = "") -> str:
    return reverse("cases:case", args=[pk]) + (f"#{section}" if section else "")


def _editable_case(scope: Scope, pk: int) -> Case:
    """Authorise an action on a case before reading anything from the form (404 otherwise)."""
    scope.require(E)
    return get_or_404(Case.objects.editable_by(scope).select_related("establishment"), pk=pk)


def _editable_establishments(scope: Scope) -> QuerySet[OrgUnit]:
    return (OrgUnit.objects.filter(scope.rows_q("pk", E), kind=OrgUnit.Kind.ESTABLISHMENT, active=True)
            .select_related("commune").order_by(_name_order()))


def _agents(unit: OrgUnit, keep: int | None = None) -> list[tuple[int, str]]:
    """Who may hold a case or a task of this establishment: front-line roles assigned to it or
    above it (the rule of ``services._check_agent``), in one query."""
    roles = [r for r, caps in ROLE_CAPABILITIES.items() if E in caps]
    where = Q(org_unit_id=unit.pk) | Q(org_unit_id__in=unit.ancestor_ids())
    if unit.partner_id:
        where |= Q(partner_id=unit.partner_id, org_unit__isnull=True)
    users = list(User.objects.filter(
        Q(pk__in=Assignment.objects.active().filter(where, role__in=roles).values("user_id")) | Q(pk=keep or 0),
        is_active=True).order_by("first_name", "last_name", "username")[:200])
    return [(u.pk, u.display_name) for u in users]


@dataclass
class Place:
    unit: OrgUnit
    occupied: int

    @property
    def full(self) -> bool:
        return self.unit.capacity is not None and self.occupied >= self.unit.capacity


def _places(*, near: int | None = None, q: str = "", exclude: int | None = None) -> list[Place]:
    """Active establishments with their occupancy, in one grouped query: those of the same
    delegation by default, or those whose name or code matches ``q`` anywhere in the country."""
    qs = (OrgUnit.objects.filter(kind=OrgUnit.Kind.ESTABLISHMENT, active=True)
          .annotate(occupied=Count("placements", filter=Q(placements__state=Placement.State.ACTIVE))))
    if q:
        qs = qs.filter(Q(name_fr__icontains=q) | Q(name_ar__icontains=q) | Q(code__icontains=q))
    elif near:
        qs = qs.filter(parent_id=near)
    else:
        return []
    if exclude:
        qs = qs.exclude(pk=exclude)
    return [Place(u, getattr(u, "occupied", 0)) for u in qs.order_by(_name_order())[: 30 if q else 200]]


# ---- listening -------------------------------------------------------------------------------


def _person_hits(scope: Scope, q: str, selected: int | None = None) -> list[dict[str, Any]]:
    """Persons for the listening form: the one already chosen, then the search results, each with
    their open cases (one query for all)."""
    people: list[Person] = []
    if selected:
        people.append(get_or_404(Person.objects.editable_by(scope).select_related("establishment"), pk=selected))
    if len(q) >= 2:
        people += [h.person for h in person_search.search(scope, q, limit=8) if h.person.pk != selected]
    if not people:
        return []
    open_cases: dict[int, list[Case]] = {}
    for c in Case.objects.editable_by(scope).open().filter(person_id__in=[p.pk for p in people]).order_by("-pk"):
        open_cases.setdefault(c.person_id, []).append(c)
    return [{"person": p, "cases": open_cases.get(p.pk, []), "selected": p.pk == selected} for p in people]


@login_required
def listen(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    scope.require(E)
    units = list(_editable_establishments(scope)[:200])
    if not units:
        raise Http404
    province_ids = {u.commune.province_id for u in units if u.commune_id and u.commune}
    communes = list(Commune.objects.filter(province_id__in=province_ids).order_by(_name_order())[:400])
    own = (Assignment.objects.active().filter(user_id=request.user.pk or 0, org_unit__in=[u.pk for u in units])
           .values_list("org_unit_id", flat=True).first())
    source = request.POST if request.method == "POST" else request.GET
    selected = _int(source.get("person"))
    initial: dict[str, Any] = {"establishment": own or units[0].pk, "person": selected}
    if request.method == "GET" and _int(request.GET.get("case")):
        initial.update(outcome=f.ListeningForm.ADD, case=_int(request.GET.get("case")))
    form = f.ListeningForm(request.POST or None, initial=initial,
                           establishments=[(u.pk, u.name) for u in units],
                           communes=[(c.pk, c.name) for c in communes])
    q = request.GET.get("q", "").strip()
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        case_id: int | None = None
        if d["outcome"] == f.ListeningForm.ADD:
            case_id = d.get("case")
            if not case_id and d.get("person"):
                ids = list(Case.objects.editable_by(scope).open().filter(person_id=d["person"])
                           .values_list("pk", flat=True)[:2])
                case_id = ids[0] if len(ids) == 1 else None
            if not case_id:
                form.add_error("case", _("Choose the open case this session adds to."))
        if not form.errors:
            data = form.session_data()
            data["commune"] = next((c for c in communes if c.pk == d.get("commune")), None)
            try:
                session = services.listening_record(
                    actor=request.user, scope=scope, establishment_id=d["establishment"], data=data,
                    needs=d["needs"], person_id=d.get("person"), new_person=form.new_person(),
                    consent_given=d["consent_given"], consent_method=d.get("consent_method") or "oral",
                    open_case=d["outcome"] == f.ListeningForm.OPEN, case_id=case_id, groups=d["groups"],
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                if session.case_id and session.outcome == ListeningSession.Outcome.CASE_OPENED:
                    messages.success(request, _("Listening session recorded; case %(no)s opened.")
                                     % {"no": session.case.number if session.case else ""})
                    return redirect("cases:case", pk=session.case_id)
                if session.case_id:
                    messages.success(request, _("Listening session added to case %(no)s.")
                                     % {"no": session.case.number if session.case else ""})
                    return redirect("cases:case", pk=session.case_id)
                messages.success(request, _("Listening session recorded."))
                return redirect("cases:listen")
    return render(request, "cases/listen.html", {
        "form": form, "units": units, "q": q,
        "hits": _person_hits(scope, q, selected),
        "report_channels": [c for c in Channel.values if c not in ("walk_in", "phone", "outreach")],
    })


@login_required
def listen_persons(request: HttpRequest) -> HttpResponse:
    """The person search of the listening form (htmx fragment)."""
    scope = scope_of(request)
    scope.require(E)
    q = request.GET.get("q", "").strip()
    return render(request, "cases/_person_hits.html", {
        "hits": _person_hits(scope, q, _int(request.GET.get("person"))), "q": q})


# ---- case list ---------------------------------------------------------------------------------


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    scope.require(V)
    g = request.GET
    status = g.get("status", "open")
    status = status if status in {"open", *Status.values} else ""
    level = g.get("level", "") if g.get("level", "") in Level.values else ""
    group = g.get("group", "") if g.get("group", "") in TargetGroup.values else ""
    extreme = {"1": True, "0": False}.get(g.get("extreme", ""))
    qs = selectors.cases_for(
        scope, status=status, level=level, group=group, extreme=extreme,
        mine_of=request.user.pk if g.get("mine") else None, agent_id=_int(g.get("agent")),
        establishment_id=_int(g.get("establishment")), q=g.get("q", "").strip(),
    )
    person_id = _int(g.get("person"))
    if person_id:
        qs = qs.filter(person_id=person_id)
    if wants_xlsx(request):
        return _case_list_export(request, qs)
    ctx = paginate(request, qs)
    ctx["export_query"] = export_query(request)
    ctx.update({
        "f": {k: g.get(k, "") for k in ("q", "level", "group", "extreme", "mine", "establishment", "agent",
                                         "person")},
        "f_status": g.get("status", "open"),
        "statuses": Status.choices, "levels": Level.choices, "groups": TargetGroup.choices,
        "can_listen": scope.can(E),
    })
    if getattr(request, "htmx", False):
        return render(request, "cases/_case_rows.html", ctx)
    ctx["establishments"] = list(OrgUnit.objects.filter(scope.rows_q("pk", V), kind=OrgUnit.Kind.ESTABLISHMENT)
                                 .order_by(_name_order())[:300])
    ctx["incoming"] = selectors.incoming_transfers(scope).count() if scope.can(E) else 0
    return render(request, "cases/list.html", ctx)


def _case_list_export(request: HttpRequest, qs: QuerySet[Case]) -> HttpResponse:
    """The case list as filtered, from the page's own scoped queryset (person, establishment and
    agent joined: no query per row). Data minimisation: the file leaves the system, so it names
    no one it need not. The person appears by record number only, never by name, and nothing of
    the case's content (needs, notes, assessments) is written."""
    cases = list(qs[:MAX_EXPORT_ROWS])
    headers = [_("Case number"), _("Status"), _("Level"), _("Urgency"), _("Opened"), _("Establishment"),
               _("Agent"), _("Record number")]
    rows = [[c.number, c.get_status_display(), c.get_level_display() if c.level else "", c.get_urgency_display(),
             c.opened_at, c.establishment.name, c.agent.display_name if c.agent else "", c.person.record_no]
            for c in cases]
    journal_write(actor=request.user, action="cases.export", object_type="cases.case",
                  object_repr=request.GET.urlencode()[:250], kind="export", changes={"rows": len(rows)})
    return xlsx_response("cases.xlsx", workbook_bytes(_("Cases"), headers, rows, language=get_language()))


@login_required
def person_cases(request: HttpRequest, pk: int) -> HttpResponse:
    """The cases of one person that the reader may see, for the person's page (htmx fragment)."""
    scope = scope_of(request)
    scope.require(V)
    person = get_or_404(Person.objects.visible_to(scope), pk=pk)
    cases = list(selectors.cases_for(scope, status="").filter(person_id=person.pk)[:50])
    return render(request, "cases/_person_cases.html", {"cases": cases, "person": person,
                                                        "can_listen": scope.can(E)})


# ---- the case file -----------------------------------------------------------------------------


LIST_KEYS = {"needs", "groups"}
SKIP_KEYS = {"task", "goal", "case", "commune"}
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(T[\d:.]+([+-]\d{2}:\d{2}|Z)?)?$")


def _choice_labels() -> dict[str, dict[str, Any]]:
    return {
        "status": dict(Status.choices), "level": dict(Level.choices), "computed_level": dict(Level.choices),
        "urgency": dict(Urgency.choices), "channel": dict(Channel.choices), "needs": dict(Need.choices),
        "groups": dict(TargetGroup.choices),
        "outcome": {**dict(ListeningSession.Outcome.choices), **dict(ClosureOutcome.choices)},
        "reason": dict(ClosureReason.choices),
        "kind": {**dict(Task.Kind.choices), **dict(Approval.Kind.choices)},
        "decision": dict(Approval.Decision.choices), "state": dict(Goal.State.choices),
        "legal_basis": {"vital_interest": gettext_lazy("vital interest: life in danger")},
        # Entries of the person's record and of referrals appear in the same timeline.
        "target": dict(Target.choices), "sector": dict(Sector.choices),
        "purpose": dict(Consent.Purpose.choices), "method": dict(Consent.Method.choices),
        "sex": dict(Sex.choices), "marital_status": dict(MaritalStatus.choices),
        "education": dict(Education.choices), "disability": dict(Disability.choices),
    }


def _field_label(key: str) -> str:
    if key in FIELD_LABELS:
        return str(FIELD_LABELS[key])
    for model in (Person, Consent):
        try:
            return str(getattr(model._meta.get_field(key), "verbose_name", key))
        except FieldDoesNotExist:
            continue
    return key


FIELD_LABELS = {
    "status": gettext_lazy("status"), "level": gettext_lazy("level"), "computed_level": gettext_lazy("computed level"),
    "score": gettext_lazy("score"), "urgency": gettext_lazy("urgency"), "channel": gettext_lazy("channel"),
    "needs": gettext_lazy("needs"), "groups": gettext_lazy("target groups"), "outcome": gettext_lazy("outcome"),
    "reason": gettext_lazy("reason"), "kind": gettext_lazy("kind"), "decision": gettext_lazy("decision"),
    "state": gettext_lazy("state"), "agent": gettext_lazy("agent"), "summary": gettext_lazy("summary"),
    "next_review_on": gettext_lazy("next review"), "due_on": gettext_lazy("by"), "late": gettext_lazy("late"),
    "legal_basis": gettext_lazy("legal basis"), "override_reason": gettext_lazy("reason for a different level"),
    "capacity_override": gettext_lazy("reason for exceeding capacity"), "accepted": gettext_lazy("accepted"),
    "establishment": gettext_lazy("establishment"), "to": gettext_lazy("to establishment"),
    "from": gettext_lazy("from establishment"),
    "deadline": gettext_lazy("deadline"), "first_action_due": gettext_lazy("first action due"),
    "plan_due": gettext_lazy("plan due"), "person": gettext_lazy("person"),
    "target": gettext_lazy("referred to"), "sector": gettext_lazy("sector"),
}


def _fmt(key: str, value: Any, labels: dict[str, dict[str, Any]]) -> str:
    if isinstance(value, list):
        return ", ".join(_fmt(key, v, labels) for v in value) or "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if value in (None, ""):
        return "—"
    if isinstance(value, str) and ISO_DATE.match(value):
        # Dates in the journal are ISO; show them as the reader's language writes dates.
        if "T" in value:
            moment = parse_datetime(value)
            if moment is not None:
                return date_format(localtime(moment) if is_aware(moment) else moment, "SHORT_DATETIME_FORMAT")
        else:
            day = parse_date(value)
            if day is not None:
                return date_format(day, "SHORT_DATE_FORMAT")
    if key in {"outcome"}:
        labels = {**labels, "outcome": {**labels["outcome"], **dict(ReferralOutcome.choices)}}
    return str(labels.get(key, {}).get(value, value))


def _change_lines(changes: Any) -> list[str]:
    """A journal entry's changes as short readable lines: "status: Received → Under assessment"."""
    if not isinstance(changes, dict):
        return []
    labels = _choice_labels()
    out = []
    for key, value in changes.items():
        if key in SKIP_KEYS:
            continue
        name = _field_label(key)
        is_pair = isinstance(value, list) and len(value) == 2 and (
            key not in LIST_KEYS or all(isinstance(v, list) for v in value))
        if is_pair and all(v in (None, "", [], False) for v in value):
            continue  # a field left empty on creation says nothing
        if is_pair and value[0] in (None, "", []):
            out.append(f"{name}: {_fmt(key, value[1], labels)}")  # set on creation: no "before"
        elif is_pair:
            # The arrow points the way the page reads.
            arrow = "←" if get_language_bidi() else "→"
            out.append(f"{name}: {_fmt(key, value[0], labels)} {arrow} {_fmt(key, value[1], labels)}")
        else:
            out.append(f"{name}: {_fmt(key, value, labels)}")
    return out


def _scheme() -> AssessmentScheme:
    """The active scheme without writing one on a read (the service creates it on first use)."""
    return (AssessmentScheme.objects.filter(active=True).order_by("-pk").first()
            or AssessmentScheme(name="default", weights=scoring.DEFAULT_WEIGHTS,
                                thresholds=scoring.DEFAULT_THRESHOLDS))


def _explain(a: Any) -> dict[str, Any]:
    """Points per answer of an assessment, with the question and answer in the reader's language."""
    result = scoring.score(a.answers, a.scheme)
    return {
        "a": a, "max": scoring.max_score(a.scheme), "floor": scoring.question_label(result.floor)
        if result.floor else "",
        "parts": [(scoring.question_label(q), scoring.answer_label(q, ans), pts) for q, ans, pts in result.parts],
    }


def _deadline(due: datetime, done: datetime | None, now: datetime) -> dict[str, Any]:
    return {"due": due, "done": done, "late": done is None and due < now,
            "done_late": done is not None and done > due}


def _track_view(track: ExtremeTrack | None, now: datetime) -> dict[str, Any] | None:
    if track is None:
        return None
    return {"t": track, "first": _deadline(track.first_action_due, track.first_action_at, now),
            "plan": _deadline(track.plan_due, track.plan_approved_at, now)}


def _closure_labels(reason: str, outcome: str) -> str:
    labels = _choice_labels()
    return " · ".join(str(v) for v in (labels["reason"].get(reason, reason), labels["outcome"].get(outcome, outcome))
                      if v)


def _case_context(request: HttpRequest, scope: Scope, case: Case, bound: dict[str, djforms.Form]) -> dict[str, Any]:
    now = timezone.now()
    can_edit = scope.can(E) and Case.objects.editable_by(scope).filter(pk=case.pk).exists()
    tasks = list(case.tasks.select_related("assignee", "goal", "done_by").order_by("due_on", "pk")[:300])
    goals = list(case.goals.order_by("created_at", "pk"))
    approvals = list(case.approvals.select_related("requested_by", "decided_by").order_by("-requested_at")[:30])
    referrals = list(case.referrals.select_related("to_establishment", "to_partner").order_by("-sent_at")[:50])
    for r in referrals:
        r.url = reverse("referrals:referral", args=[r.pk])  # type: ignore[attr-defined]
    latest = case.assessments.select_related("scheme", "assessed_by").order_by("-created_at", "-pk").first()
    track = ExtremeTrack.objects.filter(case=case).first() if case.extreme else None
    timeline = selectors.timeline([case.pk], person_id=case.person_id, limit=100)
    ctx: dict[str, Any] = {
        "case": case, "p": case.person, "can_edit": can_edit and not case.is_closed, "can_reopen": can_edit,
        "groups": [TargetGroup(g).label for g in case.groups.values_list("group", flat=True)],
        "sessions": list(case.sessions.select_related("agent").prefetch_related("needs").order_by("-held_at")[:20]),
        "assessment": _explain(latest) if latest else None,
        "track": _track_view(track, now),
        "approvals": approvals,
        "pending": {a.kind: a for a in approvals if a.decision == Approval.Decision.PENDING},
        "goals": goals, "open_goals": [g for g in goals if g.state == Goal.State.OPEN],
        "open_tasks": [t for t in tasks if t.is_open], "closed_tasks": [t for t in tasks if not t.is_open],
        "today": timezone.localdate(),
        "reviews": list(case.reviews.select_related("reviewed_by").order_by("-reviewed_on", "-pk")[:20]),
        "placements": list(case.placements.select_related("establishment").order_by("-created_at")[:20]),
        "referrals": referrals, "live_referrals": sum(1 for r in referrals if r.is_live),
        "referral_new_url": reverse("referrals:new") + f"?case={case.pk}",
        "transfer": case.transfers.filter(status=Transfer.State.PENDING).select_related(
            "to_establishment", "requested_by").first(),
        "timeline": [(e, _change_lines(e.changes)) for e in timeline],
        "can_approve": scope.can(Capability.APPROVE_EXTREME),
        "open": next(iter(bound), ""),
        "closure": _closure_labels(case.closure_reason, case.closure_outcome),
    }
    ctx["has_placement"] = any(p.state in (Placement.State.REQUESTED, Placement.State.ACTIVE)
                               for p in ctx["placements"])
    if ctx["can_edit"]:
        agents = _agents(case.establishment, keep=case.agent_id)
        place_q = request.GET.get("place_q", "").strip()
        ctx.update({
            "places": _places(near=case.establishment.parent_id, q=place_q, exclude=case.establishment_id),
            "place_q": place_q,
            "agents": agents,
        })
        defaults: dict[str, Callable[[], djforms.Form]] = {
            "first_action": f.NoteForm, "conference": f.ConferenceForm, "submit_plan": f.PlanSubmitForm,
            "goal": f.GoalForm, "review": f.ReviewForm, "placement": f.PlacementForm, "transfer": f.TransferForm,
            "task": lambda: f.TaskForm(agents=agents, goals=[(g.pk, g.text) for g in ctx["open_goals"]]),
            "close": lambda: f.CloseForm(initial={"version": case.version}),
        }
        ctx["forms"] = {name: bound.get(name) or make() for name, make in defaults.items()}
    if case.is_closed and can_edit:
        ctx["forms"] = {"reopen": bound.get("reopen") or f.ReasonForm()}
    return ctx


def _case_page(request: HttpRequest, pk: int, bound: dict[str, djforms.Form] | None = None) -> HttpResponse:
    scope = scope_of(request)
    case = services.case_read(actor=request.user, scope=scope, case_id=pk)
    return render(request, "cases/case.html", _case_context(request, scope, case, bound or {}))


@login_required
def case(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_page(request, pk)


def _case_action(request: HttpRequest, pk: int, section: str, form: djforms.Form,
                 call: Callable[[Scope, dict[str, Any]], str], rename: dict[str, str] | None = None) -> HttpResponse:
    """The shape of every small action on a case: the case is authorised first (404 before the
    form is even read), the service decides; on a refusal the case page comes back with the form
    filled in and its errors, on success a message and the case page (post/redirect/get)."""
    scope = scope_of(request)
    if form.is_valid():
        try:
            message = call(scope, form.cleaned_data)
        except StaleEdit:
            form.add_error(None, _stale())
        except ValidationError as exc:
            apply_errors(form, exc, rename=rename)
        else:
            messages.success(request, message)
            return redirect(_case_url(pk, section))
    return _case_page(request, pk, {section: form})


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    guard = _editable_case(scope, pk)
    agents = _agents(guard.establishment, keep=guard.agent_id)
    form = f.CaseEditForm(request.POST or None, agents=agents)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        agent = User.objects.filter(pk=d["agent"]).first() if d.get("agent") else None
        try:
            services.case_update(actor=request.user, scope=scope, case_id=pk, expected_version=d["version"],
                                 data={"agent": agent, "urgency": d["urgency"], "summary": d["summary"],
                                       "next_review_on": d["next_review_on"]}, groups=d["groups"])
        except StaleEdit:
            form.add_error(None, _stale())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect(_case_url(pk))
    c = services.case_read(actor=request.user, scope=scope, case_id=pk)
    if not form.is_bound:
        form = f.CaseEditForm(agents=agents, initial={
            "agent": c.agent_id, "urgency": c.urgency, "summary": c.summary, "next_review_on": c.next_review_on,
            "groups": list(c.groups.values_list("group", flat=True)), "version": c.version})
    return render(request, "cases/edit.html", {"form": form, "case": c})


@login_required
def assess(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    _editable_case(scope, pk)
    form = f.AssessmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            a = services.assessment_record(actor=request.user, scope=scope, case_id=pk, answers=form.answers(),
                                           notes_text=d["notes"], level=d["level"],
                                           override_reason=d["override_reason"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Assessment recorded: score %(score)s, level %(level)s.")
                             % {"score": a.score, "level": Level(a.level).label})
            if a.level == Level.EXTREME:
                messages.warning(request, _("Extreme vulnerability: the individual treatment has started. "
                                            "Record the first action before its deadline."))
            return redirect(_case_url(pk, "assessment"))
    c = services.case_read(actor=request.user, scope=scope, case_id=pk)
    if not form.is_bound:
        latest = c.assessments.order_by("-created_at", "-pk").first()
        if latest:
            form = f.AssessmentForm(initial=dict(latest.answers))
    scheme = _scheme()
    weights = scheme.weights or scoring.DEFAULT_WEIGHTS
    questions = [{"name": q, "label": label, "field": form[q], "value": form[q].value() or "",
                  "options": [(v, lab, int(weights.get(q, {}).get(v, 0))) for v, lab in options]}
                 for q, (label, options) in scoring.QUESTIONS.items()]
    return render(request, "cases/assess.html", {
        "form": form, "case": c, "questions": questions, "preview": _preview(request.POST or form.initial, scheme)})


def _preview(data: Any, scheme: AssessmentScheme) -> dict[str, Any]:
    answers = {q: str(data.get(q)) for q, (_l, options) in scoring.QUESTIONS.items()
               if str(data.get(q) or "") in {v for v, _lab in options}}
    result = scoring.score(answers, scheme)
    return {"score": result.score, "max": scoring.max_score(scheme), "level": result.level,
            "level_label": Level(result.level).label, "answered": len(answers), "total": len(scoring.QUESTIONS),
            "floor": scoring.question_label(result.floor) if result.floor else ""}


@login_required
def assess_preview(request: HttpRequest) -> HttpResponse:
    """The score and level as the agent ticks the answers (htmx fragment, nothing written)."""
    scope_of(request).require(E)
    return render(request, "cases/_assess_preview.html", {"preview": _preview(request.GET, _scheme())})


@login_required
@require_POST
def first_action(request: HttpRequest, pk: int) -> HttpResponse:
    _editable_case(scope_of(request), pk)

    def call(scope: Scope, d: dict[str, Any]) -> str:
        services.extreme_first_action(actor=request.user, scope=scope, case_id=pk, note=d["note"])
        return _("First action recorded.")

    return _case_action(request, pk, "first_action", f.NoteForm(request.POST), call)


@login_required
@require_POST
def conference(request: HttpRequest, pk: int) -> HttpResponse:
    _editable_case(scope_of(request), pk)

    def call(scope: Scope, d: dict[str, Any]) -> str:
        services.extreme_conference(actor=request.user, scope=scope, case_id=pk, note=d["note"])
        return _("Case conference recorded.")

    return _case_action(request, pk, "conference", f.ConferenceForm(request.POST), call)


@login_required
@require_POST
def submit_plan(request: HttpRequest, pk: int) -> HttpResponse:
    _editable_case(scope_of(request), pk)

    def call(scope: Scope, d: dict[str, Any]) -> str:
        services.extreme_plan_submit(actor=request.user, scope=scope, case_id=pk, note=d["note"])
        return _("The plan was sent to the delegate for approval.")

    return _case_action(request, pk, "submit_plan", f.PlanSubmitForm(request.POST), call)


@login_required
@require_POST
def goal_add(request: HttpRequest, pk: int) -> HttpResponse:
    _editable_case(scope_of(request), pk)

    def call(scope: Scope, d: dict[str, Any]) -> str:
        services.goal_add(actor=request.user, scope=scope, case_id=pk, text=d["text"])
        return _("Goal added.")

    return _case_action(request, pk, "goal", f.GoalForm(request.POST), call)


@login_required
@require_POST
def task_add(request: HttpRequest, pk: int) -> HttpResponse:
    guard = _editable_case(scope_of(request), pk)
    goals = [(g.pk, g.text) for g in Goal.objects.filter(case_id=pk, state=Goal.State.OPEN)]
    form = f.TaskForm(request.POST, agents=_agents(guard.establishment, keep=guard.agent_id), goals=goals)

    def call(scope: Scope, d: dict[str, Any]) -> str:
        services.task_add(actor=request.user, scope=scope, case_id=pk, kind=d["kind"], title=d["title"],
                          due_on=d["due_on"], assignee_id=d.get("assignee"), goal_id=d.get("goal"))
        return _("Task added.")

    return _case_action(request, pk, "task", form, call, rename={"agent": "assignee"})


@login_required
@require_POST
def review(request: HttpRequest, pk: int) -> HttpResponse:
    _editable_case(scope_of(request), pk)

    def call(scope: Scope, d: dict[str, Any]) -> str:
        r = services.review_record(actor=request.user, scope=scope, case_id=pk, note=d["note"],
                                   next_review_on=d.get("next_review_on"))
        return _("Review recorded. Next review by %(date)s.") % {
            "date": r.next_review_on.strftime("%d/%m/%Y") if r.next_review_on else "—"}

    return _case_action(request, pk, "review", f.ReviewForm(request.POST), call)


@login_required
@require_POST
def placement(request: HttpRequest, pk: int) -> HttpResponse:
    _editable_case(scope_of(request), pk)

    def call(scope: Scope, d: dict[str, Any]) -> str:
        services.placement_request(actor=request.user, scope=scope, case_id=pk,
                                   establishment_id=d.get("establishment") or 0, kind=d["kind"],
                                   starts_on=d.get("starts_on"), note=d["note"],
                                   capacity_override=d["capacity_override"])
        return _("Placement requested: the delegate decides.")

    return _case_action(request, pk, "placement", f.PlacementForm(request.POST), call,
                        rename={"to_establishment": "establishment"})


@login_required
@require_POST
def transfer(request: HttpRequest, pk: int) -> HttpResponse:
    _editable_case(scope_of(request), pk)

    def call(scope: Scope, d: dict[str, Any]) -> str:
        services.transfer_request(actor=request.user, scope=scope, case_id=pk,
                                  to_establishment_id=d.get("to_establishment") or 0, reason=d["reason"])
        return _("Transfer proposed: the receiving establishment answers.")

    return _case_action(request, pk, "transfer", f.TransferForm(request.POST), call)


@login_required
@require_POST
def close(request: HttpRequest, pk: int) -> HttpResponse:
    _editable_case(scope_of(request), pk)

    def call(scope: Scope, d: dict[str, Any]) -> str:
        _c, approval = services.case_close(actor=request.user, scope=scope, case_id=pk,
                                           expected_version=d["version"], reason=d["reason"],
                                           outcome=d["outcome"], note=d["note"])
        if approval is not None:
            return _("The closure of this extreme case was sent to the delegate for approval.")
        return _("Case closed.")

    return _case_action(request, pk, "close", f.CloseForm(request.POST), call)


@login_required
@require_POST
def reopen(request: HttpRequest, pk: int) -> HttpResponse:
    _editable_case(scope_of(request), pk)

    def call(scope: Scope, d: dict[str, Any]) -> str:
        services.case_reopen(actor=request.user, scope=scope, case_id=pk, reason=d["reason"])
        return _("Case reopened.")

    return _case_action(request, pk, "reopen", f.ReasonForm(request.POST), call)


def _child_action(request: HttpRequest, case_id: int, section: str, form: djforms.Form,
                  call: Callable[[Scope, dict[str, Any]], str], rename: dict[str, str] | None = None) -> HttpResponse:
    """Actions on one row of a case (a goal, a task, a placement, a transfer): the row was
    authorised by the caller; a refusal comes back as a message on the case page."""
    scope = scope_of(request)
    if form.is_valid():
        try:
            messages.success(request, call(scope, form.cleaned_data))
        except ValidationError as exc:
            _errors_to_messages(request, exc)
    else:
        _errors_to_messages(request, form.errors)
    return redirect(_next_or(request, _case_url(case_id, section)))


@login_required
@require_POST
def goal_state(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    scope.require(E)
    goal = get_or_404(Goal.objects.filter(case__in=Case.objects.editable_by(scope)).only("pk", "case_id"), pk=pk)

    def call(scope: Scope, d: dict[str, Any]) -> str:
        g = services.goal_set_state(actor=request.user, scope=scope, goal_id=pk, state=d["state"])
        return _("Goal marked “%(state)s”.") % {"state": g.get_state_display()}

    return _child_action(request, goal.case_id, "plan", f.GoalStateForm(request.POST), call)


def _task_for_edit(request: HttpRequest, pk: int) -> Task:
    scope = scope_of(request)
    scope.require(E)
    task: Task = get_or_404(Task.objects.filter(scope.rows_q("establishment", E)).only("pk", "case_id"), pk=pk)
    return task


def _task_line(request: HttpRequest, pk: int, errors: list[str]) -> HttpResponse:
    task = (Task.objects.select_related("case", "case__person", "assignee").filter(pk=pk).first())
    return render(request, "cases/_task_item.html", {"t": task, "errors": errors, "today": timezone.localdate(),
                                                     "next": _next_or(request, "")})


@login_required
@require_POST
def task_done(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task_for_edit(request, pk)
    form = f.TaskDoneForm(request.POST)
    if getattr(request, "htmx", False):
        errors: list[str] = []
        if form.is_valid():
            try:
                services.task_done(actor=request.user, scope=scope_of(request), task_id=pk,
                                   note=form.cleaned_data["note"])
            except ValidationError as exc:
                errors = list(exc.messages)
        return _task_line(request, pk, errors)

    def call(scope: Scope, d: dict[str, Any]) -> str:
        services.task_done(actor=request.user, scope=scope, task_id=pk, note=d["note"])
        return _("Task done.")

    return _child_action(request, task.case_id, "plan", form, call)


@login_required
@require_POST
def task_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task_for_edit(request, pk)

    def call(scope: Scope, d: dict[str, Any]) -> str:
        services.task_cancel(actor=request.user, scope=scope, task_id=pk, reason=d["reason"])
        return _("Task cancelled.")

    return _child_action(request, task.case_id, "plan", f.ReasonForm(request.POST), call)


@login_required
@require_POST
def placement_end(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    scope.require(E)
    p = get_or_404(Placement.objects.filter(case__in=Case.objects.editable_by(scope)).only("pk", "case_id"), pk=pk)

    def call(scope: Scope, d: dict[str, Any]) -> str:
        services.placement_end(actor=request.user, scope=scope, placement_id=pk, reason=d["reason"])
        return _("Placement ended.")

    return _child_action(request, p.case_id, "placements", f.ReasonForm(request.POST), call)


@login_required
@require_POST
def transfer_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    scope.require(E)
    t = get_or_404(Transfer.objects.filter(scope.rows_q("from_establishment", E)).only("pk", "case_id"), pk=pk)

    def call(scope: Scope, d: dict[str, Any]) -> str:
        services.transfer_cancel(actor=request.user, scope=scope, transfer_id=pk)
        return _("Transfer cancelled.")

    return _child_action(request, t.case_id, "transfer", djforms.Form(request.POST), call)


@login_required
@require_POST
def approval_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    scope.require(E)
    a = get_or_404(Approval.objects.filter(scope.rows_q("establishment", E)).only("pk", "case_id"), pk=pk)

    def call(scope: Scope, d: dict[str, Any]) -> str:
        services.approval_withdraw(actor=request.user, scope=scope, approval_id=pk)
        return _("Request withdrawn.")

    return _child_action(request, a.case_id, "approvals", djforms.Form(request.POST), call)


@login_required
def places(request: HttpRequest) -> HttpResponse:
    """Establishments anywhere in the country for the placement and transfer pickers (htmx)."""
    scope_of(request).require(E)
    q = request.GET.get("place_q", "").strip()
    return render(request, "cases/_place_options.html", {
        "places": _places(near=_int(request.GET.get("near")), q=q, exclude=_int(request.GET.get("exclude"))),
        "place_q": q})


# ---- my tasks, the team, approvals, transfers -----------------------------------------------


def _deadline_rows(tracks: list[ExtremeTrack], now: datetime) -> list[dict[str, Any]]:
    rows = []
    for t in tracks:
        if t.first_action_at is None:
            rows.append({"track": t, "what": _("First action"), "due": t.first_action_due,
                         "late": t.first_action_due < now})
        if t.plan_approved_at is None:
            rows.append({"track": t, "what": _("Approved plan"), "due": t.plan_due, "late": t.plan_due < now})
    return sorted(rows, key=lambda r: r["due"])


@login_required
def tasks(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    scope.require(E)
    lst = selectors.tasks_of(scope, request.user.pk or 0)
    return render(request, "cases/tasks.html", {
        "groups": [("overdue", _("Overdue"), lst.overdue), ("today", _("Today"), lst.today),
                   ("upcoming", _("Next two weeks"), lst.upcoming)],
        "deadlines": _deadline_rows(lst.deadlines, timezone.now()),
        "today": timezone.localdate(), "next": reverse("cases:tasks"),
    })


@login_required
def team(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    scope.require(Capability.SUPERVISE)
    ctx = paginate(request, selectors.team_overdue(scope))
    late = list(selectors.late_deadlines(scope)[:50])
    ctx.update({
        "caseload": selectors.caseload(scope), "counts": selectors.status_counts(scope),
        "statuses": Status.choices, "today": timezone.localdate(),
        "late": [r for r in _deadline_rows(late, timezone.now()) if r["late"]],
    })
    return render(request, "cases/team.html", ctx)


@login_required
def approvals(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    scope.require(Capability.APPROVE_EXTREME)
    ctx = paginate(request, selectors.pending_approvals(scope).prefetch_related("case__goals"))
    page = list(ctx["object_list"])
    placements: dict[int, Placement] = {}
    for a in page:
        with contextlib.suppress(Placement.DoesNotExist):
            placements[a.pk] = a.placement
    units = {p.establishment_id for p in placements.values()}
    taken = dict(Placement.objects.filter(establishment_id__in=units, state=Placement.State.ACTIVE)
                 .values_list("establishment_id").annotate(n=Count("pk")).values_list("establishment_id", "n"))
    rows = []
    for a in page:
        p = placements.get(a.pk)
        occupied = taken.get(p.establishment_id, 0) if p else 0
        rows.append({"a": a, "placement": p, "occupied": occupied,
                     "full": bool(p and p.establishment.capacity is not None and occupied >= p.establishment.capacity),
                     "own": a.requested_by_id == request.user.pk,
                     "closure": _closure_labels(a.payload.get("reason", ""), a.payload.get("outcome", ""))
                     if a.kind == Approval.Kind.CLOSURE else "",
                     "goals": [g for g in a.case.goals.all() if g.state == Goal.State.OPEN]
                     if a.kind == Approval.Kind.PLAN else []})
    ctx["rows"] = rows
    return render(request, "cases/approvals.html", ctx)


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    scope.require(Capability.APPROVE_EXTREME)
    a = get_or_404(Approval.objects.filter(scope.rows_q("establishment", Capability.APPROVE_EXTREME))
                   .select_related("case"), pk=pk)
    form = f.DecideForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            done = services.approval_decide(actor=request.user, scope=scope, approval_id=pk,
                                            approve=d["decision"] == "approve", comment=d["comment"],
                                            capacity_override=d["capacity_override"])
        except ValidationError as exc:
            _errors_to_messages(request, exc)
        else:
            messages.success(request, _("%(kind)s for case %(no)s: %(decision)s.") % {
                "kind": done.get_kind_display(), "no": a.case.number, "decision": done.get_decision_display()})
    else:
        _errors_to_messages(request, form.errors)
    return redirect(_next_or(request, reverse("cases:approvals")))


@login_required
def transfers(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    scope.require(V)
    ctx = paginate(request, selectors.incoming_transfers(scope))
    ctx["can_edit"] = scope.can(E)
    return render(request, "cases/transfers.html", ctx)


@login_required
@require_POST
def transfer_decide(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    scope.require(E)
    get_or_404(Transfer.objects.filter(scope.rows_q("to_establishment", E)).only("pk"), pk=pk)
    form = f.TransferDecideForm(request.POST)
    if form.is_valid():
        accept = form.cleaned_data["decision"] == "accept"
        try:
            t = services.transfer_decide(actor=request.user, scope=scope, transfer_id=pk, accept=accept,
                                         reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            _errors_to_messages(request, exc)
        else:
            if accept:
                messages.success(request, _("Transfer accepted: the case is now held by your establishment."))
                return redirect("cases:case", pk=t.case_id)
            messages.success(request, _("Transfer declined."))
    else:
        _errors_to_messages(request, form.errors)
    return redirect("cases:transfers")
