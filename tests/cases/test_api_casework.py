"""Casework over the API, as a mobile client or a partner system uses it: the same journey and the
same refusals as the pages, through the same services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from mowakaba.accounts.models import ApiToken, Assignment, Role, User
from mowakaba.audit.models import JournalEntry
from mowakaba.cases import assessment as scoring
from mowakaba.cases.models import (
    Approval,
    Assessment,
    Case,
    Goal,
    ListeningSession,
    Placement,
    Task,
    Transfer,
)
from mowakaba.notifications.models import Notification
from mowakaba.referrals.models import Referral
from mowakaba.territory.models import OrgUnit
from tests.conftest import client_for

JSON = "application/json"
LOW = {"family": "with_family", "resources": "sufficient", "housing": "stable", "health": "good",
       "disability": "none", "schooling": "not_applicable", "documents": "complete", "rsu": "registered",
       "protection": "none"}


def token_client(user: Any) -> Client:
    _token, raw = ApiToken.issue(user=user, name="tablet")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def home(user: Any) -> OrgUnit:
    return OrgUnit.objects.get(assignments__user=user, kind=OrgUnit.Kind.ESTABLISHMENT)


def neighbour(unit: OrgUnit) -> tuple[OrgUnit, User]:
    """Another establishment of the institution in the same delegation, and one of its agents."""
    other = (OrgUnit.objects.filter(parent_id=unit.parent_id, kind=OrgUnit.Kind.ESTABLISHMENT, active=True,
                                    partner__isnull=True,
                                    assignments__in=Assignment.objects.active().filter(role=Role.AGENT))
             .exclude(pk=unit.pk).order_by("pk").distinct().first())
    assert other is not None
    agent = User.objects.filter(assignments__org_unit=other, assignments__role=Role.AGENT).order_by("pk").first()
    assert agent is not None
    return other, agent


def post(client: Client, url: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(url, data=body or {}, content_type=JSON)


def open_case(client: Client, establishment: OrgUnit, **extra: Any) -> int:
    body = {"establishment_id": establishment.pk, "channel": "walk_in", "needs": ["shelter", "food"],
            "new_person": {"given_name_ar": "فاطمة", "family_name_ar": "العلوي", "sex": "F", "birth_year": 1960},
            "consent_given": True, "open_case": True, "groups": ["woman", "elderly"], **extra}
    r = post(client, "/api/cases/listening", body)
    assert r.status_code == 201, r.content
    return int(r.json()["case_id"])


def world() -> tuple[Any, ...]:
    """Everything a casework call can write; equal before and after means nothing changed."""
    return (
        JournalEntry.objects.exclude(kind=JournalEntry.Kind.AUTH).count(), ListeningSession.objects.count(),
        tuple(Case.objects.order_by("pk").values_list("pk", "version", "status", "level", "agent_id",
                                                      "establishment_id", "summary", "closed_at")),
        Assessment.objects.count(), tuple(Goal.objects.order_by("pk").values_list("state")),
        tuple(Task.objects.order_by("pk").values_list("done_at", "cancelled")),
        tuple(Approval.objects.order_by("pk").values_list("decision")),
        tuple(Placement.objects.order_by("pk").values_list("state")),
        tuple(Transfer.objects.order_by("pk").values_list("status")),
        tuple(Referral.objects.order_by("pk").values_list("status")),
        Notification.objects.count(), Notification.objects.filter(read_at=None).count(),
    )


# ---- the journey ----------------------------------------------------------------------------------


def test_journey_listening_assessment_referral_follow_up_closure(agent_casablanca: Any) -> None:
    agent = token_client(agent_casablanca)
    est = home(agent_casablanca)
    other, other_agent = neighbour(est)
    case_id = open_case(agent, est)

    scheme = agent.get("/api/cases/assessment-scheme").json()
    assert [q["key"] for q in scheme["questions"]] == list(scoring.QUESTIONS)
    with translation.override("ar"):
        assert scheme["questions"][0]["label"] == str(scoring.QUESTIONS["family"][0])
    assert scheme["thresholds"] == {"medium": 6, "high": 12, "extreme": 18}

    answers = {**LOW, "family": "isolated", "resources": "none", "housing": "precarious", "health": "chronic",
               "rsu": "not_registered"}
    a = post(agent, f"/api/cases/{case_id}/assessments", {"answers": answers})
    assert a.status_code == 201, a.content
    assert a.json() | {"id": 0, "assessed_on": ""} == {
        "id": 0, "case_id": case_id, "assessed_on": "", "score": 14, "computed_level": "high", "level": "high",
        "override_reason": "", "extreme": False}

    sent = post(agent, "/api/referrals/", {"case_id": case_id, "target": "internal", "to_establishment_id": other.pk,
                                           "reason": "Hébergement", "need": "shelter"})
    assert sent.status_code == 201, sent.content
    ref = sent.json()
    assert ref["status"] == "sent" and ref["to_establishment"]["id"] == other.pk and ref["person"] is not None
    assert agent.get(f"/api/cases/{case_id}").json()["status"] == "referred"

    # A user of the receiving establishment finds it in their inbox and accepts it.
    receiver = token_client(other_agent)
    inbox = receiver.get("/api/referrals/inbox", {"state": "sent"}).json()
    assert ref["id"] in [r["id"] for r in inbox["items"]] and inbox["count"] >= 1
    row = next(r for r in inbox["items"] if r["id"] == ref["id"])
    assert row["person"]["display_name"] == "فاطمة العلوي"
    accepted = post(receiver, f"/api/referrals/{ref['id']}/accept", {"note": "Place réservée"})
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"

    goal = post(agent, f"/api/cases/{case_id}/goals", {"text": "Logement stable"})
    assert goal.status_code == 201
    task = post(agent, f"/api/cases/{case_id}/tasks", {"kind": "visit", "title": "Visite à domicile",
                                                       "due_on": timezone.localdate().isoformat(),
                                                       "goal_id": goal.json()["id"]})
    assert task.status_code == 201, task.content
    mine = agent.get("/api/cases/tasks/mine").json()
    assert task.json()["id"] in [t["id"] for t in mine["today"]]
    assert next(t for t in mine["today"] if t["id"] == task.json()["id"])["case"]["id"] == case_id
    done = post(agent, f"/api/cases/tasks/{task.json()['id']}/done", {"note": "Vue à domicile, va mieux"})
    assert done.status_code == 200 and done.json()["done_at"]

    file = agent.get(f"/api/cases/{case_id}").json()
    assert file["status"] == "follow_up" and file["level"] == "high" and file["score"] == 14
    assert file["groups"] == ["elderly", "woman"] and file["establishment"]["id"] == est.pk
    assert file["person"]["display_name"] == "فاطمة العلوي" and file["person"]["record_no"]
    assert file["agent"]["id"] == agent_casablanca.pk and file["extreme_track"] is None
    assert [g["text"] for g in file["goals"]] == ["Logement stable"] and file["open_tasks"] == []
    assert [r["status"] for r in file["referrals"]] == ["accepted"]
    assert JournalEntry.objects.filter(action="case.read", object_id=str(case_id), kind="read").exists()

    # Still accepted, not completed: the person would be lost between two services.
    before = world()
    refused = post(agent, f"/api/cases/{case_id}/close", {"expected_version": file["version"],
                                                          "reason": "goals_met", "outcome": "improved"})
    assert refused.status_code == 400 and refused.json()["errors"]["__all__"]
    assert world() == before

    completed = post(receiver, f"/api/referrals/{ref['id']}/complete", {"outcome": "admitted"})
    assert completed.status_code == 200 and completed.json()["status"] == "completed"

    closed = post(agent, f"/api/cases/{case_id}/close", {"expected_version": file["version"],
                                                         "reason": "goals_met", "outcome": "improved", "note": "ok"})
    assert closed.status_code == 200, closed.content
    assert closed.json()["closed"] is True and closed.json()["approval"] is None
    assert closed.json()["case"]["status"] == "closed"

    listed = agent.get("/api/cases/", {"status": "closed", "mine": True}).json()
    assert case_id in [c["id"] for c in listed["items"]]
    actions = [e["action"] for e in agent.get(f"/api/cases/{case_id}/timeline").json()]
    for action in ("case.open", "case.assess", "referral.send", "referral.accept", "plan.task_done", "case.close"):
        assert action in actions

    # The answers to the referral came back to the agent as notifications, in their language.
    notes = agent.get("/api/notifications/", {"unread": True}).json()
    assert notes["count"] >= 2 and all(n["text"] for n in notes["items"])
    assert any(ref["number"] in n["text"] for n in notes["items"])
    marked = post(agent, "/api/notifications/read", {"all": True}).json()["marked"]
    assert marked == notes["count"]
    assert agent.get("/api/notifications/", {"unread": True}).json()["count"] == 0

    reopened = post(agent, f"/api/cases/{case_id}/reopen", {"reason": "Nouvelle demande"})
    assert reopened.status_code == 200 and reopened.json()["closed_at"] is None


def test_extreme_track_with_the_delegate_approving(agent_casablanca: Any, delegate_casablanca: Any) -> None:
    agent, delegate = token_client(agent_casablanca), client_for(delegate_casablanca)
    est = home(agent_casablanca)
    case_id = open_case(agent, est, urgency="life")
    a = post(agent, f"/api/cases/{case_id}/assessments", {"answers": {**LOW, "protection": "immediate_danger"}})
    assert a.json()["level"] == "extreme" and a.json()["extreme"] is True

    track = agent.get(f"/api/cases/{case_id}").json()["extreme_track"]
    assert track["first_action_at"] is None and not track["first_action_late"]
    assert track["first_action_due"] < track["plan_due"]
    assert case_id in [c["id"] for c in agent.get("/api/cases/", {"extreme": True}).json()["items"]]
    deadlines = agent.get("/api/cases/tasks/mine").json()["deadlines"]
    assert case_id in [d["case"]["id"] for d in deadlines]

    assert post(agent, f"/api/cases/{case_id}/first-action", {"note": "Mise à l'abri"}).json()["first_action_at"]
    assert post(agent, f"/api/cases/{case_id}/conference", {"note": "Plan décidé"}).json()["conference_at"]
    # No goal yet: nothing to approve.
    assert post(agent, f"/api/cases/{case_id}/submit-plan").status_code == 400
    post(agent, f"/api/cases/{case_id}/goals", {"text": "Protection"})
    submitted = post(agent, f"/api/cases/{case_id}/submit-plan", {"note": "Urgent"})
    assert submitted.status_code == 201 and submitted.json()["decision"] == "pending"
    approval_id = submitted.json()["id"]

    # The agent may not decide; the queue and the decision are the delegate's.
    assert agent.get("/api/cases/approvals").status_code == 404
    assert post(agent, f"/api/cases/approvals/{approval_id}/decision", {"approve": True}).status_code == 404
    queue = delegate.get("/api/cases/approvals").json()
    row = next(r for r in queue["items"] if r["id"] == approval_id)
    assert row["kind"] == "plan" and row["case"]["id"] == case_id and row["placement_establishment"] is None
    refusal = post(delegate, f"/api/cases/approvals/{approval_id}/decision", {"approve": False})
    assert refusal.status_code == 400 and "comment" in refusal.json()["errors"]
    ok = post(delegate, f"/api/cases/approvals/{approval_id}/decision", {"approve": True, "comment": "Validé"})
    assert ok.status_code == 200 and ok.json()["decision"] == "approved"
    file = agent.get(f"/api/cases/{case_id}").json()
    assert file["extreme_track"]["plan_approved_at"] and file["status"] == "in_care"

    placed = post(agent, f"/api/cases/{case_id}/placements", {"establishment_id": est.pk,
                                                              "capacity_override": "Urgence vitale"})
    assert placed.status_code == 201 and placed.json()["state"] == "requested"
    post(delegate, f"/api/cases/approvals/{placed.json()['approval_id']}/decision", {"approve": True})
    file = agent.get(f"/api/cases/{case_id}").json()
    assert file["status"] == "placed" and file["placements"][0]["state"] == "active"
    ended = post(agent, f"/api/cases/placements/{placed.json()['id']}/end", {"reason": "Retour en famille"})
    assert ended.status_code == 200 and ended.json()["state"] == "ended"

    pending = post(agent, f"/api/cases/{case_id}/close", {"expected_version": file["version"],
                                                          "reason": "goals_met", "outcome": "reintegrated"})
    assert pending.status_code == 200
    assert pending.json()["closed"] is False and pending.json()["approval"]["kind"] == "closure"
    post(delegate, f"/api/cases/approvals/{pending.json()['approval']['id']}/decision", {"approve": True})
    assert agent.get(f"/api/cases/{case_id}").json()["status"] == "closed"


def test_a_stale_patch_is_409_and_changes_nothing(agent_casablanca: Any) -> None:
    client = client_for(agent_casablanca)
    case_id = open_case(client, home(agent_casablanca))
    ok = client.patch(f"/api/cases/{case_id}", data={"expected_version": 1, "summary": "Première lecture",
                                                     "urgency": "high", "groups": ["woman"]}, content_type=JSON)
    assert ok.status_code == 200, ok.content
    assert ok.json()["version"] == 2 and ok.json()["urgency"] == "high" and ok.json()["groups"] == ["woman"]
    before = world()
    stale = client.patch(f"/api/cases/{case_id}", data={"expected_version": 1, "summary": "Écrasé"},
                         content_type=JSON)
    assert stale.status_code == 409 and stale.json()["detail"]
    assert world() == before
    assert Case.objects.get(pk=case_id).summary == "Première lecture"


def test_the_agent_of_a_case_can_be_changed_only_to_someone_of_its_establishment(
        agent_casablanca: Any, manager_casablanca: Any, agent_tanger: Any) -> None:
    client = client_for(manager_casablanca)
    case_id = open_case(client_for(agent_casablanca), home(agent_casablanca))
    before = world()
    for stranger in (agent_tanger.pk, 10**9):
        r = client.patch(f"/api/cases/{case_id}", data={"expected_version": 1, "agent_id": stranger},
                         content_type=JSON)
        assert r.status_code == 400 and "agent" in r.json()["errors"]
    assert world() == before
    r = client.patch(f"/api/cases/{case_id}", data={"expected_version": 1, "agent_id": manager_casablanca.pk},
                     content_type=JSON)
    assert r.status_code == 200 and r.json()["agent"]["id"] == manager_casablanca.pk


@pytest.mark.parametrize("language", ["ar", "fr"])
def test_bad_input_is_400_with_messages_in_the_callers_language_and_nothing_changes(
        agent_casablanca: Any, language: str) -> None:
    agent_casablanca.language = language
    agent_casablanca.save(update_fields=["language"])
    client = token_client(agent_casablanca)
    est = home(agent_casablanca)
    case_id = open_case(client, est)
    before = world()
    detail = {"ar": "تم رفض الطلب.", "fr": "La demande a été refusée."}[language]

    r = post(client, "/api/cases/listening", {"establishment_id": est.pk, "channel": "", "needs": ["shelter"]})
    assert r.status_code == 400 and r.json()["detail"] == detail
    with translation.override(language):
        assert r.json()["errors"]["channel"] == [_("Choose how the person came to us.")]

    r = post(client, "/api/cases/listening", {"establishment_id": est.pk, "channel": "walk_in", "needs": ["shelter"],
                                              "new_person": {"pseudonym": "X"}, "open_case": True})
    with translation.override(language):
        assert r.status_code == 400 and r.json()["errors"]["consent_given"] == [
            _("Opening a case needs the person's consent to case work, unless their life is in danger.")]

    r = post(client, f"/api/cases/{case_id}/assessments", {"answers": {"family": "nonsense"}})
    assert r.status_code == 400 and set(r.json()["errors"]) == set(scoring.QUESTIONS)

    r = post(client, f"/api/cases/{case_id}/assessments", {"answers": LOW, "level": "extreme"})
    assert r.status_code == 400 and "override_reason" in r.json()["errors"]

    r = client.patch(f"/api/cases/{case_id}", data={"expected_version": 1, "urgency": "whenever"}, content_type=JSON)
    assert r.status_code == 400 and "urgency" in r.json()["errors"]

    r = post(client, f"/api/cases/{case_id}/tasks", {"kind": "dance", "title": "x", "due_on": "2030-01-01"})
    assert r.status_code == 400 and "kind" in r.json()["errors"]

    r = post(client, "/api/referrals/", {"case_id": case_id, "target": "external", "external_service": "Hôpital",
                                         "reason": "Soins"})
    assert r.status_code == 400  # no consent to sharing recorded

    r = post(client, "/api/cases/listening", {"establishment_id": est.pk, "channel": "walk_in",
                                              "needs": ["shelter"], "commune_id": 10**9})
    assert r.status_code == 400 and "commune_id" in r.json()["errors"]

    assert post(client, "/api/notifications/read", {}).status_code == 400
    assert client.get("/api/referrals/inbox", {"state": "lost"}).status_code == 400
    # A malformed body is refused by the schema before any service runs.
    assert post(client, f"/api/cases/{case_id}/tasks", {"kind": "visit", "due_on": "soon"}).status_code == 422
    assert world() == before


def test_a_declined_referral_no_longer_shows_the_person_to_the_receiving_side(agent_casablanca: Any) -> None:
    agent = client_for(agent_casablanca)
    est = home(agent_casablanca)
    other, other_agent = neighbour(est)
    receiver = client_for(other_agent)
    case_id = open_case(agent, est)
    ref = post(agent, "/api/referrals/", {"case_id": case_id, "target": "internal", "to_establishment_id": other.pk,
                                          "reason": "Hébergement"}).json()
    assert receiver.get(f"/api/referrals/{ref['id']}").json()["person"]["id"] == ref["person"]["id"]
    assert post(receiver, f"/api/referrals/{ref['id']}/decline", {}).status_code == 400
    declined = post(receiver, f"/api/referrals/{ref['id']}/decline", {"reason": "Complet"})
    assert declined.status_code == 200 and declined.json()["status"] == "declined"
    assert declined.json()["person"] is None
    assert receiver.get(f"/api/referrals/{ref['id']}").json()["person"] is None
    assert receiver.get("/api/referrals/inbox", {"state": "declined"}).json()["items"][0]["person"] is None
    assert agent.get(f"/api/referrals/{ref['id']}").json()["person"]["id"] == ref["person"]["id"]
    assert agent.get("/api/referrals/sent").json()["items"][0]["decline_reason"] == "Complet"
    assert JournalEntry.objects.filter(action="referral.read", object_id=str(ref["id"]), kind="read").count() == 3


# ---- transfers ------------------------------------------------------------------------------------


def test_a_transfer_moves_the_case_to_the_establishment_that_accepts_it(agent_casablanca: Any) -> None:
    sender = client_for(agent_casablanca)
    est = home(agent_casablanca)
    other, other_agent = neighbour(est)
    receiver = client_for(other_agent)
    case_id = open_case(sender, est)
    assert receiver.get(f"/api/cases/{case_id}").status_code == 404

    first = post(sender, f"/api/cases/{case_id}/transfers", {"to_establishment_id": other.pk, "reason": "Déménagé"})
    assert first.status_code == 201 and first.json()["status"] == "pending"
    assert post(sender, f"/api/cases/transfers/{first.json()['id']}/cancel").json()["status"] == "cancelled"

    t = post(sender, f"/api/cases/{case_id}/transfers", {"to_establishment_id": other.pk, "reason": "Déménagé"}).json()
    incoming = receiver.get("/api/cases/transfers/incoming").json()
    row = next(r for r in incoming["items"] if r["id"] == t["id"])
    assert row["case"]["id"] == case_id and row["from_establishment"]["id"] == est.pk
    # The sender cannot answer for the receiving side.
    assert post(sender, f"/api/cases/transfers/{t['id']}/decision", {"accept": True}).status_code == 404
    assert post(receiver, f"/api/cases/transfers/{t['id']}/decision", {"accept": False}).status_code == 400
    ok = post(receiver, f"/api/cases/transfers/{t['id']}/decision", {"accept": True})
    assert ok.status_code == 200 and ok.json()["status"] == "accepted"
    file = receiver.get(f"/api/cases/{case_id}").json()
    assert file["establishment"]["id"] == other.pk and file["agent"]["id"] == other_agent.pk
    assert sender.get(f"/api/cases/{case_id}").status_code == 404


def test_supervisor_views(manager_casablanca: Any, agent_casablanca: Any) -> None:
    open_case(client_for(agent_casablanca), home(agent_casablanca))
    rows = client_for(manager_casablanca).get("/api/cases/team/caseload").json()
    assert any(r["agent_id"] == agent_casablanca.pk and r["open"] >= 1 for r in rows)
    assert client_for(agent_casablanca).get("/api/cases/team/caseload").status_code == 404


# ---- who sees what ------------------------------------------------------------------------------------


def _casablanca_records(agent_casablanca: Any) -> dict[str, int]:
    """One of everything an id endpoint can name, all in Casablanca."""
    agent = client_for(agent_casablanca)
    est = home(agent_casablanca)
    other, _other_agent = neighbour(est)
    case_id = open_case(agent, est)
    extreme_id = open_case(agent, est)
    post(agent, f"/api/cases/{extreme_id}/assessments", {"answers": {**LOW, "protection": "immediate_danger"}})
    post(agent, f"/api/cases/{extreme_id}/goals", {"text": "Protection"})
    approval = post(agent, f"/api/cases/{extreme_id}/submit-plan").json()["id"]
    goal = post(agent, f"/api/cases/{case_id}/goals", {"text": "Logement"}).json()["id"]
    task = post(agent, f"/api/cases/{case_id}/tasks", {"kind": "action", "title": "Appeler",
                                                       "due_on": timezone.localdate().isoformat()}).json()["id"]
    placement = post(agent, f"/api/cases/{case_id}/placements", {"establishment_id": est.pk,
                                                                 "capacity_override": "x"}).json()["id"]
    transfer = post(agent, f"/api/cases/{extreme_id}/transfers", {"to_establishment_id": other.pk,
                                                                  "reason": "x"}).json()["id"]
    referral = post(agent, "/api/referrals/", {"case_id": case_id, "target": "internal",
                                               "to_establishment_id": other.pk, "reason": "x"}).json()["id"]
    return {"case": case_id, "extreme": extreme_id, "approval": approval, "goal": goal, "task": task,
            "placement": placement, "transfer": transfer, "referral": referral}


def _id_calls(ids: dict[str, int]) -> list[tuple[str, str, dict[str, Any]]]:
    c, r = ids["case"], ids["referral"]
    today = timezone.localdate().isoformat()
    return [
        ("get", f"/api/cases/{c}", {}),
        ("patch", f"/api/cases/{c}", {"expected_version": 1, "summary": "x"}),
        ("get", f"/api/cases/{c}/timeline", {}),
        ("post", f"/api/cases/{c}/assessments", {"answers": LOW}),
        ("post", f"/api/cases/{ids['extreme']}/first-action", {"note": "x"}),
        ("post", f"/api/cases/{ids['extreme']}/conference", {"note": "x"}),
        ("post", f"/api/cases/{ids['extreme']}/submit-plan", {"note": "x"}),
        ("post", f"/api/cases/approvals/{ids['approval']}/decision", {"approve": True, "comment": "x"}),
        ("post", f"/api/cases/{c}/goals", {"text": "x"}),
        ("patch", f"/api/cases/goals/{ids['goal']}", {"state": "met"}),
        ("post", f"/api/cases/{c}/tasks", {"kind": "action", "title": "x", "due_on": today}),
        ("post", f"/api/cases/tasks/{ids['task']}/done", {"note": "x"}),
        ("post", f"/api/cases/tasks/{ids['task']}/cancel", {"reason": "x"}),
        ("post", f"/api/cases/{c}/reviews", {"note": "x"}),
        ("post", f"/api/cases/{c}/placements", {"establishment_id": 1, "capacity_override": "x"}),
        ("post", f"/api/cases/placements/{ids['placement']}/end", {"reason": "x"}),
        ("post", f"/api/cases/{c}/close", {"expected_version": 1, "reason": "goals_met", "outcome": "improved"}),
        ("post", f"/api/cases/{c}/reopen", {"reason": "x"}),
        ("post", f"/api/cases/{c}/transfers", {"to_establishment_id": 1, "reason": "x"}),
        ("post", f"/api/cases/transfers/{ids['transfer']}/decision", {"accept": True}),
        ("post", f"/api/cases/transfers/{ids['transfer']}/cancel", {}),
        ("get", f"/api/referrals/{r}", {}),
        ("post", f"/api/referrals/{r}/accept", {}),
        ("post", f"/api/referrals/{r}/decline", {"reason": "x"}),
        ("post", f"/api/referrals/{r}/complete", {"outcome": "served"}),
        ("post", f"/api/referrals/{r}/revoke", {"reason": "x"}),
    ]


def test_every_id_endpoint_is_covered_here() -> None:
    from mowakaba.api import api

    paths = api.get_openapi_schema()["paths"]
    ours = {(m, p) for p, ops in paths.items() if "{" in p and p.startswith(("/api/cases", "/api/referrals"))
            for m in ops}
    names = {"case": "case_id", "extreme": "case_id", "approval": "approval_id", "goal": "goal_id",
             "task": "task_id", "placement": "placement_id", "transfer": "transfer_id", "referral": "referral_id"}
    ids = {key: 1000 + i for i, key in enumerate(names)}
    by_id = {str(v): f"{{{names[k]}}}" for k, v in ids.items()}
    called = {(method, "/".join(by_id.get(part, part) for part in url.split("/")))
              for method, url, _body in _id_calls(ids)}
    assert called == ours


def test_an_agent_of_tanger_gets_404_on_every_id_endpoint(agent_casablanca: Any, agent_tanger: Any) -> None:
    ids = _casablanca_records(agent_casablanca)
    for client in (token_client(agent_tanger), client_for(agent_tanger)):
        before = world()
        for method, url, body in _id_calls(ids):
            r = getattr(client, method)(url, data=body, content_type=JSON) if method != "get" else client.get(url)
            assert r.status_code == 404, (method, url, r.content)
        assert world() == before
    # The same calls are not 404 for everyone: the owner reads the case and the referral.
    owner = client_for(agent_casablanca)
    assert owner.get(f"/api/cases/{ids['case']}").status_code == 200
    assert owner.get(f"/api/referrals/{ids['referral']}").status_code == 200


def test_an_authority_viewer_sees_no_casework(agent_casablanca: Any, authority_viewer: Any) -> None:
    ids = _casablanca_records(agent_casablanca)
    client = token_client(authority_viewer)
    before = world()
    for method, url, body in _id_calls(ids):
        r = getattr(client, method)(url, data=body, content_type=JSON) if method != "get" else client.get(url)
        assert r.status_code == 404, (method, url)
    for url in ("/api/cases/", "/api/cases/transfers/incoming", "/api/referrals/inbox", "/api/referrals/sent",
                "/api/notifications/"):
        r = client.get(url)
        assert r.status_code == 200 and r.json() == {"items": [], "count": 0}, url
    assert client.get("/api/cases/", {"q": "فاطمة"}).json()["count"] == 0
    assert client.get("/api/cases/tasks/mine").json() == {"overdue": [], "today": [], "upcoming": [], "deadlines": []}
    for url in ("/api/cases/approvals", "/api/cases/team/caseload", "/api/cases/assessment-scheme"):
        assert client.get(url).status_code == 404, url
    est = home(agent_casablanca)
    assert post(client, "/api/cases/listening", {"establishment_id": est.pk, "channel": "walk_in",
                                                 "needs": ["shelter"]}).status_code == 404
    assert post(client, "/api/referrals/", {"case_id": ids["case"], "target": "internal",
                                            "to_establishment_id": est.pk, "reason": "x"}).status_code == 404
    assert world() == before


def test_nobody_marks_another_persons_notifications(agent_casablanca: Any, agent_tanger: Any) -> None:
    n = Notification.objects.create(user=agent_casablanca, kind="case_assigned", params={"case": "DOS-0000001"})
    r = post(client_for(agent_tanger), "/api/notifications/read", {"ids": [n.pk]})
    assert r.status_code == 200 and r.json()["marked"] == 0
    assert client_for(agent_tanger).get("/api/notifications/").json()["count"] == 0
    n.refresh_from_db()
    assert n.read_at is None
    mine = client_for(agent_casablanca).get("/api/notifications/").json()
    assert mine["items"][0]["id"] == n.pk and "DOS-0000001" in mine["items"][0]["text"]


# ---- no query per row ------------------------------------------------------------------------------------


def _queries(call: Callable[[], Any]) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = call()
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_lists_run_the_same_number_of_queries_whatever_the_number_of_rows(
        agent_casablanca: Any, delegate_casablanca: Any) -> None:
    agent, delegate = client_for(agent_casablanca), client_for(delegate_casablanca)
    est = home(agent_casablanca)
    other, _other_agent = neighbour(est)
    today = timezone.localdate().isoformat()

    def more(n: int) -> None:
        for _i in range(n):
            case_id = open_case(agent, est)
            post(agent, f"/api/cases/{case_id}/tasks", {"kind": "call", "title": "x", "due_on": today})
            post(agent, "/api/referrals/", {"case_id": case_id, "target": "internal", "to_establishment_id": other.pk,
                                            "reason": "x"})
            post(agent, f"/api/cases/{case_id}/assessments", {"answers": {**LOW, "protection": "immediate_danger"}})
            post(agent, f"/api/cases/{case_id}/goals", {"text": "x"})
            post(agent, f"/api/cases/{case_id}/submit-plan")

    calls: list[Callable[[], Any]] = [
        lambda: agent.get("/api/cases/"),
        lambda: agent.get("/api/cases/tasks/mine"),
        lambda: agent.get("/api/referrals/sent"),
        lambda: agent.get("/api/notifications/"),
        lambda: delegate.get("/api/cases/approvals"),
    ]
    more(1)
    few = [_queries(c) for c in calls]
    more(3)
    many = [_queries(c) for c in calls]
    assert many == few
    assert agent.get("/api/cases/").json()["count"] >= 4


def test_the_openapi_schema_still_builds_and_lists_casework(db: Any) -> None:
    r = Client().get("/api/openapi.json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    for p in ("/api/cases/listening", "/api/cases/{case_id}", "/api/referrals/inbox", "/api/notifications/read"):
        assert p in paths
