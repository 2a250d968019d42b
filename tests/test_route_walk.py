"""The isolation walk: every route that takes an id, asked by someone of another territory.

Each route with a parameter must appear in ``FOREIGN_ARGS`` (or in ``OPEN_ROUTES`` with the
reason it is not scoped); a new route that is in neither makes this test fail, so no page or
endpoint can be added without being walked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from mowakaba.accounts.models import ApiToken, User
from mowakaba.audit.models import JournalEntry
from mowakaba.core.models import Job
from mowakaba.territory.models import OrgUnit
from tests.conftest import client_for

# Reference data from the census: the same for everybody, like a printed table.
OPEN_ROUTES = {
    "territory:region": "census reference data (HCP), not institutional records",
    "territory:province": "census reference data (HCP); its establishment list goes through the scope",
    "admin": "Django admin: system administrators only, structure and accounts, no person data",
}


def _casablanca_unit() -> OrgUnit:
    return OrgUnit.objects.get(assignments__user__username="agent.casa")


def _casablanca_delegation() -> OrgUnit:
    return OrgUnit.objects.get(assignments__user__username="delegate.casa")


def _casablanca_person() -> Any:
    from mowakaba.accounts.scope import scope_for_user
    from mowakaba.registry.services import person_register

    agent = User.objects.get(username="agent.casa")
    return person_register(actor=agent, scope=scope_for_user(agent), establishment_id=_casablanca_unit().pk,
                           data={"given_name_lat": "Walk", "family_name_lat": "Casablanca", "sex": "F"},
                           phones=["0600000001"])


def _casablanca_consent() -> dict[str, Any]:
    from mowakaba.accounts.scope import scope_for_user
    from mowakaba.registry.services import consent_record

    person = _casablanca_person()
    agent = User.objects.get(username="agent.casa")
    consent = consent_record(actor=agent, scope=scope_for_user(agent), person_id=person.pk, purpose="listening",
                             method="oral")
    return {"pk": person.pk, "consent_id": consent.pk}


def _casablanca_pair() -> Any:
    from mowakaba.registry.models import DuplicatePair

    a, b = _casablanca_person(), _casablanca_person()
    return DuplicatePair.objects.create(left=a, right=b, score=0.9, reasons=["names:1.00"])


def _casablanca_merge() -> Any:
    from mowakaba.accounts.scope import scope_for_user
    from mowakaba.registry.services import person_merge

    a, b = _casablanca_person(), _casablanca_person()
    manager = User.objects.get(username="manager.casa")
    return person_merge(actor=manager, scope=scope_for_user(manager), keep_id=a.pk, merge_id=b.pk)


def _casablanca_attachment() -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from mowakaba.accounts.scope import scope_for_user
    from mowakaba.registry.services import attachment_add

    person = _casablanca_person()
    agent = User.objects.get(username="agent.casa")
    item = attachment_add(actor=agent, scope=scope_for_user(agent), person_id=person.pk, kind="document",
                          upload=SimpleUploadedFile("x.pdf", b"%PDF-1.4 test", content_type="application/pdf"))
    return {"pk": person.pk, "attachment_id": item.pk}


def _casablanca_referral() -> dict[str, Any]:
    """A live referral from a Casablanca case to another institution-run Casablanca centre."""
    from mowakaba.accounts.scope import scope_for_user
    from mowakaba.cases.services import listening_record
    from mowakaba.referrals.services import referral_send

    agent = User.objects.get(username="agent.casa")
    scope, home = scope_for_user(agent), _casablanca_unit()
    session = listening_record(actor=agent, scope=scope, establishment_id=home.pk, data={"channel": "walk_in"},
                               needs=["shelter"], new_person={"given_name_lat": "Walk", "family_name_lat": "Referral"},
                               consent_given=True, open_case=True)
    to = (OrgUnit.objects.filter(kind="establishment", partner__isnull=True, active=True,
                                 path__startswith=_casablanca_delegation().path).exclude(pk=home.pk).first())
    assert session.case is not None and to is not None
    r = referral_send(actor=agent, scope=scope, case_id=session.case.pk, target="internal", to_establishment_id=to.pk,
                      reason="walk")
    return {"pk": r.pk}


def _casablanca_notification() -> dict[str, Any]:
    from mowakaba.notifications.models import Notification

    n = Notification.objects.create(user=User.objects.get(username="agent.casa"), kind="case_assigned",
                                    params={"case": "DOS-0000001"}, url="/")
    return {"pk": n.pk}


def _casablanca_job() -> Job:
    return Job.objects.create(kind="establishments.import", requested_by=User.objects.get(username="headoffice"),
                              params={"csv": ""})


def _casablanca_token() -> ApiToken:
    token, _raw = ApiToken.issue(user=User.objects.get(username="delegate.casa"), name="walk")
    return token


def _casablanca_agent() -> tuple[User, Any]:
    from mowakaba.accounts.scope import scope_for_user

    agent = User.objects.get(username="agent.casa")
    return agent, scope_for_user(agent)


def _casablanca_other_unit() -> OrgUnit:
    """Another establishment of the institution in Casablanca (none of the walkers reaches it)."""
    unit = _casablanca_unit()
    return OrgUnit.objects.filter(parent_id=unit.parent_id, kind=OrgUnit.Kind.ESTABLISHMENT, active=True,
                                  partner__isnull=True).exclude(pk=unit.pk).order_by("pk").first()  # type: ignore[return-value]


def _casablanca_case(extreme: bool = False) -> Any:
    from mowakaba.cases.services import assessment_record, listening_record

    agent, scope = _casablanca_agent()
    session = listening_record(actor=agent, scope=scope, establishment_id=_casablanca_unit().pk,
                               data={"channel": "walk_in"}, needs=["shelter"], person_id=_casablanca_person().pk,
                               consent_given=True, open_case=True)
    if extreme:
        assessment_record(actor=agent, scope=scope, case_id=session.case_id, answers={
            "family": "with_family", "resources": "sufficient", "housing": "stable", "health": "good",
            "disability": "none", "schooling": "not_applicable", "documents": "complete", "rsu": "registered",
            "protection": "immediate_danger"})
    return session.case


def _casablanca_casework(what: str) -> int:
    """The id of a Casablanca goal, task, approval, placement, transfer or referral, for the API walk."""
    from mowakaba.cases import services as cs

    agent, scope = _casablanca_agent()
    case = _casablanca_case(extreme=what == "approval")
    if what == "goal":
        return cs.goal_add(actor=agent, scope=scope, case_id=case.pk, text="walk").pk
    if what == "task":
        return cs.task_add(actor=agent, scope=scope, case_id=case.pk, kind="action", title="walk",
                           due_on=case.opened_at.date()).pk
    if what == "approval":
        cs.goal_add(actor=agent, scope=scope, case_id=case.pk, text="walk")
        return cs.extreme_plan_submit(actor=agent, scope=scope, case_id=case.pk).pk
    if what == "placement":
        return cs.placement_request(actor=agent, scope=scope, case_id=case.pk, establishment_id=_casablanca_unit().pk,
                                    capacity_override="walk").pk
    if what == "transfer":
        return cs.transfer_request(actor=agent, scope=scope, case_id=case.pk,
                                   to_establishment_id=_casablanca_other_unit().pk, reason="walk").pk
    assert what == "referral"
    from mowakaba.referrals.services import referral_send

    return referral_send(actor=agent, scope=scope, case_id=case.pk, target="internal",
                         to_establishment_id=_casablanca_other_unit().pk, reason="walk").pk


def _casablanca_convention(what: str = "convention") -> int:
    """A signed convention of the Casablanca delegation with an association that is not partner.casa's."""
    from tests.partners.factories import convention

    conv = convention(signed=True, reports=1)
    if what == "tranche":
        return conv.tranches.order_by("number").first().pk  # type: ignore[union-attr]
    if what == "report":
        return conv.reports.get().pk
    if what == "association":
        return conv.association_id
    return conv.pk


PARTNER_ROUTES = {
    "partners:association": "association", "partners:association_edit": "association",
    "partners:convention": "convention", "partners:convention_edit": "convention", "partners:sign": "convention",
    "partners:suspend": "convention", "partners:resume": "convention", "partners:close": "convention",
    "partners:tranche_add": "convention", "partners:report_add": "convention", "partners:visit_add": "convention",
    "partners:tranche_pay": "tranche", "partners:report_receive": "report",
}


def _casablanca_training(open_registration: bool = False) -> dict[str, Any]:
    """A session of the Casablanca delegation that agent.casa attended today (or, with
    ``open_registration``, an upcoming one open for registration); its id and the participant's."""
    import datetime as dt

    from mowakaba.accounts.scope import scope_for_user
    from mowakaba.training import services as ts
    from mowakaba.training.models import Theme

    delegate, agent = User.objects.get(username="delegate.casa"), User.objects.get(username="agent.casa")
    scope = scope_for_user(delegate)
    start = dt.date.today() + dt.timedelta(days=7 if open_registration else 0)
    s = ts.session_create(actor=delegate, scope=scope, organiser_id=_casablanca_delegation().pk, data={
        "theme_id": Theme.objects.get(code="listening").pk, "title": "walk", "starts_on": start, "ends_on": start,
        "trainer_name": "walk", "place_text": "walk", "capacity": 30})
    if open_registration:
        ts.session_open_registration(actor=delegate, scope=scope, session_id=s.pk)
        return {"pk": s.pk}
    [p] = ts.participants_register(actor=delegate, scope=scope, session_id=s.pk, user_ids=[agent.pk])
    ts.attendance_record(actor=delegate, scope=scope, session_id=s.pk, day=start, present_ids=[p.pk])
    return {"pk": s.pk, "participant": p.pk}


def _casablanca_session() -> dict[str, Any]:
    return {"pk": _casablanca_training()["pk"]}


def _casablanca_participant() -> dict[str, Any]:
    return {"pk": _casablanca_training()["participant"]}


def _casablanca_programme(what: str) -> int:
    """The id of an offering, an enrolment (waiting, in a full offering) or a group session at
    agent.casa's centre."""
    from mowakaba.accounts.scope import scope_for_user
    from mowakaba.programs import services as ps
    from mowakaba.programs.models import Programme

    manager = User.objects.get(username="manager.casa")
    agent, scope = _casablanca_agent()
    off = ps.offering_create(actor=manager, scope=scope_for_user(manager), establishment_id=_casablanca_unit().pk,
                             programme_id=Programme.objects.get(code="literacy").pk, season="walk", capacity=1)
    if what == "offering":
        return off.pk
    first = ps.enrolment_request(actor=agent, scope=scope, offering_id=off.pk, person_id=_casablanca_person().pk)
    if what == "session":
        return ps.session_record_attendance(actor=agent, scope=scope, offering_id=off.pk,
                                            marks={first.pk: "present"}).pk
    assert what == "enrolment"
    return ps.enrolment_request(actor=agent, scope=scope, offering_id=off.pk, person_id=_casablanca_person().pk).pk


# route name -> function returning the kwargs of a Casablanca record
FOREIGN_ARGS: dict[str, Callable[[], dict[str, Any]]] = {
    **{name: (lambda what=what: {"pk": _casablanca_convention(what)}) for name, what in PARTNER_ROUTES.items()},
    "territory:unit": lambda: {"pk": _casablanca_unit().pk},
    "territory:unit_edit": lambda: {"pk": _casablanca_unit().pk},
    "territory:unit_create": lambda: {"parent_pk": _casablanca_delegation().pk},
    "portal:job": lambda: {"pk": _casablanca_job().pk},
    "accounts:token_revoke": lambda: {"token_id": _casablanca_token().pk},
    "registry:person": lambda: {"pk": _casablanca_person().pk},
    "registry:person_edit": lambda: {"pk": _casablanca_person().pk},
    "registry:document_add": lambda: {"pk": _casablanca_person().pk},
    "registry:phone_add": lambda: {"pk": _casablanca_person().pk},
    "registry:consent_add": lambda: {"pk": _casablanca_person().pk},
    "registry:relative_add": lambda: {"pk": _casablanca_person().pk},
    "registry:consent_withdraw": _casablanca_consent,
    "registry:attachment_add": lambda: {"pk": _casablanca_person().pk},
    "registry:attachment": _casablanca_attachment,
    "registry:pair": lambda: {"pk": _casablanca_pair().pk},
    "registry:merge_undo": lambda: {"pk": _casablanca_merge().pk},
    # casework pages: each action is walked on a record of agent.casa's centre
    "cases:case": lambda: {"pk": _casablanca_case().pk},
    "cases:edit": lambda: {"pk": _casablanca_case().pk},
    "cases:assess": lambda: {"pk": _casablanca_case().pk},
    "cases:goal_add": lambda: {"pk": _casablanca_case().pk},
    "cases:task_add": lambda: {"pk": _casablanca_case().pk},
    "cases:review": lambda: {"pk": _casablanca_case().pk},
    "cases:placement": lambda: {"pk": _casablanca_case().pk},
    "cases:transfer": lambda: {"pk": _casablanca_case().pk},
    "cases:close": lambda: {"pk": _casablanca_case().pk},
    "cases:reopen": lambda: {"pk": _casablanca_case().pk},
    "cases:pdf": lambda: {"pk": _casablanca_case().pk},
    "cases:first_action": lambda: {"pk": _casablanca_case(extreme=True).pk},
    "cases:conference": lambda: {"pk": _casablanca_case(extreme=True).pk},
    "cases:submit_plan": lambda: {"pk": _casablanca_case(extreme=True).pk},
    "cases:person_cases": lambda: {"pk": _casablanca_case().person_id},
    "cases:goal_state": lambda: {"pk": _casablanca_casework("goal")},
    "cases:task_done": lambda: {"pk": _casablanca_casework("task")},
    "cases:task_cancel": lambda: {"pk": _casablanca_casework("task")},
    "cases:placement_end": lambda: {"pk": _casablanca_casework("placement")},
    "cases:transfer_cancel": lambda: {"pk": _casablanca_casework("transfer")},
    "cases:transfer_decide": lambda: {"pk": _casablanca_casework("transfer")},
    "cases:decide": lambda: {"pk": _casablanca_casework("approval")},
    "cases:approval_withdraw": lambda: {"pk": _casablanca_casework("approval")},
    "referrals:referral": _casablanca_referral,
    "referrals:accept": _casablanca_referral,
    "referrals:decline": _casablanca_referral,
    "referrals:complete": _casablanca_referral,
    "referrals:revoke": _casablanca_referral,
    "notifications:open": _casablanca_notification,
    # staff training: a session of the Casablanca delegation and agent.casa's participation
    **{f"training:{name}": _casablanca_session for name in (
        "session", "edit", "open", "cancel", "close", "register", "candidates", "attendance")},
    "training:join": lambda: _casablanca_training(open_registration=True),
    "training:remove": _casablanca_participant,
    "training:evaluate": _casablanca_participant,
    "training:certificate": _casablanca_participant,
}
POST_ONLY = {"accounts:token_revoke", "registry:document_add", "registry:phone_add", "registry:consent_add",
             "registry:relative_add", "registry:consent_withdraw", "registry:merge_undo",
             "registry:attachment_add", "referrals:accept", "referrals:decline", "referrals:complete",
             "referrals:revoke", "notifications:open"}
GET_ONLY = {"cases:pdf", "training:certificate"}
POST_ONLY |= {n for n in PARTNER_ROUTES if n not in {"partners:association", "partners:association_edit",
                                                     "partners:convention", "partners:convention_edit"}}
POST_ONLY |= {"cases:approval_withdraw", "cases:close", "cases:conference", "cases:decide", "cases:first_action",
              "cases:goal_add", "cases:goal_state", "cases:placement", "cases:placement_end",
              "cases:reopen", "cases:review", "cases:submit_plan", "cases:task_add",
              "cases:task_cancel", "cases:task_done", "cases:transfer", "cases:transfer_cancel",
              "cases:transfer_decide"}
POST_ONLY |= {"training:open", "training:cancel", "training:close", "training:register",
              "training:join", "training:remove"}
API_READ_ONLY = {"/api/registry/persons/{person_id}", "/api/cases/{case_id}/timeline",
                 "/api/referrals/{referral_id}", "/api/partners/associations/{association_id}",
                 "/api/partners/conventions/{convention_id}"}
API_READ_ONLY |= {"/api/training/sessions/{session_id}"}
FOREIGN_API: dict[str, Callable[[], str]] = {
    "/api/partners/associations/{association_id}":
        lambda: f"/api/partners/associations/{_casablanca_convention('association')}",
    "/api/partners/conventions/{convention_id}": lambda: f"/api/partners/conventions/{_casablanca_convention()}",
    "/api/partners/reports/{report_id}/receive":
        lambda: f"/api/partners/reports/{_casablanca_convention('report')}/receive",
    "/api/territory/units/{unit_id}": lambda: f"/api/territory/units/{_casablanca_unit().pk}",
    "/api/registry/persons/{person_id}": lambda: f"/api/registry/persons/{_casablanca_person().pk}",
    **{f"/api/cases/{{case_id}}{tail}": (lambda tail=tail: f"/api/cases/{_casablanca_case().pk}{tail}") for tail in (
        "", "/timeline", "/assessments", "/first-action", "/conference", "/goals", "/tasks", "/reviews",
        "/placements", "/close", "/reopen", "/transfers")},
    "/api/cases/{case_id}/submit-plan": lambda: f"/api/cases/{_casablanca_case(extreme=True).pk}/submit-plan",
    "/api/cases/approvals/{approval_id}/decision":
        lambda: f"/api/cases/approvals/{_casablanca_casework('approval')}/decision",
    "/api/cases/goals/{goal_id}": lambda: f"/api/cases/goals/{_casablanca_casework('goal')}",
    "/api/cases/tasks/{task_id}/done": lambda: f"/api/cases/tasks/{_casablanca_casework('task')}/done",
    "/api/cases/tasks/{task_id}/cancel": lambda: f"/api/cases/tasks/{_casablanca_casework('task')}/cancel",
    "/api/cases/placements/{placement_id}/end":
        lambda: f"/api/cases/placements/{_casablanca_casework('placement')}/end",
    "/api/cases/transfers/{transfer_id}/decision":
        lambda: f"/api/cases/transfers/{_casablanca_casework('transfer')}/decision",
    "/api/cases/transfers/{transfer_id}/cancel":
        lambda: f"/api/cases/transfers/{_casablanca_casework('transfer')}/cancel",
    **{f"/api/referrals/{{referral_id}}{tail}":
       (lambda tail=tail: f"/api/referrals/{_casablanca_casework('referral')}{tail}")
       for tail in ("", "/accept", "/decline", "/complete", "/revoke")},
}
FOREIGN_API |= {
    **{f"/api/training/sessions/{{session_id}}{tail}":
       (lambda tail=tail: f"/api/training/sessions/{_casablanca_training()['pk']}{tail}")
       for tail in ("", "/participants", "/attendance")},
    "/api/training/participants/{participant_id}/evaluation":
        lambda: f"/api/training/participants/{_casablanca_training()['participant']}/evaluation",
}
# programmes: an offering, a waiting enrolment and a group session at agent.casa's centre
FOREIGN_ARGS |= {
    **{f"programs:{name}": (lambda: {"pk": _casablanca_programme("offering")}) for name in (
        "offering", "attendance_new", "offering_export", "offering_import")},
    "programs:admit": lambda: {"pk": _casablanca_programme("enrolment")},
    "programs:exit": lambda: {"pk": _casablanca_programme("enrolment")},
    "programs:session": lambda: {"pk": _casablanca_programme("session")},
    "programs:person_enrolments": lambda: {"pk": _casablanca_person().pk},
}
POST_ONLY |= {"programs:admit", "programs:exit"}
API_READ_ONLY |= {"/api/programs/offerings/{offering_id}/enrolments"}
FOREIGN_API |= {
    "/api/programs/offerings/{offering_id}/enrolments":
        lambda: f"/api/programs/offerings/{_casablanca_programme('offering')}/enrolments",
    "/api/programs/offerings/{offering_id}/sessions":
        lambda: f"/api/programs/offerings/{_casablanca_programme('offering')}/sessions",
    "/api/programs/enrolments/{enrolment_id}/admit":
        lambda: f"/api/programs/enrolments/{_casablanca_programme('enrolment')}/admit",
    "/api/programs/enrolments/{enrolment_id}/exit":
        lambda: f"/api/programs/enrolments/{_casablanca_programme('enrolment')}/exit",
}
# The action plan: a draft plan of head office with a Casablanca target (tests/planning/helpers.py).
from tests.planning.helpers import PLAN_POST_ONLY, plan_snapshot, walk_args  # noqa: E402

FOREIGN_ARGS |= walk_args()
POST_ONLY |= PLAN_POST_ONLY


# Vigilance: an alert of Casablanca's province (partner staff read no alert at all), a report job
# of delegate.casa, and dashboards of a territory none of the walking personas reaches.
def _casablanca_alert() -> Any:
    import datetime as dt

    from mowakaba.vigilance.models import Alert

    province = _casablanca_delegation().provinces.order_by("code").first()
    alert, _ = Alert.objects.get_or_create(
        key=f"walk:{province.pk}", defaults={
            "kind": Alert.Kind.REFERRALS_UNANSWERED, "province": province, "period_start": dt.date(2026, 11, 23),
            "observed": 7, "method": "rule-count", "explanation": {"rule": "referrals_late", "referrals": 7}})
    return alert


def _casablanca_report_job() -> dict[str, Any]:
    job = Job.objects.create(kind="vigilance.report", requested_by=User.objects.get(username="delegate.casa"),
                             status=Job.Status.DONE, params={"level": "P"})
    return {"pk": job.pk}


def _marrakech() -> dict[str, int]:
    """Marrakech-Safi: no persona of the walk works there (delegate.tanger, agent.tanger, partner.casa)."""
    from mowakaba.territory.models import Province, Region
    from mowakaba.vigilance.refresh import unit_territories

    region = Region.objects.get(code="07")
    province = Province.objects.filter(region=region).order_by("-population_2024").first()
    assert province is not None
    unit = next(pk for pk, (prov, _r) in sorted(unit_territories().items()) if prov == province.pk
                and OrgUnit.objects.filter(pk=pk, kind=OrgUnit.Kind.ESTABLISHMENT).exists())
    return {"region": region.pk, "province": province.pk, "unit": unit}


ALERT_ROUTES = ("alert", "alert_ack", "alert_action", "alert_close", "alert_reopen")
FOREIGN_ARGS |= {f"vigilance:{n}": (lambda: {"pk": _casablanca_alert().pk}) for n in ALERT_ROUTES}
FOREIGN_ARGS |= {
    "vigilance:region": lambda: {"pk": _marrakech()["region"]},
    "vigilance:province": lambda: {"pk": _marrakech()["province"]},
    "vigilance:establishment": lambda: {"pk": _marrakech()["unit"]},
    "vigilance:report_job": _casablanca_report_job,
    "vigilance:report_download": lambda: {**_casablanca_report_job(), "fmt": "pdf"},
}
POST_ONLY |= {"vigilance:alert_ack", "vigilance:alert_action", "vigilance:alert_close", "vigilance:alert_reopen"}
GET_ONLY |= {"vigilance:report_job", "vigilance:report_download"}
# Coverage (issue 7): the siting page of a commune of Marrakech-Safi (outside every walking persona).
def _marrakech_commune() -> dict[str, int]:
    from mowakaba.territory.models import Commune

    commune = Commune.objects.filter(province_id=_marrakech()["province"]).order_by("code").first()
    assert commune is not None
    return {"pk": commune.pk}


FOREIGN_ARGS["vigilance:coverage_siting"] = _marrakech_commune
GET_ONLY |= {"vigilance:coverage_siting"}
OPEN_ROUTES["opendata:download"] = "public open data: national and regional aggregates, small counts hidden"
API_READ_ONLY |= {"/api/vigilance/alerts/{alert_id}"}
FOREIGN_API |= {
    "/api/vigilance/alerts/{alert_id}": lambda: f"/api/vigilance/alerts/{_casablanca_alert().pk}",
    **{f"/api/vigilance/alerts/{{alert_id}}/{verb}": (lambda verb=verb: f"/api/vigilance/alerts/"
                                                                         f"{_casablanca_alert().pk}/{verb}")
       for verb in ("acknowledge", "action", "close", "reopen")},
}


# One body that every write endpoint accepts (each takes the fields it knows), so that the walk
# reaches the access check rather than stopping at the schema.
API_BODY: dict[str, Any] = {
    "version": 1, "expected_version": 1, "capacity": 999, "approve": True, "accept": True, "comment": "walk",
    "capacity_override": "walk", "reason": "goals_met", "outcome": "improved", "note": "walk", "text": "walk",
    "state": "met", "kind": "visit", "title": "walk", "due_on": "2030-01-01", "establishment_id": 1,
    "to_establishment_id": 1, "urgency": "life", "summary": "walk", "answers": {"protection": "immediate_danger"},
}


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> list[tuple[str, str]]:
    found = []
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or namespace
            if p.namespace == "admin":
                found.append(("admin", prefix + str(p.pattern)))
                continue
            found += _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            name = f"{namespace}:{p.name}" if namespace else (p.name or "")
            found.append((name, prefix + str(p.pattern)))
    return found


def _snapshot() -> tuple[Any, ...]:
    from django.db.models import Sum

    from mowakaba.registry.models import Consent, DuplicatePair, IdentityDocument, MergeRecord, Person, Phone

    unit = _casablanca_unit()
    return (
        JournalEntry.objects.exclude(kind="auth").count(),
        OrgUnit.objects.count(),
        unit.version, unit.name_ar, unit.capacity,
        ApiToken.objects.filter(revoked=True).count(),
        Person.objects.aggregate(v=Sum("version"))["v"], Person.objects.filter(merged_into__isnull=True).count(),
        IdentityDocument.objects.count(), Phone.objects.count(), Consent.objects.filter(withdrawn_on=None).count(),
        MergeRecord.objects.filter(undone_at=None).count(), DuplicatePair.objects.filter(status="open").count(),
        *_casework_snapshot(), *_training_snapshot(), *_programs_snapshot(), *plan_snapshot(),
        *_vigilance_snapshot(),
    )


def _vigilance_snapshot() -> tuple[Any, ...]:
    from mowakaba.vigilance.models import Alert, AlertEvent

    return (tuple(Alert.objects.order_by("pk").values_list("pk", "status", "version")), AlertEvent.objects.count(),
            Job.objects.count())


def _casework_snapshot() -> tuple[Any, ...]:
    from django.db.models import Count, Sum

    from mowakaba.cases.models import Approval, Assessment, Case, Goal, Placement, Review, Task, Transfer
    from mowakaba.notifications.models import Notification
    from mowakaba.referrals.models import Referral

    def by(model: Any, field: str) -> tuple[tuple[Any, int], ...]:
        return tuple(model.objects.values_list(field).annotate(n=Count("pk")).order_by(field))

    return (
        Case.objects.aggregate(v=Sum("version"))["v"], by(Case, "status"), by(Case, "level"),
        Assessment.objects.count(), Review.objects.count(), by(Goal, "state"), by(Approval, "decision"),
        by(Placement, "state"), by(Transfer, "status"), by(Referral, "status"), Task.objects.count(),
        Task.objects.filter(done_at=None, cancelled=False).count(), Notification.objects.count(),
        Notification.objects.filter(read_at=None).count(),
        *_partners_snapshot(),
    )


def _partners_snapshot() -> tuple[Any, ...]:
    from django.db.models import Sum

    from mowakaba.partners.models import Convention, PartnerProfile, Report, Tranche, Visit

    return (Convention.objects.aggregate(v=Sum("version"))["v"], Convention.objects.count(),
            PartnerProfile.objects.count(), Report.objects.filter(submitted_on=None).count(), Report.objects.count(),
            Tranche.objects.filter(paid_on=None).count(), Tranche.objects.count(), Visit.objects.count())


def _training_snapshot() -> tuple[Any, ...]:
    from mowakaba.training.models import Attendance, Participant, TrainingSession

    return (
        tuple(TrainingSession.objects.order_by("pk").values_list("pk", "title", "capacity", "registration_opened_at",
                                                                  "cancelled_at", "closed_at")),
        tuple(Participant.objects.order_by("pk").values_list("pk", "satisfaction", "usefulness")),
        tuple(Attendance.objects.order_by("pk").values_list("pk", "present")),
    )


def test_every_route_with_an_id_is_walked() -> None:
    routes = _walk(get_resolver().url_patterns)
    page_routes = [(n, r) for n, r in routes if "<" in r and not r.startswith("api/")]
    missing = [f"{n} ({r})" for n, r in page_routes if n not in FOREIGN_ARGS and n not in OPEN_ROUTES]
    assert not missing, f"add these routes to the isolation walk: {missing}"

    from mowakaba.api import api

    api_routes = list(api.get_openapi_schema()["paths"])
    api_with_ids = [r for r in api_routes if "{" in r]
    assert sorted(api_with_ids) == sorted(FOREIGN_API), f"walk every API route with an id: {api_with_ids}"


@pytest.mark.parametrize("persona", ["delegate.tanger", "agent.tanger", "partner.casa"])
@pytest.mark.parametrize("route", sorted(FOREIGN_ARGS))
def test_a_record_of_another_territory_is_404_and_nothing_changes(db: Any, persona: str, route: str) -> None:
    from django.urls import reverse

    kwargs = FOREIGN_ARGS[route]()
    url = reverse(route, kwargs=kwargs)
    client = client_for(User.objects.get(username=persona))
    before = _snapshot()
    # A POST-only route may answer 405 to GET: that reveals nothing about the record.
    assert client.get(url).status_code in ({404, 405} if route in POST_ONLY else {404})
    response = client.post(url, {"name_ar": "تغيير", "capacity": "999", "commune_code": "01.511.01.0",
                                 "establishment_type": "1", "managed_by": "institution", "version": "1",
                                 "given_name_lat": "Changed", "kind": "cin", "number": "ZZ123", "status": "seen",
                                 "purpose": "sharing", "method": "oral", "record_no": "MWK-1",
                                 "relation": "child", "decision": "keep_left"})
    # A GET-only route (the printed file) may answer 405 to POST, whoever asks.
    assert response.status_code in ({404, 405} if route in GET_ONLY else {404})
    assert _snapshot() == before


@pytest.mark.parametrize("persona", ["delegate.tanger", "agent.tanger", "partner.casa"])
@pytest.mark.parametrize("route", sorted(FOREIGN_API))
def test_an_api_record_of_another_territory_is_404_and_nothing_changes(db: Any, persona: str, route: str) -> None:
    url = FOREIGN_API[route]()
    methods = _api_methods(route)
    client = client_for(User.objects.get(username=persona))
    before = _snapshot()
    if "get" in methods:
        assert client.get(url).status_code == 404
    for method in sorted(methods - {"get"} or {"patch"}):
        response = getattr(client, method)(url, data=API_BODY, content_type="application/json")
        # A read-only endpoint answers 405 to a write whoever asks: that reveals nothing.
        assert response.status_code in ({404, 405} if route in API_READ_ONLY else {404}), (method, response.content)
    assert _snapshot() == before


def _api_methods(route: str) -> set[str]:
    from mowakaba.api import api

    return set(api.get_openapi_schema()["paths"][route])


def test_the_same_routes_answer_the_owner(db: Any) -> None:
    """The walk would be meaningless if the routes were 404 for everyone."""
    from django.urls import reverse

    client = client_for(User.objects.get(username="delegate.casa"))
    assert client.get(reverse("territory:unit", kwargs=FOREIGN_ARGS["territory:unit"]())).status_code == 200
    assert client.get(reverse("territory:unit_edit", kwargs=FOREIGN_ARGS["territory:unit_edit"]())).status_code == 200
    assert client.get(FOREIGN_API["/api/territory/units/{unit_id}"]()).status_code == 200
    agent = client_for(User.objects.get(username="agent.casa"))
    assert agent.get(FOREIGN_API["/api/cases/{case_id}"]()).status_code == 200
    assert agent.get(FOREIGN_API["/api/referrals/{referral_id}"]()).status_code == 200
    case = _casablanca_case()
    assert agent.get(reverse("cases:case", kwargs={"pk": case.pk})).status_code == 200
    assert agent.get(reverse("cases:person_cases", kwargs={"pk": case.person_id})).status_code == 200


def _programs_snapshot() -> tuple[Any, ...]:
    from django.db.models import Count, Sum

    from mowakaba.programs.models import Attendance, Enrolment, GroupSession, Offering

    return (
        Offering.objects.aggregate(a=Sum("admitted_count"), w=Sum("waiting_count"), c=Sum("capacity"), n=Count("pk")),
        tuple(Enrolment.objects.values_list("state").annotate(n=Count("pk")).order_by("state")),
        GroupSession.objects.count(),
        tuple(Attendance.objects.values_list("mark").annotate(n=Count("pk")).order_by("mark")),
    )
