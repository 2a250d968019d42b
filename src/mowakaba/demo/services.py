"""A plausible synthetic institution at any scale, written with bulk inserts.

The structure follows the seed year: 10 regional coordinations over the 12 regions, 72
provincial delegations over the 75 provinces and prefectures, establishments in each province
in proportion to its 2024 population, about 45% of the education, care and listening
establishments run by partner associations. Staff get plausible Moroccan names in both
scripts. Everything is synthetic: no real person, no real phone or ID number.

Later issues extend ``generate`` with their own records (people, cases, referrals...).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction

from mowakaba.accounts.models import Assignment, Role, User
from mowakaba.audit.services import journal_write
from mowakaba.demo.names import random_person_name
from mowakaba.territory.models import (
    CensusProfile,
    Commune,
    EstablishmentType,
    OrgUnit,
    PartnerAssociation,
    Province,
    Region,
)
from mowakaba.territory.need import census_load
from mowakaba.territory.services import territory_load_reference

DEMO_PASSWORD = "demo-Mowakaba-2026"


@dataclass(frozen=True)
class Scale:
    name: str
    inhabitants_per_establishment: int
    min_per_delegation: int
    agents_per_establishment: float
    persons: int


SCALES = {
    "small": Scale("small", 90_000, 2, 1.0, 3_000),
    "province": Scale("province", 30_000, 4, 1.1, 50_000),
    # About 2,850 establishments and 3,500 agents: the institution's size in the seed year;
    # a million persons in the registry, as after a few years of work.
    "national": Scale("national", 13_000, 6, 1.25, 1_000_000),
}

# Region groupings of the seed year's 10 coordinations (HCP region codes).
COORDINATION_GROUPS: list[tuple[str, ...]] = [
    ("01",), ("02",), ("03",), ("04",), ("05",), ("06",), ("07",), ("08",), ("09", "10"), ("11", "12"),
]
# Small provinces served by a neighbour's delegation in the seed year (72 delegations for 75).
DELEGATION_MERGES = {"11.537": "11.321", "12.066": "12.391", "10.071": "10.261"}  # Tarfaya, Aousserd, Assa-Zag

# Relative frequency of each type and the share run by associations.
TYPE_MIX: dict[str, tuple[int, float, tuple[int, int] | None]] = {
    # code: (weight, partner share, capacity range or None)
    "cas": (10, 0.05, (20, 60)),
    "cef": (20, 0.5, (60, 200)),
    "kindergarten": (12, 0.6, (30, 90)),
    "eps_student": (10, 0.7, (40, 160)),
    "eps_children": (4, 0.6, (30, 120)),
    "eps_elderly": (3, 0.6, (30, 150)),
    "eps_disability": (4, 0.7, (20, 104)),
    "eps_women": (2, 0.6, (10, 40)),
    "eps_homeless": (2, 0.5, (20, 80)),
    "emf": (5, 0.6, (15, 50)),
    "ceo": (5, 0.8, (15, 40)),
    "upe": (4, 0.1, (10, 30)),
    "coaph": (3, 0.1, (20, 60)),
    "ups": (4, 0.1, (20, 60)),
    "cfa": (5, 0.4, (40, 150)),
    "csp": (6, 0.5, (40, 150)),
    "cvs": (1, 0.0, None),
}

ASSOCIATION_WORDS = [
    ("Al Amal", "الأمل"), ("Annour", "النور"), ("Al Wafae", "الوفاء"), ("Attadamoun", "التضامن"),
    ("Annahda", "النهضة"), ("Al Khair", "الخير"), ("Assalam", "السلام"), ("Al Mostakbal", "المستقبل"),
    ("Ennajah", "النجاح"), ("Al Ihsane", "الإحسان"), ("Attawassoul", "التواصل"), ("Al Fajr", "الفجر"),
]

# The demo logins printed by `make run`: (username, role, where, note).
DEMO_LOGINS = [
    ("agent.casa", Role.AGENT, "establishment:06.141", "field agent, a social assistance centre in Casablanca"),
    ("manager.casa", Role.MANAGER, "establishment:06.141", "manager of that centre"),
    ("delegate.casa", Role.DELEGATE, "delegation:06.141", "provincial delegate, Casablanca"),
    ("coordinator.casa", Role.COORDINATOR, "coordination:06", "regional coordinator, Casablanca-Settat"),
    ("agent.tanger", Role.AGENT, "establishment:01.511", "field agent in Tanger-Assilah (another territory)"),
    ("delegate.tanger", Role.DELEGATE, "delegation:01.511", "provincial delegate, Tanger-Assilah"),
    ("headoffice", Role.HEAD_OFFICE, "national", "head office, the whole country"),
    ("partner.casa", Role.PARTNER_STAFF, "partner:06.141", "staff of a partner association in Casablanca"),
    ("authority.casa", Role.AUTHORITY, "region:06", "authority viewer, Casablanca-Settat (aggregates only)"),
    ("dpo", Role.DPO, "national", "data-protection officer"),
    ("admin", Role.SYSADMIN, "national", "system administrator (structure and accounts)"),
]


def _weighted(rng: random.Random, items: Sequence[Any], weights: Sequence[float]) -> Any:
    return rng.choices(items, weights=weights, k=1)[0]


def _paths(units: list[OrgUnit], parent_path: dict[int | None, str]) -> None:
    for u in units:
        base = parent_path.get(u.parent_id, "/")
        u.path = f"{base}{u.pk}/"
        u.depth = base.count("/") - 1


def generate(scale_name: str = "small", seed: int = 2026,
             progress: Callable[[str], None] | None = None, persons: int | None = None) -> dict[str, float]:
    """Build the synthetic institution, then its registry. Refuses to run twice on one database."""
    from mowakaba.demo.persons import generate_persons

    say = progress or (lambda _msg: None)
    counts = _structure(scale_name, seed, say)
    started = time.monotonic()
    people = generate_persons(total=persons if persons is not None else SCALES[scale_name].persons, seed=seed,
                              progress=lambda done, total: say(f"{done:,}/{total:,} persons"))
    from mowakaba.demo.casework import generate_casework

    casework = generate_casework(seed=seed, progress=say)
    from mowakaba.demo.partners import generate_partners

    casework |= generate_partners(seed=seed, progress=say)  # the associations' conventions, reports, visits
    from mowakaba.demo.programs import generate_programmes

    casework |= generate_programmes(seed=seed, progress=say)  # offerings, enrolments, group attendance
    from mowakaba.demo.training import generate_training

    training = generate_training(seed=seed, progress=say)
    from mowakaba.demo.planning import generate_plan

    training |= generate_plan(seed=seed, progress=say)  # the yearly "4+4" action plans and their targets
    counts = {**counts, **people, **casework, **training,
              "seconds": round(counts["seconds"] + time.monotonic() - started, 1)}
    journal_write(actor=None, action="demo.generate", object_type="demo", object_repr=f"scale={scale_name}",
                  changes=counts)
    refresh_statistics()
    return counts


def refresh_statistics() -> None:
    """Give the query planner row statistics after a bulk load. Without them SQLite guesses, and
    may read a million casework rows through a status index instead of the person index.
    PostgreSQL's autovacuum would get there later; a demo is used at once."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA analysis_limit=1000")
            cursor.execute("ANALYZE")
        elif connection.vendor == "postgresql":
            cursor.execute("ANALYZE")


@transaction.atomic
def _structure(scale_name: str, seed: int, say: Callable[[str], None]) -> dict[str, float]:
    if scale_name not in SCALES:
        raise ValueError(f"unknown scale {scale_name!r}; choose one of {', '.join(SCALES)}")
    if OrgUnit.objects.exists():
        raise RuntimeError("the database already has an institution; demo data goes into an empty database")
    scale = SCALES[scale_name]
    rng = random.Random(seed)
    started = time.monotonic()

    if not Commune.objects.exists():
        territory_load_reference()
    say("territory loaded")
    if not CensusProfile.objects.filter(year=2024).exists():
        census_load()  # the persons are placed in proportion to the census needs (demo/persons.py)
        say("census loaded")
    regions = {r.code: r for r in Region.objects.all()}
    provinces = list(Province.objects.select_related("region").order_by("code"))
    communes_by_province: dict[int, list[Commune]] = {}
    for c in Commune.objects.order_by("code"):
        communes_by_province.setdefault(c.province_id, []).append(c)
    types = {t.code: t for t in EstablishmentType.objects.all()}

    # ---- national, coordinations, delegations -------------------------------------------
    national = OrgUnit(kind=OrgUnit.Kind.NATIONAL, code="EN", name_fr="Entraide Nationale — siège",
                       name_ar="التعاون الوطني — الإدارة المركزية")
    national.save()
    national.path, national.depth = f"/{national.pk}/", 0
    national.save(update_fields=["path", "depth"])

    coordinations = []
    for group in COORDINATION_GROUPS:
        rs = [regions[c] for c in group]
        coordinations.append(OrgUnit(
            kind=OrgUnit.Kind.COORDINATION, code=f"COORD-{group[0]}", parent=national,
            name_fr="Coordination régionale " + " / ".join(r.name_fr for r in rs),
            name_ar="التنسيقية الجهوية " + " / ".join(r.name_ar for r in rs),
        ))
    OrgUnit.objects.bulk_create(coordinations)
    _paths(coordinations, {national.pk: national.path})
    OrgUnit.objects.bulk_update(coordinations, ["path", "depth"])
    coord_of_region: dict[str, OrgUnit] = {}
    through_regions = OrgUnit.regions.through
    links = []
    for group, unit in zip(COORDINATION_GROUPS, coordinations, strict=True):
        for code in group:
            coord_of_region[code] = unit
            links.append(through_regions(orgunit_id=unit.pk, region_id=regions[code].pk))
    through_regions.objects.bulk_create(links)

    delegations: dict[str, OrgUnit] = {}
    for p in provinces:
        if p.code in DELEGATION_MERGES:
            continue
        delegations[p.code] = OrgUnit(
            kind=OrgUnit.Kind.DELEGATION, code=f"DEL-{p.code}", parent=coord_of_region[p.region.code],
            name_fr=f"Délégation provinciale {p.name_fr}", name_ar=f"المندوبية الإقليمية {p.name_ar}",
        )
    OrgUnit.objects.bulk_create(list(delegations.values()))
    _paths(list(delegations.values()), {c.pk: c.path for c in coordinations})
    OrgUnit.objects.bulk_update(list(delegations.values()), ["path", "depth"])
    delegation_of: dict[str, OrgUnit] = {p.code: delegations[DELEGATION_MERGES.get(p.code, p.code)] for p in provinces}
    through_prov = OrgUnit.provinces.through
    through_prov.objects.bulk_create(
        [through_prov(orgunit_id=delegation_of[p.code].pk, province_id=p.pk) for p in provinces]
    )
    say(f"{len(coordinations)} coordinations, {len(delegations)} delegations")

    # ---- partner associations --------------------------------------------------------------
    partners_by_province: dict[int, list[PartnerAssociation]] = {}
    partner_rows = []
    for p in provinces:
        n = 1 + p.population_2024 // 400_000
        for i in range(n):
            word_fr, word_ar = ASSOCIATION_WORDS[(i + p.pk) % len(ASSOCIATION_WORDS)]
            partner_rows.append(PartnerAssociation(
                name=f"Association {word_fr} pour le développement social — {p.name_fr}",
                name_ar=f"جمعية {word_ar} للتنمية الاجتماعية — {p.name_ar}",
                registration_number=f"DEMO-{p.code}-{i + 1:02d}", province=p,
                representative=" ".join(random_person_name(rng, rng.choice("MF"))[:2]),
            ))
    PartnerAssociation.objects.bulk_create(partner_rows)
    for pa in partner_rows:
        assert pa.province_id is not None
        partners_by_province.setdefault(pa.province_id, []).append(pa)

    # ---- establishments ---------------------------------------------------------------------
    type_codes = list(TYPE_MIX)
    type_weights = [TYPE_MIX[c][0] for c in type_codes]
    establishments: list[OrgUnit] = []
    first_cas: dict[str, OrgUnit] = {}
    names_seen: set[str] = set()
    for p in provinces:
        communes = communes_by_province.get(p.pk, [])
        if not communes:
            continue
        n = max(scale.min_per_delegation, round(p.population_2024 / scale.inhabitants_per_establishment))
        weights = [max(c.population_2024, 1) for c in communes]
        for i in range(n):
            # Every province has at least one social assistance centre and one partner-run CEF,
            # so that each demo role finds something in its territory.
            code = "cas" if i == 0 else "cef" if i == 1 else _weighted(rng, type_codes, type_weights)
            _weight, partner_share, cap = TYPE_MIX[code]
            etype = types[code]
            commune = _weighted(rng, communes, weights)
            partner_run = (i == 1) or (i > 1 and rng.random() < partner_share)
            base_fr, base_ar = f"{etype.name_fr} {commune.name_fr}", f"{etype.name_ar} {commune.name_ar}"
            name_fr, name_ar, k = base_fr, base_ar, 1
            while name_fr in names_seen:
                k += 1
                name_fr, name_ar = f"{base_fr} {k}", f"{base_ar} {k}"
            names_seen.add(name_fr)
            est = OrgUnit(
                kind=OrgUnit.Kind.ESTABLISHMENT, code=f"EST-{p.code}-{i + 1:03d}", parent=delegation_of[p.code],
                name_fr=name_fr, name_ar=name_ar, establishment_type=etype, commune=commune,
                capacity=rng.randint(*cap) if cap else None,
                managed_by=OrgUnit.Manager.PARTNER if partner_run else OrgUnit.Manager.INSTITUTION,
                partner=rng.choice(partners_by_province[p.pk]) if partner_run else None,
                phone=f"+212 5{rng.randint(20, 39)} 00{rng.randint(10, 99)} {rng.randint(10, 99)}",
            )
            establishments.append(est)
            if i == 0:
                first_cas[p.code] = est
    OrgUnit.objects.bulk_create(establishments, batch_size=1000)
    _paths(establishments, {d.pk: d.path for d in delegations.values()})
    OrgUnit.objects.bulk_update(establishments, ["path", "depth"], batch_size=1000)
    say(f"{len(establishments)} establishments")

    # ---- staff --------------------------------------------------------------------------------
    password_hash = make_password(DEMO_PASSWORD)  # hashed once (Argon2), shared by every demo account
    users: list[User] = []
    assignments: list[tuple[int, str, OrgUnit | None, dict[str, Any]]] = []
    taken: set[str] = set()

    def new_user(username: str | None, sex: str) -> User:
        given, family, given_ar, family_ar = random_person_name(rng, sex)
        if username is None:
            base = f"{given.split()[0]}.{family.replace(' ', '')}".lower()
            base = "".join(ch for ch in base if ch.isascii() and (ch.isalnum() or ch == "."))
            username, k = base, 1
            while username in taken:
                k += 1
                username = f"{base}{k}"
        taken.add(username)
        u = User(username=username, first_name=given, last_name=family, full_name_ar=f"{given_ar} {family_ar}",
                 password=password_hash, language="ar", email="")
        users.append(u)
        return u

    for e in establishments:
        count = int(scale.agents_per_establishment) + (1 if rng.random() < scale.agents_per_establishment % 1 else 0)
        for _ in range(max(1, count)):
            assignments.append((len(users), Role.AGENT, e, {}))
            new_user(None, rng.choice("MF"))
        if (e.capacity and e.capacity >= 40) or (e.establishment_type and e.establishment_type.code == "cas"):
            assignments.append((len(users), Role.MANAGER, e, {}))
            new_user(None, rng.choice("MF"))
    for d in delegations.values():
        assignments.append((len(users), Role.DELEGATE, d, {}))
        new_user(None, rng.choice("MF"))
    for coord in coordinations:
        assignments.append((len(users), Role.COORDINATOR, coord, {}))
        new_user(None, rng.choice("MF"))

    casa, tanger = "06.141", "01.511"
    casa_partner_unit = next(e for e in establishments if e.partner_id and e.code.startswith(f"EST-{casa}"))
    for username, role, where, _note in DEMO_LOGINS:
        kind, _, key = where.partition(":")
        extra: dict[str, Any] = {}
        target: OrgUnit | None = None
        if kind == "establishment":
            target = first_cas[key]
        elif kind == "delegation":
            target = delegation_of[key]
        elif kind == "coordination":
            target = coord_of_region[key]
        elif kind == "national":
            target = national
        elif kind == "partner":
            extra = {"partner_id": casa_partner_unit.partner_id}
        elif kind == "region":
            extra = {"region_id": regions[key].pk}
        assignments.append((len(users), role, target, extra))
        u = new_user(username, rng.choice("MF"))
        if role == Role.SYSADMIN:
            u.is_staff = u.is_superuser = True
    del tanger
    User.objects.bulk_create(users, batch_size=1000)
    Assignment.objects.bulk_create(
        [Assignment(user_id=users[i].pk, role=role, org_unit=unit, **extra) for i, role, unit, extra in assignments],
        batch_size=1000,
    )
    say(f"{len(users)} staff accounts")

    counts = {
        "coordinations": len(coordinations), "delegations": len(delegations), "establishments": len(establishments),
        "partners": len(partner_rows), "users": len(users), "seconds": round(time.monotonic() - started, 1),
    }
    return counts
