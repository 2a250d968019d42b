"""The plan pages: head office builds a plan through the forms; readers see their territory's
targets and no button; every write page is a 404 for them."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from mowakaba.planning.models import ActionPlan, Axis, Objective, Target
from tests.conftest import client_for
from tests.planning.helpers import YEAR, indicator, plan_with_objective, province_of, target


@pytest.mark.django_db
def test_head_office_builds_a_plan_through_the_pages(national_admin: Any) -> None:
    c = client_for(national_admin)
    assert c.get(reverse("planning:list")).status_code == 200
    assert c.get(reverse("planning:new")).status_code == 200
    r = c.post(reverse("planning:new"), {"year": YEAR, "name_ar": "مخطط", "name_fr": "Plan"})
    assert r.status_code == 302
    plan = ActionPlan.objects.get(year=YEAR)
    r = c.post(reverse("planning:axis_new", args=[YEAR]),
               {"number": 1, "name_ar": "محور", "name_fr": "Axe", "version": plan.version})
    assert r.status_code == 302, r.content.decode()[:2000]
    axis = Axis.objects.get(plan=plan)
    plan.refresh_from_db()
    c.post(reverse("planning:objective_new", args=[axis.pk]),
           {"number": 1, "name_ar": "هدف", "name_fr": "Objectif", "version": plan.version})
    obj = Objective.objects.get(axis=axis)
    plan.refresh_from_db()
    assert c.get(reverse("planning:target_new", args=[obj.pk])).status_code == 200
    data = {"indicator": indicator("beneficiaries").pk, "territory": "R", "value": "100", "profile": "linear",
            "version": plan.version}
    r = c.post(reverse("planning:target_new", args=[obj.pk]), data)
    with translation.override("ar"):  # explained on the form, in the reader's language (Arabic here)
        needs_region = gettext("A regional target needs its region.")
    assert r.status_code == 200 and needs_region in r.content.decode()
    assert not Target.objects.filter(objective=obj).exists()
    data["territory"] = "N"
    r = c.post(reverse("planning:target_new", args=[obj.pk]), data)
    assert r.status_code == 302
    t = Target.objects.get(objective=obj)
    # A second tab still holding the old version is refused, nothing overwritten.
    r = c.post(reverse("planning:target_edit", args=[t.pk]), {**data, "value": "5"})
    with translation.override("ar"):
        stale = gettext("Someone else changed this plan since you opened the page. Your changes were not saved: "
                        "reload the page and try again.")
    assert r.status_code == 200 and stale in r.content.decode()
    t.refresh_from_db()
    assert t.value == 100
    plan.refresh_from_db()
    r = c.post(reverse("planning:adopt", args=[YEAR]), {"version": plan.version})
    assert r.status_code == 302
    plan.refresh_from_db()
    assert plan.status == ActionPlan.Status.ADOPTED
    page = c.get(reverse("planning:plan", args=[YEAR])).content.decode()
    assert 'data-testid="target"' in page and reverse("planning:target_edit", args=[t.pk]) in page
    r = c.post(reverse("planning:copy", args=[YEAR]))
    assert r.status_code == 302 and ActionPlan.objects.filter(year=YEAR + 1).exists()


@pytest.mark.django_db
def test_a_delegate_reads_their_province_only_and_writes_nothing(delegate_casablanca: Any,
                                                                 delegate_tanger: Any) -> None:
    plan, obj = plan_with_objective()
    mine = target(obj, "beneficiaries", 100, territory="P", province=province_of(delegate_casablanca))
    other = target(obj, "beneficiaries", 70, territory="P", province=province_of(delegate_tanger))
    target(obj, "beneficiaries", 1000)
    c = client_for(delegate_casablanca)
    page = c.get(reverse("planning:plan", args=[YEAR])).content.decode()
    assert page.count('data-testid="target"') == 1
    assert str(province_of(delegate_casablanca)) in page and str(province_of(delegate_tanger)) not in page
    assert reverse("planning:target_edit", args=[mine.pk]) not in page
    for url in (reverse("planning:new"), reverse("planning:edit", args=[YEAR]),
                reverse("planning:axis_new", args=[YEAR]), reverse("planning:target_edit", args=[other.pk]),
                reverse("planning:target_new", args=[obj.pk]), reverse("planning:objective_edit", args=[obj.pk])):
        assert c.get(url).status_code == 404, url
    for url in (reverse("planning:adopt", args=[YEAR]), reverse("planning:copy", args=[YEAR]),
                reverse("planning:target_delete", args=[mine.pk])):
        assert c.post(url, {"version": plan.version}).status_code == 404, url
    assert Target.objects.filter(pk=mine.pk).exists()
