"""The whole journey through the services, end to end."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from mowakaba.accounts.scope import scope_for_user
from mowakaba.cases import services as cs
from mowakaba.cases.models import Status
from mowakaba.referrals import services as rs
from mowakaba.registry.models import Consent


def _home(user: Any) -> int:
    from mowakaba.accounts.models import Assignment

    return Assignment.objects.filter(user=user).values_list("org_unit_id", flat=True).first()


@pytest.mark.django_db
def test_journey_listening_to_closure(agent_casablanca: Any, manager_casablanca: Any) -> None:
    scope = scope_for_user(agent_casablanca)
    est = _home(agent_casablanca)
    s = cs.listening_record(actor=agent_casablanca, scope=scope, establishment_id=est,
                            data={"channel": "walk_in", "account": "..."}, needs=["shelter", "food"],
                            new_person={"given_name_ar": "فاطمة", "family_name_ar": "العلوي", "sex": "F",
                                        "birth_year": 1960},
                            consent_given=True, open_case=True, groups=["woman", "elderly"])
    case = s.case
    assert case is not None and case.status == Status.RECEIVED
    a = cs.assessment_record(actor=agent_casablanca, scope=scope, case_id=case.pk, answers={
        "family": "isolated", "resources": "none", "housing": "precarious", "health": "chronic",
        "disability": "none", "schooling": "not_applicable", "documents": "complete", "rsu": "not_registered",
        "protection": "none"})
    assert a.score == 4 + 4 + 2 + 2 + 2 and a.level == "high"
    case.refresh_from_db()
    assert case.status == Status.ASSESSMENT
    from mowakaba.territory.models import OrgUnit

    other = OrgUnit.objects.filter(kind="establishment", partner__isnull=True, active=True).exclude(pk=est).first()
    r = rs.referral_send(actor=agent_casablanca, scope=scope, case_id=case.pk, target="internal",
                         to_establishment_id=other.pk, reason="hébergement")
    case.refresh_from_db()
    assert case.status == Status.REFERRED
    # The receiving centre's answer, given here with the system scope (pages test the real inbox).
    from mowakaba.accounts.scope import SYSTEM

    rs.referral_accept(actor=manager_casablanca, scope=SYSTEM, referral_id=r.pk)
    case.refresh_from_db()
    assert case.status == Status.IN_CARE
    g = cs.goal_add(actor=agent_casablanca, scope=scope, case_id=case.pk, text="Logement stable")
    import datetime as dt

    t = cs.task_add(actor=agent_casablanca, scope=scope, case_id=case.pk, kind="visit", title="Visite",
                    due_on=dt.date.today(), goal_id=g.pk)
    cs.task_done(actor=agent_casablanca, scope=scope, task_id=t.pk, note="ok")
    case.refresh_from_db()
    assert case.status == Status.FOLLOW_UP
    with pytest.raises(ValidationError):
        cs.case_close(actor=agent_casablanca, scope=scope, case_id=case.pk, expected_version=case.version,
                      reason="goals_met", outcome="improved")
    rs.referral_complete(actor=manager_casablanca, scope=SYSTEM, referral_id=r.pk, outcome="served")
    case.refresh_from_db()
    c, appr = cs.case_close(actor=agent_casablanca, scope=scope, case_id=case.pk, expected_version=case.version,
                            reason="goals_met", outcome="improved")
    assert appr is None and c.status == Status.CLOSED
    assert Consent.objects.filter(person=case.person, purpose="listening").exists()
    from mowakaba.cases.selectors import timeline

    assert len(timeline([case.pk], person_id=case.person_id)) >= 8
