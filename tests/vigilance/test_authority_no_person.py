"""An authority viewer reaches no row-level data by any route (issue 6's key acceptance test).

Signed in as the authority viewer persona (aggregates of Casablanca-Settat only), the test walks
every URL pattern of the project (``get_resolver``, the API's routes included) with its
parameters filled with real ids of persons, cases, referrals, enrolments... from the demo, then
every GET path of the OpenAPI schema, then each page without parameters again as an export
(``?format=xlsx`` / ``csv``) and as a search for a person's name. Every answer must be a refusal
(403/404/405), a redirect, or a page (HTML, JSON, CSV, Excel) in which no person's name, CIN,
phone number or record number appears.
"""

from __future__ import annotations

import io
import re
from datetime import date
from typing import Any

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

# literal segment (or parameter name) -> the model whose ids fill the parameter after it
SEGMENT_MODELS = {
    "persons": "registry.Person", "person_id": "registry.Person", "consents": "registry.Consent",
    "consent_id": "registry.Consent", "attachments": "registry.Attachment", "attachment_id": "registry.Attachment",
    "duplicates": "registry.DuplicatePair", "merges": "registry.MergeRecord",
    "cases": "cases.Case", "case_id": "cases.Case", "approvals": "cases.Approval", "approval_id": "cases.Approval",
    "transfers": "cases.Transfer", "transfer_id": "cases.Transfer", "goals": "cases.Goal", "goal_id": "cases.Goal",
    "tasks": "cases.Task", "task_id": "cases.Task", "placements": "cases.Placement",
    "placement_id": "cases.Placement",
    "referrals": "referrals.Referral", "referral_id": "referrals.Referral",
    "notifications": "notifications.Notification",
    "offerings": "programs.Offering", "offering_id": "programs.Offering", "enrolments": "programs.Enrolment",
    "enrolment_id": "programs.Enrolment", "sessions": "programs.GroupSession",
    "training": "training.TrainingSession", "session_id": "training.TrainingSession",
    "participants": "training.Participant", "participant_id": "training.Participant",
    "partners": "territory.PartnerAssociation", "associations": "territory.PartnerAssociation",
    "association_id": "territory.PartnerAssociation", "conventions": "partners.Convention",
    "convention_id": "partners.Convention", "tranches": "partners.Tranche", "report_id": "partners.Report",
    "units": "territory.OrgUnit", "unit_id": "territory.OrgUnit", "parent_pk": "territory.OrgUnit",
    "e": "territory.OrgUnit", "r": "territory.Region", "p": "territory.Province",
    "jobs": "core.Job", "tokens": "accounts.ApiToken", "token_id": "accounts.ApiToken",
    "axes": "planning.Axis", "objectives": "planning.Objective", "targets": "planning.Target",
}
PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")
RECORD_NO = re.compile(r"MWK-\d{7}")


def _patterns(resolver: Any, prefix: str = "") -> list[str]:
    out: list[str] = []
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            out += _patterns(p, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            out.append(prefix + str(p.pattern))
    return out


def _ids(label: str) -> list[str]:
    model = apps.get_model(label)
    qs = model.objects.order_by("pk").values_list("pk", flat=True)
    first, last = qs.first(), qs.last()
    found = [str(x) for x in dict.fromkeys([first, last]) if x is not None]
    return found or ["1"]


def _values(route: str, name: str, conv: str | None, before: str, extra: dict[str, list[str]]) -> list[str]:
    if name in extra:
        return extra[name]
    if name == "code":
        model = "territory.Region" if before == "regions" else "territory.Province"
        return [str(apps.get_model(model).objects.order_by("code").values_list("code", flat=True).first())]
    if name == "year":
        return [str(date.today().year)]
    if name == "fmt":
        return ["pdf", "xlsx", "csv"]
    if route.startswith("vigilance/reports/"):
        return extra["report_job"]
    if route.startswith("partners/reports/") or route.startswith("api/partners/reports/"):
        return _ids("partners.Report")
    if route.startswith("programs/persons/") or route.startswith("cases/persons/"):
        return _ids("registry.Person")
    label = SEGMENT_MODELS.get(name) or SEGMENT_MODELS.get(before)
    if route.startswith("training/") and before == "training":
        label = "training.TrainingSession"
    if label is None:
        # admin object ids and anything unmapped: a person's id, the most sensitive guess
        return _ids("registry.Person")[:1]
    return _ids(label)


def _fill(route: str, extra: dict[str, list[str]]) -> list[str]:
    """Concrete paths for a route: each parameter filled with real ids (first and last row)."""
    route = route.lstrip("^").rstrip("$").replace("\\Z", "")
    if "(?P<" in route:  # regex routes (the admin's): fill named groups with a person's id
        route = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: "<" + m.group(1) + ">", route).replace("\\", "")
        if "(" in route or "[" in route:
            return []
    paths = [""]
    pos = 0
    for m in PARAM.finditer(route):
        literal = route[pos:m.start()]
        before = [s for s in literal.split("/") if s]
        prev = before[-1] if before else ([s for s in route[:m.start()].split("/") if s and "<" not in s] or [""])[-1]
        values = _values(route, m.group(2), m.group(1), prev, extra)
        paths = [p + literal + v for p in paths for v in values]
        pos = m.end()
    return ["/" + p + route[pos:] for p in paths]


class Sensitive:
    """Names of persons (given + family, either order, either script), CINs and phone numbers.

    Matched on whole words in one pass over the text (a set of word pairs), so that a member of
    staff called "حسناء الناصري" does not match a person "سناء الناصري"; staff names are left out
    (a member of staff may share a person's name and appears on pages as the user).
    """

    WORD = re.compile(r"\w+")
    DIGITS = re.compile(r"\+?\d[\d .\-]{6,}\d")

    def __init__(self) -> None:
        from mowakaba.accounts.models import User
        from mowakaba.registry.models import IdentityDocument, Person, Phone

        staff: set[str] = set()
        for u in User.objects.all():
            staff.update(" ".join(self.WORD.findall(n)) for n in (u.get_full_name(), u.full_name_ar or ""))
        self.names: set[str] = set()
        for p in Person.objects.all():
            for g, f in ((p.given_name_lat, p.family_name_lat), (p.given_name_ar, p.family_name_ar)):
                if g and f:
                    gw, fw = " ".join(self.WORD.findall(g)), " ".join(self.WORD.findall(f))
                    self.names.update({f"{gw} {fw}", f"{fw} {gw}"})
        self.names -= staff
        self.codes = {d.upper() for d in IdentityDocument.objects.values_list("number", flat=True) if len(d) >= 6}
        self.phones: set[str] = set()
        for n in Phone.objects.values_list("number", flat=True):
            digits = re.sub(r"\D", "", n)
            self.phones.update({digits, "0" + digits[3:] if digits.startswith("212") else digits})

    def __len__(self) -> int:
        return len(self.names) + len(self.codes) + len(self.phones)

    def find(self, text: str) -> str | None:
        words: list[str] = self.WORD.findall(text)
        for i, a in enumerate(words):
            # a name is two to four words (compound given or family names: "Ait Ben Ali")
            for k in (2, 3, 4):
                cand = " ".join(words[i:i + k])
                if cand in self.names:
                    return cand
            if a.upper() in self.codes:
                return a
        for m in self.DIGITS.finditer(text):
            digits = re.sub(r"\D", "", m.group(0))
            if digits in self.phones:
                return m.group(0)
        m2 = RECORD_NO.search(text)
        return m2.group(0) if m2 else None


def _text(response: Any) -> str:
    ctype = response.get("Content-Type", "")
    body = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    if "spreadsheetml" in ctype or body[:2] == b"PK":
        from openpyxl import load_workbook

        wb = load_workbook(io.BytesIO(body), read_only=True)
        return "\n".join(str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True)
                         for v in row if v is not None)
    return body.decode("utf-8", "replace")


def _report_job(user: Any) -> str:
    """A finished report of the authority viewer's own, so that its download is walked too."""
    from mowakaba.core.models import Job
    from mowakaba.territory.models import Province
    from mowakaba.vigilance.tasks import generate_report

    province = Province.objects.filter(region__code="06").order_by("code").first()
    assert province is not None
    job = Job.objects.create(kind="vigilance.report", requested_by=user,
                             params={"level": "R", "territory_id": province.region_id, "period": "2025",
                                     "language": "fr", "filename": "walk"})
    generate_report(job)  # a real one: its Excel file is read by the walk like any other answer
    return str(job.pk)


def test_authority_viewer_reaches_no_person(authority_viewer: Any, as_user: Any, settings: Any,
                                            tmp_path: Any) -> None:
    from mowakaba.accounts.scope import Capability, scope_for_user

    settings.VAR_DIR = tmp_path  # the report files of the walk
    scope = scope_for_user(authority_viewer)
    assert scope.can(Capability.VIEW_AGGREGATES) and not scope.can(Capability.VIEW_PERSONS)
    client = as_user(authority_viewer)
    sensitive = Sensitive()
    assert len(sensitive) > 100  # the demo has persons: the check is not vacuous
    extra = {"report_job": [_report_job(authority_viewer)]}
    # a person's name to search for on every page that takes one
    from mowakaba.registry.models import Person

    someone = Person.objects.exclude(family_name_lat="").order_by("pk").first()
    assert someone is not None

    paths: list[str] = []
    for route in _patterns(get_resolver()):
        paths += _fill(route, extra)
    schema = client.get("/api/openapi.json")
    if schema.status_code == 200:
        for path, ops in schema.json().get("paths", {}).items():
            if "get" in ops:
                p = re.sub(r"\{(\w+)\}", lambda m: "<" + m.group(1) + ">", path.removeprefix("/"))
                paths += _fill(p, extra)
    plain = [p for p in dict.fromkeys(paths) if "<" not in p]
    leaks: list[str] = []
    opened: list[str] = []

    def visit(path: str) -> None:
        response = client.get(path)
        code = response.status_code
        if code in (301, 302, 303, 307, 308) or 400 <= code < 500:
            return
        assert code == 200, f"{path}: unexpected status {code}"
        opened.append(path)
        if "pdf" in response.get("Content-Type", ""):
            # the only PDF an authority viewer may fetch is an aggregate report of their own
            assert path.startswith("/vigilance/reports/"), f"{path}: a PDF was served"
            return
        text = _text(response)
        found = sensitive.find(text)
        if found:
            leaks.append(f"{path}: {found!r}")

    for path in plain:
        if not path.startswith("/accounts/logout"):  # would end the walk's session
            visit(path)
    # every page that answered, again as an export and as a search for a person by name
    queries = ["format=xlsx", "format=csv", f"q={someone.family_name_lat}", f"q={someone.given_name_ar}"]
    for path in [p for p in opened if not re.search(r"/\d+(/|$)", p) and not p.startswith("/admin")]:
        for q in queries:
            visit(path + ("&" if "?" in path else "?") + q)
    assert not leaks, "person data reached by the authority viewer:\n" + "\n".join(leaks)
    job = extra["report_job"][0]
    assert {f"/vigilance/reports/{job}/pdf/", f"/vigilance/reports/{job}/xlsx/"} <= set(opened)
    assert len(opened) > 5  # the walk did reach pages (dashboards, open data, own profile...)


def test_the_check_sees_a_person_where_there_is_one(agent_casablanca: Any, as_user: Any) -> None:
    """The same check on a person's page opened by an agent finds the name: the walk is not blind."""
    from mowakaba.accounts.scope import scope_for_user
    from mowakaba.registry.models import Person

    scope = scope_for_user(agent_casablanca)
    person = Person.objects.visible_to(scope).exclude(family_name_lat="").order_by("pk").first()
    assert person is not None
    response = as_user(agent_casablanca).get(f"/registry/persons/{person.pk}/")
    assert response.status_code == 200
    assert Sensitive().find(_text(response)) is not None
