"""Building the action plan through the services: head office only, every refusal leaves the
plan and the journal as they were, the version lock, adoption, the copy to the next year, and
who reads which targets."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from mowakaba.accounts.scope import scope_for_user
from mowakaba.audit.models import JournalEntry
from mowakaba.core.errors import StaleEdit
from mowakaba.planning import selectors
from mowakaba.planning import services as ps
from mowakaba.planning.models import ActionPlan, Axis, Objective, Target
from mowakaba.territory.models import Province
from tests.planning.helpers import YEAR, indicator, plan_with_objective, province_of, target

NAMES = {"name_ar": "مخطط العمل", "name_fr": "Plan d'action", "name_en": ""}


def _state() -> tuple[Any, ...]:
    return (sorted(ActionPlan.objects.values_list("pk", "year", "status", "version", "name_fr")),
            sorted(Axis.objects.values_list("pk", "number", "name_fr")),
            sorted(Objective.objects.values_list("pk", "number", "name_fr")),
            sorted(Target.objects.values_list("pk", "indicator_id", "territory", "region_id", "province_id",
                                              "value")),
            JournalEntry.objects.filter(action__startswith="planning.").count())


def _build(user: Any) -> tuple[ActionPlan, Objective, Target]:
    scope = scope_for_user(user)
    plan = ps.plan_create(actor=user, scope=scope, data={"year": YEAR, **NAMES})
    axis = ps.axis_save(actor=user, scope=scope, plan_id=plan.pk, expected_version=1,
                        data={"number": 1, "name_ar": "الدعم المؤسساتي", "name_fr": "Appui institutionnel"})
    obj = ps.objective_save(actor=user, scope=scope, axis_id=axis.pk, expected_version=2,
                            data={"number": 1, "name_ar": "وحدات جديدة", "name_fr": "Nouvelles unités"})
    t = ps.target_save(actor=user, scope=scope, objective_id=obj.pk, expected_version=3,
                       data={"indicator_id": indicator("beneficiaries").pk, "territory": "N", "value": 1200,
                             "baseline": 900, "profile": "linear", "note": "2015: 14 000"})
    return plan, obj, t


@pytest.mark.django_db
def test_head_office_builds_adopts_and_revises_a_plan(national_admin: Any) -> None:
    user, scope = national_admin, scope_for_user(national_admin)
    plan, _obj, t = _build(user)
    plan.refresh_from_db()
    assert plan.version == 4 and plan.status == ActionPlan.Status.DRAFT
    assert (t.territory, t.value, t.baseline, t.region_id, t.province_id) == ("N", 1200, 900, None, None)
    ps.plan_adopt(actor=user, scope=scope, plan_id=plan.pk, expected_version=4)
    plan.refresh_from_db()
    assert plan.status == ActionPlan.Status.ADOPTED and plan.adopted_by == user and plan.adopted_at
    # Adopted: still revisable, and the change is journalled with its before and after.
    ps.target_save(actor=user, scope=scope, target_id=t.pk, expected_version=5,
                   data={"indicator_id": t.indicator_id, "territory": "N", "value": 1500, "profile": "linear"})
    t.refresh_from_db()
    assert t.value == 1500
    entries = list(JournalEntry.objects.filter(action__startswith="planning.").order_by("pk"))
    assert [e.action for e in entries] == ["planning.plan.create", "planning.axis.create",
                                           "planning.objective.create", "planning.target.create",
                                           "planning.plan.adopt", "planning.target.update"]
    assert entries[-1].changes["value"] == [1200.0, 1500.0]
    assert entries[-1].actor == user


@pytest.mark.django_db
def test_regional_and_provincial_targets_need_their_territory(national_admin: Any) -> None:
    user, scope = national_admin, scope_for_user(national_admin)
    _plan, obj, _t = _build(user)
    before = _state()
    ind = indicator("beneficiaries").pk
    with pytest.raises(ValidationError) as exc:
        ps.target_save(actor=user, scope=scope, objective_id=obj.pk, expected_version=4,
                       data={"indicator_id": ind, "territory": "R", "value": 10})
    assert "region" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        ps.target_save(actor=user, scope=scope, objective_id=obj.pk, expected_version=4,
                       data={"indicator_id": ind, "territory": "P", "region_id": 1, "value": 10})
    assert "province" in exc.value.message_dict
    assert _state() == before
    province = Province.objects.order_by("code").first()
    assert province is not None
    # The province target keeps its province only, whatever else the form sent.
    t = ps.target_save(actor=user, scope=scope, objective_id=obj.pk, expected_version=4,
                       data={"indicator_id": ind, "territory": "P", "region_id": province.region_id,
                             "province_id": province.pk, "value": 10})
    assert (t.territory, t.region_id, t.province_id) == ("P", None, province.pk)


@pytest.mark.django_db
def test_refused_inputs_change_nothing(national_admin: Any) -> None:
    user, scope = national_admin, scope_for_user(national_admin)
    plan, obj, t = _build(user)
    before = _state()
    ind = indicator("beneficiaries").pk
    cases: list[tuple[Any, type[Exception], str | None]] = [
        # The same indicator and territory twice in one objective, with a message that says so.
        (lambda: ps.target_save(actor=user, scope=scope, objective_id=obj.pk, expected_version=4,
                                data={"indicator_id": ind, "territory": "N", "value": 5}), ValidationError,
         "indicator"),
        (lambda: ps.target_save(actor=user, scope=scope, objective_id=obj.pk, expected_version=4,
                                data={"indicator_id": indicator("referral_completion_rate").pk, "territory": "N",
                                      "value": 120}), ValidationError, "value"),
        (lambda: ps.target_save(actor=user, scope=scope, objective_id=obj.pk, expected_version=4,
                                data={"indicator_id": ind, "territory": "R", "value": -1}), ValidationError, "value"),
        (lambda: ps.target_save(actor=user, scope=scope, objective_id=obj.pk, expected_version=4,
                                data={"indicator_id": 0, "territory": "N", "value": 1}), ValidationError,
         "indicator"),
        (lambda: ps.axis_save(actor=user, scope=scope, plan_id=plan.pk, expected_version=4,
                              data={"number": 1, **NAMES}), ValidationError, "number"),
        (lambda: ps.axis_save(actor=user, scope=scope, plan_id=plan.pk, expected_version=4,
                              data={"number": 2, "name_ar": "", "name_fr": ""}), ValidationError, "name_ar"),
        (lambda: ps.plan_create(actor=user, scope=scope, data={"year": YEAR, **NAMES}), ValidationError, "year"),
        (lambda: ps.plan_create(actor=user, scope=scope, data={"year": 1990, **NAMES}), ValidationError, "year"),
        # A form opened before someone else's save.
        (lambda: ps.target_save(actor=user, scope=scope, target_id=t.pk, expected_version=3,
                                data={"indicator_id": ind, "territory": "N", "value": 5}), StaleEdit, None),
        (lambda: ps.plan_adopt(actor=user, scope=scope, plan_id=plan.pk, expected_version=1), StaleEdit, None),
        (lambda: ps.axis_delete(actor=user, scope=scope, axis_id=obj.axis_id, expected_version=4), ValidationError,
         None),
        (lambda: ps.objective_delete(actor=user, scope=scope, objective_id=obj.pk, expected_version=4),
         ValidationError, None),
    ]
    for call, error, field in cases:
        with pytest.raises(error) as exc:
            call()
        if field is not None:
            assert field in exc.value.message_dict, exc.value  # type: ignore[attr-defined]
        assert _state() == before
    with pytest.raises(ValidationError) as dup:
        ps.target_save(actor=user, scope=scope, objective_id=obj.pk, expected_version=4,
                       data={"indicator_id": ind, "territory": "N", "value": 5})
    assert "indicator" in dup.value.message_dict  # the duplicate is explained on the indicator field


@pytest.mark.django_db
def test_an_empty_plan_cannot_be_adopted_and_an_archived_one_cannot_change(national_admin: Any) -> None:
    user, scope = national_admin, scope_for_user(national_admin)
    plan = ps.plan_create(actor=user, scope=scope, data={"year": YEAR, **NAMES})
    with pytest.raises(ValidationError):
        ps.plan_adopt(actor=user, scope=scope, plan_id=plan.pk, expected_version=1)
    ActionPlan.objects.filter(pk=plan.pk).update(status=ActionPlan.Status.ARCHIVED)
    with pytest.raises(ValidationError):
        ps.plan_update(actor=user, scope=scope, plan_id=plan.pk, expected_version=1, data=NAMES)


@pytest.mark.django_db
def test_nobody_but_head_office_writes(delegate_casablanca: Any, coordinator_casablanca: Any, dpo: Any,
                                       sysadmin: Any, authority_viewer: Any, national_admin: Any) -> None:
    plan, _obj, t = _build(national_admin)
    before = _state()

    def writes(user: Any, scope: Any) -> list[Any]:
        return [
            lambda: ps.plan_create(actor=user, scope=scope, data={"year": YEAR + 1, **NAMES}),
            lambda: ps.plan_adopt(actor=user, scope=scope, plan_id=plan.pk, expected_version=4),
            lambda: ps.axis_save(actor=user, scope=scope, plan_id=plan.pk, expected_version=4,
                                 data={"number": 2, **NAMES}),
            lambda: ps.target_save(actor=user, scope=scope, target_id=t.pk, expected_version=4,
                                   data={"indicator_id": t.indicator_id, "territory": "N", "value": 1}),
            lambda: ps.target_delete(actor=user, scope=scope, target_id=t.pk, expected_version=4),
            lambda: ps.plan_copy(actor=user, scope=scope, plan_id=plan.pk),
        ]

    for user in (delegate_casablanca, coordinator_casablanca, dpo, sysadmin, authority_viewer):
        scope = scope_for_user(user)
        assert not selectors.can_edit(scope)
        for call in writes(user, scope):
            with pytest.raises(Http404):
                call()
    assert _state() == before


@pytest.mark.django_db
def test_copy_to_next_year_brings_axes_objectives_and_targets(national_admin: Any) -> None:
    user, scope = national_admin, scope_for_user(national_admin)
    plan, _obj, t = _build(user)
    new = ps.plan_copy(actor=user, scope=scope, plan_id=plan.pk)
    assert new.year == YEAR + 1 and new.status == ActionPlan.Status.DRAFT
    copied = Target.objects.get(objective__axis__plan=new)
    assert (copied.indicator_id, copied.value, copied.baseline, copied.objective.number,
            copied.objective.axis.name_fr) == (t.indicator_id, 1200, 900, 1, "Appui institutionnel")
    with pytest.raises(ValidationError):  # the next year has its plan now
        ps.plan_copy(actor=user, scope=scope, plan_id=plan.pk)


@pytest.mark.django_db
def test_readers_see_the_targets_of_their_territory(national_admin: Any, delegate_casablanca: Any,
                                                     coordinator_casablanca: Any, delegate_tanger: Any) -> None:
    plan, obj = plan_with_objective()
    casa = province_of(delegate_casablanca)
    tanger = province_of(delegate_tanger)
    n = target(obj, "beneficiaries", 1000)
    r = target(obj, "beneficiaries", 300, territory="R", region=casa.region)
    p_casa = target(obj, "beneficiaries", 100, territory="P", province=casa)
    p_tanger = target(obj, "beneficiaries", 50, territory="P", province=tanger)

    def seen(user: Any) -> set[int]:
        return set(selectors.visible_targets(scope_for_user(user), plan).values_list("pk", flat=True))

    assert seen(national_admin) == {n.pk, r.pk, p_casa.pk, p_tanger.pk}
    assert seen(delegate_casablanca) == {p_casa.pk}
    assert seen(delegate_tanger) == {p_tanger.pk}
    assert seen(coordinator_casablanca) >= {r.pk, p_casa.pk}
    assert n.pk not in seen(coordinator_casablanca) and p_tanger.pk not in seen(coordinator_casablanca)
    # A draft is head office's alone.
    ActionPlan.objects.filter(pk=plan.pk).update(status=ActionPlan.Status.DRAFT)
    with pytest.raises(Http404):
        selectors.plan_for_year(scope_for_user(delegate_casablanca), plan.year)
    assert selectors.plan_for_year(scope_for_user(national_admin), plan.year) == plan
