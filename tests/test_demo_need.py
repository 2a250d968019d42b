"""The demo places its persons by census need (issue 7): more persons where more need, coverage
still uneven, disability drawn with the commune's prevalence, and the same persons for a seed."""

from __future__ import annotations

import statistics
from typing import Any

import pytest

pytestmark = pytest.mark.django_db


def _ranks(xs: list[float]) -> list[float]:
    """Ranks with ties averaged, for Spearman's correlation."""
    order = sorted(range(len(xs)), key=xs.__getitem__)
    ranks = [0.0] * len(xs)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and xs[order[j + 1]] == xs[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2
        i = j + 1
    return ranks


def spearman(xs: list[float], ys: list[float]) -> float:
    return statistics.correlation(_ranks(xs), _ranks(ys))


def _province_need() -> dict[str, float]:
    """Each province's average share of the national need over the groups, from the stored
    province estimates (not from the generator's own commune weights)."""
    from mowakaba.territory.models import NeedEstimate

    values: dict[str, dict[str, float]] = {}
    for code, group, value in NeedEstimate.objects.filter(level="P", year=2024, value__isnull=False).values_list(
            "code", "group", "value"):
        if value is not None:
            values.setdefault(group, {})[code] = value
    totals = {g: sum(v.values()) for g, v in values.items()}
    codes = {c for v in values.values() for c in v}
    need = {}
    for code in codes:
        shares = [v[code] / totals[g] for g, v in values.items() if code in v]
        need[code] = sum(shares) / len(shares)
    return need


def test_spearman_by_hand() -> None:
    assert spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    assert spearman([1, 2, 2, 3], [1, 2, 3, 4]) == pytest.approx(0.9487, abs=1e-3)


def test_demo_persons_follow_need_by_province() -> None:
    from django.db.models import Count

    from mowakaba.registry.models import Person
    from mowakaba.territory.models import OrgUnit

    need = _province_need()
    with_establishments = set(OrgUnit.objects.filter(kind=OrgUnit.Kind.ESTABLISHMENT)
                              .values_list("commune__province__code", flat=True))
    persons = dict(Person.objects.values_list("establishment__commune__province__code")
                   .annotate(n=Count("pk")).values_list("establishment__commune__province__code", "n"))
    codes = sorted(with_establishments & set(need))
    assert len(codes) > 60
    rho = spearman([need[c] for c in codes], [persons.get(c, 0) for c in codes])
    assert rho > 0.5, rho
    # Yet coverage is not the same everywhere: some provinces are well behind others.
    total = sum(persons.get(c, 0) for c in codes)
    ratios = sorted(persons.get(c, 0) / total / need[c] for c in codes)
    assert ratios[len(ratios) // 10] < 0.75 * ratios[len(ratios) * 9 // 10]


def _fresh(seed: int, total: int) -> list[tuple[Any, ...]]:
    from django.db.models import Max

    from mowakaba.demo.persons import generate_persons
    from mowakaba.registry.models import Person

    last = Person.objects.aggregate(m=Max("pk"))["m"] or 0
    generate_persons(total=total, seed=seed, duplicate_share=0.0)
    return list(Person.objects.filter(pk__gt=last).order_by("pk").values_list(
        "establishment_id", "commune_id", "commune__code", "sex", "birth_year", "disability"))


def test_disability_follows_commune_prevalence_and_seed_repeats() -> None:
    from mowakaba.territory.models import CensusProfile

    first = _fresh(11, 2500)
    assert first == _fresh(11, 2500)[: len(first)]  # same seed, same persons
    assert first != _fresh(12, 2500)

    prevalence = {code: v["disability_prevalence"] for code, v in CensusProfile.objects.filter(
        level="C", sex="all").values_list("code", "values") if "disability_prevalence" in v}
    rows = sorted((prevalence[r[2]], bool(r[5])) for r in first if r[2] in prevalence)
    half = len(rows) // 2
    low = sum(d for _p, d in rows[:half]) / half
    high = sum(d for _p, d in rows[half:]) / (len(rows) - half)
    assert high > low * 1.15, (low, high)
    # More often disabled than the population (4.8% in 2024), as in a social institution.
    assert 0.08 < sum(bool(r[5]) for r in first) / len(first) < 0.4
