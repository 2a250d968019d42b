"""The printable case file and plan (PDF), in the reader's language.

The read goes through ``services.case_read`` (access policy and access log), and the print
itself is journalled as an export (``case.print``): a paper copy leaves the system.

Everything on the page is fetched with a fixed number of queries, whatever the number of
sessions, goals, tasks or referrals (checked in ``tests/cases/test_pdf.py``). Phone numbers
are not printed, and identity document numbers show their last three characters only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from mowakaba.accounts.scope import scope_of
from mowakaba.audit.models import JournalEntry
from mowakaba.audit.services import journal_write
from mowakaba.cases import assessment as scoring
from mowakaba.cases import services
from mowakaba.cases.models import (
    Assessment,
    Case,
    ClosureOutcome,
    ClosureReason,
    ExtremeTrack,
    Goal,
    Level,
    ListeningSession,
    Need,
    Placement,
    Review,
    Task,
)
from mowakaba.core.pdf import render_pdf
from mowakaba.referrals.models import Referral
from mowakaba.registry.models import IdentityDocument, Person

FOLLOW_UP_KINDS = (Task.Kind.VISIT, Task.Kind.CALL, Task.Kind.MEETING)
VISIBLE_CHARS = 3  # of an identity document number


def mask_number(number: str, visible: int = VISIBLE_CHARS) -> str:
    """``AB123456`` → ``•••••456``: enough to tell documents apart on paper, not to reuse one."""
    n = (number or "").strip()
    if len(n) <= visible:
        return "•" * len(n)
    return "•" * (len(n) - visible) + n[-visible:]


# Labels printed from the models' own field names, so that the file says what the forms say.
LABELLED_FIELDS: dict[str, tuple[Any, tuple[str, ...]]] = {
    "case": (Case, ("establishment", "agent", "status", "level", "score", "urgency", "opened_at", "next_review_on",
                    "summary", "extreme", "closed_at", "closure_reason", "closure_outcome", "closure_note")),
    "person": (Person, ("sex", "birth_date", "birth_year", "commune")),
    "document": (IdentityDocument, ("kind", "number", "status")),
    "session": (ListeningSession, ("channel", "held_at", "account", "reported_by", "urgency")),
    "assessment": (Assessment, ("assessed_on", "score", "computed_level", "level", "override_reason", "notes")),
    "track": (ExtremeTrack, ("opened_at", "first_action_due", "first_action_at", "first_action_note", "plan_due",
                             "conference_at", "conference_note", "plan_submitted_at", "plan_approved_at")),
    "goal": (Goal, ("text", "state")),
    "task": (Task, ("title", "assignee", "due_on", "kind", "note", "done_at")),
    "review": (Review, ("reviewed_on", "note", "next_review_on")),
    "placement": (Placement, ("establishment", "kind", "state", "starts_on", "ends_on", "end_reason")),
    "referral": (Referral, ("target", "status", "sent_at", "answered_at", "outcome", "sector")),
}


def labels() -> dict[str, str]:
    """``{"case_status": "Status", ...}`` in the active language, plus the section titles
    that are the models' plural names."""
    out = {f"{prefix}_{name}": str(capfirst(model._meta.get_field(name).verbose_name))
           for prefix, (model, names) in LABELLED_FIELDS.items() for name in names}
    for key, model in (("sessions", ListeningSession), ("reviews", Review), ("placements", Placement),
                       ("referrals", Referral), ("documents", IdentityDocument)):
        out[key] = str(capfirst(model._meta.verbose_name_plural))
    out["record_no"] = str(capfirst(gettext("record number")))
    return out


def _choice_label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label) if value else ""
    except ValueError:
        return value


@dataclass
class TaskRow:
    task: Task
    state: str  # done, cancelled, overdue, open

    @property
    def assignee(self) -> str:
        return self.task.assignee.display_name if self.task.assignee else ""


@dataclass
class GoalBlock:
    goal: Goal
    tasks: list[TaskRow] = field(default_factory=list)


def _task_row(task: Task, today: date) -> TaskRow:
    if task.done_at is not None:
        state = "done"
    elif task.cancelled:
        state = "cancelled"
    elif task.due_on < today:
        state = "overdue"
    else:
        state = "open"
    return TaskRow(task=task, state=state)


def case_file_context(case: Case, *, today: date | None = None) -> dict[str, Any]:
    """What the case file shows, in the active language. ``case`` comes from ``case_read``
    (with its person, commune, establishment and agent)."""
    today = today or timezone.localdate()
    person = case.person
    sessions = list(ListeningSession.objects.filter(case=case).select_related("agent")
                    .prefetch_related("needs").order_by("held_at", "pk"))
    session_needs = {s.pk: [str(Need(n.need).label) for n in s.needs.all()] for s in sessions}

    assessment = (Assessment.objects.filter(case=case).select_related("scheme", "assessed_by")
                  .order_by("-created_at", "-pk").first())
    answers: list[dict[str, Any]] = []
    max_score = 0
    if assessment is not None:
        weights = assessment.scheme.weights or scoring.DEFAULT_WEIGHTS
        ordered = [q for q in scoring.QUESTIONS if q in assessment.answers]
        ordered += [q for q in assessment.answers if q not in scoring.QUESTIONS]
        for q in ordered:
            a = str(assessment.answers[q])
            answers.append({"question": scoring.question_label(q), "answer": scoring.answer_label(q, a),
                            "points": int(weights.get(q, {}).get(a, 0))})
        max_score = scoring.max_score(assessment.scheme)

    track = (ExtremeTrack.objects.filter(case=case).select_related("plan_approved_by").first()
             if case.extreme else None)

    goals = list(Goal.objects.filter(case=case).order_by("created_at", "pk"))
    blocks = {g.pk: GoalBlock(goal=g) for g in goals}
    other_tasks: list[TaskRow] = []
    follow_ups: list[Task] = []
    tasks = Task.objects.filter(case=case).select_related("assignee", "done_by").order_by("due_on", "pk")
    for t in tasks:
        if t.kind in FOLLOW_UP_KINDS and t.done_at is not None:
            follow_ups.append(t)
            if t.goal_id is None:
                continue  # a follow-up outside the plan's goals is shown with the follow-ups only
        if t.goal_id in blocks:
            blocks[t.goal_id].tasks.append(_task_row(t, today))
        elif t.kind != Task.Kind.REVIEW:
            other_tasks.append(_task_row(t, today))
    follow_ups.sort(key=lambda t: (t.done_at, t.pk))

    reviews = list(Review.objects.filter(case=case).select_related("reviewed_by").order_by("reviewed_on", "pk"))
    placements = list(Placement.objects.filter(case=case).select_related("establishment")
                      .order_by("created_at", "pk"))
    referrals = list(Referral.objects.filter(case=case).select_related("to_establishment", "to_partner")
                     .order_by("sent_at", "pk"))
    documents = list(person.documents.order_by("kind", "pk"))
    groups = [g.get_group_display() for g in case.groups.order_by("group")]

    return {
        "case": case,
        "person": person,
        "today": today,
        "groups": groups,
        "documents": [{"kind": d.get_kind_display(), "number": mask_number(d.number),
                       "status": d.get_status_display()} for d in documents],
        "sessions": [{"session": s, "needs": session_needs[s.pk]} for s in sessions],
        "assessment": assessment,
        "answers": answers,
        "max_score": max_score,
        "track": track,
        "goals": list(blocks.values()),
        "other_tasks": other_tasks,
        "follow_ups": follow_ups,
        "reviews": reviews,
        "placements": placements,
        "referrals": [{"referral": r, "need": _choice_label(Need, r.need)} for r in referrals],
        "closure_reason": _choice_label(ClosureReason, case.closure_reason),
        "closure_outcome": _choice_label(ClosureOutcome, case.closure_outcome),
        "level": _choice_label(Level, case.level),
        "labels": labels(),
    }


def _language(request: HttpRequest) -> str:
    supported = {code for code, _name in settings.LANGUAGES}
    for lang in (getattr(request, "LANGUAGE_CODE", ""), getattr(request.user, "language", "")):
        if lang in supported:
            return str(lang)
    return str(settings.LANGUAGE_CODE)


@never_cache
@require_GET
@login_required
def case_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The case file and plan as a PDF, shown in the browser (``inline``) to print or save."""
    user: Any = request.user
    scope = scope_of(request)
    language = _language(request)
    with translation.override(language):
        case = services.case_read(actor=user, scope=scope, case_id=pk)
        context = case_file_context(case)
        printed_by = user.display_name
    pdf = render_pdf("cases/pdf/case_file.html", context, language=language, printed_by=printed_by)
    journal_write(actor=user, action="case.print", obj=case, object_repr=case.number,
                  org_unit_id=case.establishment_id, kind=JournalEntry.Kind.EXPORT,
                  changes={"language": language})
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{case.number}.pdf"'
    return response
