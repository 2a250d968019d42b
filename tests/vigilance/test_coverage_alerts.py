"""The coverage of a need group feeds the alerts: a province far below the national coverage
of its estimated need raises one, with how it was computed; a missing census cell raises none."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.utils import timezone

from mowakaba.territory.models import NeedEstimate, OrgUnit, Province
from mowakaba.vigilance.alerts import group_coverage_candidates
from mowakaba.vigilance.models import CoverageFact

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 20)


def _setup(casa_need: float | None, casa_served: int) -> Province:
    casa = Province.objects.get(code="06.141")
    assert OrgUnit.objects.filter(kind=OrgUnit.Kind.ESTABLISHMENT, commune__province=casa).exists()
    CoverageFact.objects.all().delete()
    NeedEstimate.objects.filter(group="disability", level__in=["N", "P"]).delete()
    NeedEstimate.objects.create(level="N", code="", group="disability", value=1_000_000)
    NeedEstimate.objects.create(level="P", code=casa.code, group="disability", value=casa_need)
    now = timezone.now()
    CoverageFact.objects.create(period="12m", level="N", code="", group="disability", served=10_000, computed_at=now)
    CoverageFact.objects.create(period="12m", level="P", code=casa.code, group="disability", served=casa_served,
                                computed_at=now)
    return casa


def test_a_province_far_below_the_national_coverage_of_its_need_raises_an_alert() -> None:
    casa = _setup(casa_need=100_000, casa_served=200)  # 0.2 % against 1 % nationally: a fifth
    found = [c for c in group_coverage_candidates(today=TODAY) if c.province_id == casa.pk]
    assert len(found) == 1
    c = found[0]
    assert c.subject == "disability" and c.score == pytest.approx(0.2)
    assert c.observed == pytest.approx(0.2) and c.expected == pytest.approx(1.0)
    assert c.explanation["need"] == 100_000 and c.explanation["served"] == 200
    assert c.severity == "critical"  # below a quarter of the national coverage


def test_a_province_near_the_national_coverage_raises_none() -> None:
    casa = _setup(casa_need=100_000, casa_served=800)
    assert not [c for c in group_coverage_candidates(today=TODAY) if c.province_id == casa.pk]


def test_a_missing_census_cell_is_not_read_as_zero_need(db: Any) -> None:
    casa = _setup(casa_need=None, casa_served=0)
    assert not [c for c in group_coverage_candidates(today=TODAY) if c.province_id == casa.pk]
