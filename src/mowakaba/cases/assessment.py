"""The structured social assessment and its vulnerability score.

The questions (DOMAIN §4, step 4: family, resources, housing, health and disability, schooling,
documents, RSU registration, protection) are fixed in code because forms and reports name them;
their **weights**, the **thresholds** between levels and the **floors** (an answer that sets a
minimum level whatever the sum, such as immediate danger) are data in ``AssessmentScheme``.

The score advises; the agent may retain another level with a reason, and that is recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mowakaba.cases.models import LEVEL_ORDER, AssessmentScheme, Level

# question -> (label, [(answer, label)]) in the order the form shows them.
QUESTIONS: dict[str, tuple[Promise, list[tuple[str, Promise]]]] = {
    "family": (gettext_lazy("Family situation"), [
        ("with_family", gettext_lazy("Lives with supportive family")),
        ("single_parent", gettext_lazy("Single parent")),
        ("conflict", gettext_lazy("Serious family conflict")),
        ("isolated", gettext_lazy("Isolated, little contact")),
        ("no_family", gettext_lazy("No family support at all")),
    ]),
    "resources": (gettext_lazy("Resources"), [
        ("sufficient", gettext_lazy("Regular income that covers basic needs")),
        ("irregular", gettext_lazy("Irregular or insufficient income")),
        ("none", gettext_lazy("No income")),
    ]),
    "housing": (gettext_lazy("Housing"), [
        ("stable", gettext_lazy("Stable housing")),
        ("precarious", gettext_lazy("Precarious (basic dwelling, slum, overcrowded)")),
        ("shelter", gettext_lazy("Temporary shelter or hosted")),
        ("street", gettext_lazy("Street, no shelter")),
    ]),
    "health": (gettext_lazy("Health"), [
        ("good", gettext_lazy("No particular problem")),
        ("chronic", gettext_lazy("Chronic illness, treated")),
        ("needs_care", gettext_lazy("Needs regular care or help in daily life")),
        ("urgent", gettext_lazy("Urgent medical need")),
    ]),
    "disability": (gettext_lazy("Disability"), [
        ("none", gettext_lazy("None")),
        ("moderate", gettext_lazy("Disability, some autonomy")),
        ("severe", gettext_lazy("Severe disability, dependent")),
    ]),
    "schooling": (gettext_lazy("Schooling (children)"), [
        ("not_applicable", gettext_lazy("Not applicable")),
        ("enrolled", gettext_lazy("Enrolled and attending")),
        ("at_risk", gettext_lazy("At risk of dropping out")),
        ("dropped_out", gettext_lazy("Dropped out")),
        ("never", gettext_lazy("Never enrolled")),
    ]),
    "documents": (gettext_lazy("Documents"), [
        ("complete", gettext_lazy("CIN and civil status in order")),
        ("missing_cin", gettext_lazy("No national identity card")),
        ("no_civil_status", gettext_lazy("Not registered in civil status")),
    ]),
    "rsu": (gettext_lazy("RSU registration"), [
        ("registered", gettext_lazy("Registered in the RSU")),
        ("in_progress", gettext_lazy("Registration under way")),
        ("not_registered", gettext_lazy("Not registered")),
    ]),
    "protection": (gettext_lazy("Protection concerns"), [
        ("none", gettext_lazy("None known")),
        ("risk", gettext_lazy("Risk of abuse or exploitation")),
        ("violence", gettext_lazy("Victim of violence")),
        ("immediate_danger", gettext_lazy("In immediate danger")),
    ]),
}

DEFAULT_WEIGHTS: dict[str, dict[str, int]] = {
    "family": {"with_family": 0, "single_parent": 2, "conflict": 3, "isolated": 4, "no_family": 5},
    "resources": {"sufficient": 0, "irregular": 2, "none": 4},
    "housing": {"stable": 0, "precarious": 2, "shelter": 3, "street": 6},
    "health": {"good": 0, "chronic": 2, "needs_care": 4, "urgent": 6},
    "disability": {"none": 0, "moderate": 2, "severe": 4},
    "schooling": {"not_applicable": 0, "enrolled": 0, "at_risk": 2, "dropped_out": 3, "never": 4},
    "documents": {"complete": 0, "missing_cin": 2, "no_civil_status": 3},
    "rsu": {"registered": 0, "in_progress": 1, "not_registered": 2},
    "protection": {"none": 0, "risk": 4, "violence": 6, "immediate_danger": 10},
}
# The lowest score of each level above "low".
DEFAULT_THRESHOLDS: dict[str, Any] = {
    "medium": 6, "high": 12, "extreme": 18,
    # Answers that set a minimum level on their own.
    "floors": {"protection": {"immediate_danger": "extreme", "violence": "high"},
               "housing": {"street": "high"}, "health": {"urgent": "high"}},
}


def active_scheme() -> AssessmentScheme:
    scheme = AssessmentScheme.objects.filter(active=True).order_by("-pk").first()
    if scheme is None:
        scheme = AssessmentScheme.objects.create(name="Default 2026", weights=DEFAULT_WEIGHTS,
                                                 thresholds=DEFAULT_THRESHOLDS)
    return scheme


@dataclass(frozen=True)
class Result:
    score: int
    level: str
    # (question, answer, points) for each answer that counted, to explain the score.
    parts: tuple[tuple[str, str, int], ...]
    floor: str = ""


def clean_answers(raw: dict[str, Any]) -> dict[str, str]:
    answers: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    for q, (_label, options) in QUESTIONS.items():
        value = str(raw.get(q) or "").strip()
        if not value:
            errors[q] = [_("Choose an answer (or the first one if nothing applies).")]
        elif value not in {o for o, _l in options}:
            errors[q] = [_("This answer is not in the list.")]
        else:
            answers[q] = value
    if errors:
        raise ValidationError(errors)
    return answers


def score(answers: dict[str, str], scheme: AssessmentScheme) -> Result:
    weights = scheme.weights or DEFAULT_WEIGHTS
    thresholds = scheme.thresholds or DEFAULT_THRESHOLDS
    parts = tuple((q, a, int(weights.get(q, {}).get(a, 0))) for q, a in answers.items())
    total = sum(p for _q, _a, p in parts)
    level = Level.LOW
    for name in (Level.MEDIUM, Level.HIGH, Level.EXTREME):
        if total >= int(thresholds.get(name, 10**6)):
            level = name
    floor = ""
    for q, by_answer in (thresholds.get("floors") or {}).items():
        f = by_answer.get(answers.get(q, ""))
        if f and LEVEL_ORDER.index(f) > LEVEL_ORDER.index(level):
            level, floor = f, q
    return Result(score=total, level=str(level), parts=parts, floor=floor)


def max_score(scheme: AssessmentScheme) -> int:
    weights = scheme.weights or DEFAULT_WEIGHTS
    return sum(max(v.values()) for v in weights.values() if v)


def question_label(q: str) -> str:
    return str(QUESTIONS[q][0]) if q in QUESTIONS else q


def answer_label(q: str, a: str) -> str:
    for value, label in QUESTIONS.get(q, ("", []))[1]:
        if value == a:
            return str(label)
    return a
