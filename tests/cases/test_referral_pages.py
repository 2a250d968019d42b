"""Orientation and notification pages: refer from a case, answer from the inbox, the bell.

Cases are opened through the services as agent.casa; everything else goes through the pages.
Each refusal is checked to have changed nothing.
"""

from __future__ import annotations

import html
import itertools
from typing import Any

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from mowakaba.accounts.models import Assignment, Role, User
from mowakaba.accounts.scope import scope_for_user
from mowakaba.audit.models import JournalEntry
from mowakaba.cases import services as cs
from mowakaba.cases.models import Case, Status
from mowakaba.notifications import text
from mowakaba.notifications.models import Notification
from mowakaba.referrals.models import Referral
from mowakaba.registry import services as registry
from mowakaba.territory.models import OrgUnit
from tests.conftest import client_for

_seq = itertools.count(1)


def _home(user: Any) -> OrgUnit:
    return OrgUnit.objects.get(assignments__user=user, assignments__role__in=[Role.AGENT, Role.MANAGER])


def _open_case(agent: Any) -> Case:
    n = next(_seq)
    session = cs.listening_record(
        actor=agent, scope=scope_for_user(agent), establishment_id=_home(agent).pk,
        data={"channel": "walk_in", "account": "..."}, needs=["shelter"], consent_given=True, open_case=True,
        new_person={"given_name_lat": "Amina", "family_name_lat": f"Orientation{n}", "sex": "F", "birth_year": 1990},
    )
    assert session.case is not None
    return session.case


@pytest.fixture
def case(agent_casablanca: Any) -> Case:
    return _open_case(agent_casablanca)


@pytest.fixture
def receiving(agent_casablanca: Any, agent_tanger: Any) -> tuple[OrgUnit, User]:
    """An institution-run establishment with an agent of its own, neither Casablanca's centre nor Tanger's."""
    a = (Assignment.objects.active()
         .filter(role=Role.AGENT, org_unit__kind=OrgUnit.Kind.ESTABLISHMENT, org_unit__partner__isnull=True,
                 org_unit__active=True, user__is_active=True)
         .exclude(org_unit__in=[_home(agent_casablanca), _home(agent_tanger)])
         .select_related("org_unit", "user").order_by("pk").first())
    assert a is not None and a.org_unit is not None
    return a.org_unit, a.user


def _new_url(case: Case) -> str:
    return reverse("referrals:new") + f"?case={case.pk}"


def _send(client: Any, case: Case, **data: Any) -> Any:
    return client.post(_new_url(case), {"need": "shelter", "reason": "Hébergement d'urgence", "answer_days": "5",
                                        **data})


def _send_internal(client: Any, case: Case, unit: OrgUnit) -> Referral:
    response = _send(client, case, target="internal", to_establishment=str(unit.pk))
    assert response.status_code == 302, response.content.decode()[:2000]
    r = Referral.objects.get(case=case, to_establishment=unit)
    assert response["Location"] == reverse("referrals:referral", args=[r.pk])
    return r


def _page(response: Any) -> str:
    return html.unescape(response.content.decode())


def _in_arabic(message: str) -> str:
    """The service's message as an Arabic-speaking user reads it (the interface is Arabic first)."""
    with translation.override("ar"):
        return str(gettext(message))


def _journal_of(r: Referral) -> int:
    return JournalEntry.objects.filter(object_type="referrals.referral", object_id=str(r.pk)).count()


def _state(r: Referral) -> tuple[Any, ...]:
    r.refresh_from_db()
    case = Case.objects.get(pk=r.case_id)
    return r.status, r.answered_at, r.revoked_at, r.outcome, case.status, _journal_of(r), Notification.objects.count()


# ---- sending ------------------------------------------------------------------------------------


def test_an_internal_referral_lands_in_the_receiving_inbox_and_notifies_its_staff(
        agent_casablanca: Any, case: Case, receiving: tuple[OrgUnit, User]) -> None:
    unit, staff = receiving
    sender = client_for(agent_casablanca)
    page = sender.get(_new_url(case))
    assert page.status_code == 200 and 'data-testid="referral-form"' in page.content.decode()
    r = _send_internal(sender, case, unit)
    assert r.status == Referral.State.SENT and r.from_establishment_id == _home(agent_casablanca).pk
    assert Case.objects.get(pk=case.pk).status == Status.REFERRED
    assert Notification.objects.filter(user=staff, kind=Notification.Kind.REFERRAL_NEW, read_at=None).exists()

    receiver = client_for(staff)
    inbox = _page(receiver.get(reverse("referrals:inbox")))
    assert r.number in inbox and case.person.record_no in inbox
    assert case.person.family_name_lat in inbox  # the receiving side may see the person it was sent
    assert receiver.get(reverse("referrals:referral", args=[r.pk])).status_code == 200
    # The sender finds it under "sent by us".
    assert r.number in _page(sender.get(reverse("referrals:inbox") + "?tab=outgoing"))


def test_the_new_referral_page_needs_an_editable_case(agent_casablanca: Any, agent_tanger: Any, case: Case,
                                                      receiving: tuple[OrgUnit, User]) -> None:
    unit, _staff = receiving
    assert client_for(agent_casablanca).get(reverse("referrals:new")).status_code == 404
    assert client_for(agent_casablanca).get(reverse("referrals:new") + "?case=abc").status_code == 404
    foreign = client_for(agent_tanger)
    assert foreign.get(_new_url(case)).status_code == 404
    assert _send(foreign, case, target="internal", to_establishment=str(unit.pk)).status_code == 404
    assert not Referral.objects.filter(case=case).exists()


def test_the_establishment_picker_searches_the_whole_country(agent_casablanca: Any, agent_tanger: Any) -> None:
    tanger = _home(agent_tanger)
    client = client_for(agent_casablanca)
    found = _page(client.get(reverse("referrals:establishments"), {"establishment_q": tanger.name_fr,
                                                                    "target": "internal"}))
    assert f'value="{tanger.pk}"' in found and tanger.code in found
    partner_unit = OrgUnit.objects.filter(kind=OrgUnit.Kind.ESTABLISHMENT, active=True,
                                          partner__isnull=False).select_related("partner").first()
    assert partner_unit is not None
    found = _page(client.get(reverse("referrals:establishments"), {"establishment_q": partner_unit.name_fr,
                                                                    "target": "partner"}))
    assert f'value="{partner_unit.pk}"' in found and str(partner_unit.partner) in found
    # Partner-run establishments are not offered as internal ones, and nothing shows before typing.
    found = _page(client.get(reverse("referrals:establishments"), {"establishment_q": partner_unit.name_fr,
                                                                    "target": "internal"}))
    assert f'value="{partner_unit.pk}"' not in found
    assert 'name="to_establishment"' not in client.get(reverse("referrals:establishments")).content.decode()
    # Without JavaScript, the search button of the form gives the same list.
    case = _open_case(agent_casablanca)
    response = client.post(_new_url(case), {"find": "1", "target": "internal", "establishment_q": tanger.name_fr})
    assert response.status_code == 200 and f'value="{tanger.pk}"' in response.content.decode()
    assert not Referral.objects.filter(case=case).exists()


def test_outside_the_institution_needs_the_consent_to_sharing(agent_casablanca: Any, case: Case) -> None:
    client = client_for(agent_casablanca)
    page = _page(client.get(_new_url(case)))
    assert 'data-testid="consent-notice"' in page
    assert reverse("registry:person", args=[case.person_id]) in page
    partner = OrgUnit.objects.filter(kind=OrgUnit.Kind.ESTABLISHMENT, active=True, partner__isnull=False).first()
    assert partner is not None
    journal = JournalEntry.objects.count()
    refused = (_send(client, case, target="external", external_service="Hôpital Ibn Rochd", sector="health"),
               _send(client, case, target="partner", to_establishment=str(partner.pk)))
    expected = _in_arabic("Referring outside the institution shares the person's data: record their consent to "
                          "sharing with partners first.")
    for response in refused:
        assert response.status_code == 200 and expected in _page(response)
    assert not Referral.objects.filter(case=case).exists() and JournalEntry.objects.count() == journal

    registry.consent_record(actor=agent_casablanca, scope=scope_for_user(agent_casablanca), person_id=case.person_id,
                            purpose="sharing", method="written")
    assert 'data-testid="consent-notice"' not in client.get(_new_url(case)).content.decode()
    assert _send(client, case, target="external", external_service="Hôpital Ibn Rochd", sector="health"
                 ).status_code == 302
    assert _send(client, case, target="partner", to_establishment=str(partner.pk)).status_code == 302
    external = Referral.objects.get(case=case, target="external")
    assert external.consent is not None and external.external_service == "Hôpital Ibn Rochd"
    assert Referral.objects.get(case=case, target="partner").to_partner_id == partner.partner_id


def test_a_form_error_keeps_what_was_typed(agent_casablanca: Any, case: Case) -> None:
    response = _send(client_for(agent_casablanca), case, target="internal", reason="Soins")
    page = _page(response)
    assert response.status_code == 200 and "Soins" in page
    assert _in_arabic("Choose an establishment of the institution.") in page
    assert not Referral.objects.filter(case=case).exists()


# ---- answering ----------------------------------------------------------------------------------


def test_accept_then_complete_puts_the_case_in_care(agent_casablanca: Any, case: Case,
                                                    receiving: tuple[OrgUnit, User]) -> None:
    unit, staff = receiving
    r = _send_internal(client_for(agent_casablanca), case, unit)
    receiver = client_for(staff)
    detail = receiver.get(reverse("referrals:referral", args=[r.pk])).content.decode()
    assert reverse("referrals:accept", args=[r.pk]) in detail and reverse("referrals:revoke", args=[r.pk]) not in detail
    assert receiver.post(reverse("referrals:accept", args=[r.pk]), {"note": "Place réservée"}).status_code == 302
    r.refresh_from_db()
    assert r.status == Referral.State.ACCEPTED and r.answered_by_id == staff.pk
    assert Case.objects.get(pk=case.pk).status == Status.IN_CARE
    assert Notification.objects.filter(user=agent_casablanca, kind=Notification.Kind.REFERRAL_ANSWERED).exists()
    # Accepting twice is refused with a message; nothing changes.
    before = _state(r)
    response = receiver.post(reverse("referrals:accept", args=[r.pk]), follow=True)
    assert _in_arabic("Only a referral awaiting an answer can be accepted.") in _page(response)
    assert _state(r) == before

    assert receiver.post(reverse("referrals:complete", args=[r.pk]), {"outcome": "admitted", "note": "Admise"}
                         ).status_code == 302
    r.refresh_from_db()
    assert r.status == Referral.State.COMPLETED and r.outcome == "admitted"
    assert Case.objects.get(pk=case.pk).status == Status.IN_CARE
    # The timeline: one line per action although each is journalled on both sides.
    response = client_for(agent_casablanca).get(reverse("referrals:referral", args=[r.pk]))
    assert [e.action for e in response.context["timeline"]] == ["referral.send", "referral.accept",
                                                                "referral.complete"]


def test_declining_needs_a_reason(agent_casablanca: Any, case: Case, receiving: tuple[OrgUnit, User]) -> None:
    unit, staff = receiving
    r = _send_internal(client_for(agent_casablanca), case, unit)
    receiver = client_for(staff)
    before = _state(r)
    response = receiver.post(reverse("referrals:decline", args=[r.pk]), {"reason": "  "}, follow=True)
    assert _in_arabic("Give the reason for declining, so that the agent can look elsewhere.") in _page(response)
    assert _state(r) == before
    assert receiver.post(reverse("referrals:decline", args=[r.pk]), {"reason": "Plus de place"}).status_code == 302
    r.refresh_from_db()
    assert r.status == Referral.State.DECLINED and r.decline_reason == "Plus de place"
    # A wrong outcome is refused too (the referral is no longer accepted anyway).
    response = receiver.post(reverse("referrals:complete", args=[r.pk]), {"outcome": "nonsense"}, follow=True)
    assert response.status_code == 200 and _state(r)[0] == Referral.State.DECLINED


def test_the_sender_records_the_answer_of_a_place_without_accounts(agent_casablanca: Any, case: Case) -> None:
    registry.consent_record(actor=agent_casablanca, scope=scope_for_user(agent_casablanca), person_id=case.person_id,
                            purpose="sharing", method="oral")
    client = client_for(agent_casablanca)
    assert _send(client, case, target="external", external_service="Tribunal de première instance",
                 sector="justice").status_code == 302
    r = Referral.objects.get(case=case)
    detail = client.get(reverse("referrals:referral", args=[r.pk])).content.decode()
    assert reverse("referrals:accept", args=[r.pk]) in detail
    client.post(reverse("referrals:accept", args=[r.pk]))
    client.post(reverse("referrals:complete", args=[r.pk]), {"outcome": "served"})
    r.refresh_from_db()
    assert r.status == Referral.State.COMPLETED and r.outcome == "served"


def test_a_supervisor_of_the_sending_side_revokes(agent_casablanca: Any, manager_casablanca: Any, case: Case,
                                                  receiving: tuple[OrgUnit, User]) -> None:
    unit, staff = receiving
    r = _send_internal(client_for(agent_casablanca), case, unit)
    before = _state(r)
    agent = client_for(agent_casablanca)
    assert reverse("referrals:revoke", args=[r.pk]) not in agent.get(
        reverse("referrals:referral", args=[r.pk])).content.decode()
    assert agent.post(reverse("referrals:revoke", args=[r.pk]), {"reason": "Erreur"}).status_code == 404
    assert _state(r) == before
    manager = client_for(manager_casablanca)
    assert reverse("referrals:revoke", args=[r.pk]) in manager.get(
        reverse("referrals:referral", args=[r.pk])).content.decode()
    response = manager.post(reverse("referrals:revoke", args=[r.pk]), {"reason": ""}, follow=True)
    assert _in_arabic("Say why the referral is revoked.") in _page(response)
    assert _state(r) == before
    assert manager.post(reverse("referrals:revoke", args=[r.pk]), {"reason": "Envoyée par erreur"}
                        ).status_code == 302
    r.refresh_from_db()
    assert r.status == Referral.State.REVOKED and r.revoked_by_id == manager_casablanca.pk
    assert Notification.objects.filter(user=staff, kind=Notification.Kind.REFERRAL_REVOKED).exists()
    # The receiving side can no longer answer it.
    assert client_for(staff).post(reverse("referrals:accept", args=[r.pk])).status_code in {302, 404}
    r.refresh_from_db()
    assert r.status == Referral.State.REVOKED


def test_another_territory_gets_404_everywhere_and_nothing_changes(agent_casablanca: Any, agent_tanger: Any,
                                                                  case: Case, receiving: tuple[OrgUnit, User]) -> None:
    unit, _staff = receiving
    r = _send_internal(client_for(agent_casablanca), case, unit)
    before = _state(r)
    foreign = client_for(agent_tanger)
    assert foreign.get(reverse("referrals:referral", args=[r.pk])).status_code == 404
    for name, data in [("accept", {}), ("decline", {"reason": "x"}), ("complete", {"outcome": "served"}),
                       ("revoke", {"reason": "x"})]:
        assert foreign.post(reverse(f"referrals:{name}", args=[r.pk]), data).status_code == 404, name
    assert _state(r) == before
    assert r.number not in foreign.get(reverse("referrals:inbox") + "?tab=outgoing").content.decode()


def test_partner_staff_see_only_referrals_to_their_associations_establishments(
        agent_casablanca: Any, partner_staff: Any, case: Case, receiving: tuple[OrgUnit, User]) -> None:
    unit, _staff = receiving
    scope = scope_for_user(partner_staff)
    theirs = OrgUnit.objects.filter(scope.rows_q("pk"), kind=OrgUnit.Kind.ESTABLISHMENT, active=True,
                                    partner__isnull=False).first()
    assert theirs is not None
    registry.consent_record(actor=agent_casablanca, scope=scope_for_user(agent_casablanca), person_id=case.person_id,
                            purpose="sharing", method="oral")
    sender = client_for(agent_casablanca)
    assert _send(sender, case, target="partner", to_establishment=str(theirs.pk)).status_code == 302
    to_partner = Referral.objects.get(case=case, to_establishment=theirs)
    internal = _send_internal(sender, case, unit)
    client = client_for(partner_staff)
    page = _page(client.get(reverse("referrals:inbox")))
    assert to_partner.number in page and internal.number not in page
    assert client.get(reverse("referrals:referral", args=[internal.pk])).status_code == 404
    assert client.post(reverse("referrals:accept", args=[to_partner.pk])).status_code == 302
    to_partner.refresh_from_db()
    assert to_partner.status == Referral.State.ACCEPTED
    assert to_partner.number in _page(client.get(reverse("referrals:inbox") + "?tab=accepted"))


def test_the_inbox_tabs_are_htmx_fragments_and_late_answers_show(agent_casablanca: Any, case: Case,
                                                                  receiving: tuple[OrgUnit, User]) -> None:
    import datetime as dt

    unit, staff = receiving
    r = _send_internal(client_for(agent_casablanca), case, unit)
    Referral.objects.filter(pk=r.pk).update(answer_due=dt.date.today() - dt.timedelta(days=2))
    client = client_for(staff)
    fragment = client.get(reverse("referrals:inbox"), HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and 'id="inbox-panel"' in fragment
    assert 'class="overdue"' in fragment and r.number in fragment
    for tab in ("accepted", "done", "outgoing", "unknown"):
        assert client.get(reverse("referrals:inbox") + f"?tab={tab}").status_code == 200


def test_the_inbox_does_not_query_per_row(agent_casablanca: Any, django_assert_max_num_queries: Any,
                                          receiving: tuple[OrgUnit, User]) -> None:
    unit, staff = receiving
    sender = client_for(agent_casablanca)
    _send_internal(sender, _open_case(agent_casablanca), unit)
    client = client_for(staff)
    client.get("/")

    def count(tab: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("referrals:inbox") + f"?tab={tab}").status_code == 200
        return len(ctx.captured_queries)

    one = count("sent")
    for _i in range(4):
        _send_internal(sender, _open_case(agent_casablanca), unit)
    assert count("sent") == one
    with django_assert_max_num_queries(16):
        client.get(reverse("referrals:inbox"))
    with django_assert_max_num_queries(16):
        sender.get(reverse("referrals:inbox") + "?tab=outgoing")


# ---- notifications ------------------------------------------------------------------------------


def _notify(user: Any, n: int = 3) -> list[Notification]:
    return [Notification.objects.create(user=user, kind=Notification.Kind.CASE_ASSIGNED,
                                        params={"case": f"DOS-000000{i}"}, url="/") for i in range(n)]


def test_the_bell_counts_unread_and_mark_all_read(agent_casablanca: Any) -> None:
    Notification.objects.filter(user=agent_casablanca).delete()
    _notify(agent_casablanca, 3)
    client = client_for(agent_casablanca)
    assert 'data-unread="3"' in client.get("/").content.decode()
    page = _page(client.get(reverse("notifications:list")))
    assert page.count('class="unread"') == 3 and "DOS-0000002" in page
    assert client.post(reverse("notifications:read_all")).status_code == 302
    assert not Notification.objects.filter(user=agent_casablanca, read_at=None).exists()
    assert 'data-unread="0"' in client.get("/").content.decode()
    assert client.get(reverse("notifications:read_all")).status_code == 405


def test_opening_a_notification_marks_it_read_and_follows_it(agent_casablanca: Any, agent_tanger: Any,
                                                              case: Case, receiving: tuple[OrgUnit, User]) -> None:
    unit, staff = receiving
    r = _send_internal(client_for(agent_casablanca), case, unit)
    n = Notification.objects.get(user=staff, kind=Notification.Kind.REFERRAL_NEW, params__referral=r.number)
    assert client_for(agent_tanger).post(reverse("notifications:open", args=[n.pk])).status_code == 404
    n.refresh_from_db()
    assert n.read_at is None
    response = client_for(staff).post(reverse("notifications:open", args=[n.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("referrals:referral", args=[r.pk])
    n.refresh_from_db()
    assert n.read_at is not None
    # A stored address off the site is never followed.
    off = Notification.objects.create(user=staff, kind=Notification.Kind.CASE_ASSIGNED, url="https://evil.example/")
    assert client_for(staff).post(reverse("notifications:open", args=[off.pk]))["Location"] == reverse(
        "notifications:list")


def test_anonymous_visitors_cost_no_bell_query(db: Any, django_assert_num_queries: Any) -> None:
    from django.contrib.auth.models import AnonymousUser

    from mowakaba.notifications.context_processors import bell

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    with django_assert_num_queries(0):
        assert bell(request) == {}


def test_notification_sentences_name_no_one(agent_casablanca: Any, case: Case) -> None:
    def say(kind: str, /, **params: Any) -> str:
        with translation.override("en"):
            return text.render(Notification(user=agent_casablanca, kind=kind, params=params))

    K = Notification.Kind
    assert say(K.REFERRAL_NEW, referral="REF-0000012") == "New referral REF-0000012 awaits your answer"
    assert say(K.APPROVAL_REQUESTED, case="DOS-0000034", kind="placement") == (
        "Approval requested for case DOS-0000034 (Placement in an establishment)")
    assert say(K.DEADLINE_MISSED, case="DOS-0000034", deadline="first_action") == (
        "Deadline missed on case DOS-0000034: first action")
    assert say(K.TASK_OVERDUE, count=3) == "3 follow-ups are overdue"
    assert say(K.TASK_OVERDUE, count=1) == "1 follow-up is overdue"
    assert say(K.REFERRAL_ANSWERED, referral="REF-1", status="declined") == "Referral REF-1 was declined"
    reminder = say(K.REFERRAL_REMINDER, referral="REF-1", due="2025-03-04")
    assert reminder.startswith("Referral REF-1 has had no answer since ") and "2025" in reminder
    assert say("unknown") == "Notification"
    # Every notification the services wrote for this case says numbers, never the person's name.
    with translation.override("ar"):
        html_text = text.render_html(Notification(kind=K.REFERRAL_NEW, params={"referral": "REF-0000012"}))
    assert '<bdi dir="ltr">REF-0000012</bdi>' in html_text
    for kind in K.values:
        sentence = say(kind, referral="REF-1", case=case.number, kind="plan", count=2, hours=24, due="2025-01-02",
                       deadline="plan", status="accepted", decision="approved", accepted=True)
        assert sentence and case.person.family_name_lat not in sentence
