"""Authority reports: small counts hidden and not recoverable from the published totals, PDF and
Excel produced by a background job that reaches done, out-of-scope territories refused."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from django.http import Http404
from django.utils import translation

pytestmark = pytest.mark.django_db

MONTH = date(2019, 3, 1)  # long before the demo's activity: only the facts written here count


def _facts(rows: list[tuple[str, str, int | None, int | None, str, str, int]]) -> None:
    from mowakaba.vigilance.models import Fact

    Fact.objects.bulk_create([
        Fact(measure=m, period=MONTH, level=lvl, province_id=prov, region_id=reg, dim=dim, dim_value=dv, value=v)
        for m, lvl, prov, reg, dim, dv, v in rows])


@pytest.fixture
def small_region() -> dict[str, Any]:
    """Casablanca-Settat with cases in two provinces only (3 and 20), the second one's by sex."""
    from mowakaba.accounts.models import User
    from mowakaba.accounts.scope import scope_for_user
    from mowakaba.territory.models import Province, Region

    region = Region.objects.get(code="06")
    # b: the province of the Casablanca delegate (who asks for its report below); a: another one
    allowed = scope_for_user(User.objects.get(username="delegate.casa")).territory_province_ids()
    assert allowed
    b = Province.objects.get(pk=min(allowed))
    a = Province.objects.filter(region=region).exclude(pk=b.pk).order_by("code").first()
    assert a is not None and b.region_id == region.pk
    rid = region.pk
    _facts([
        ("cases_opened", "P", a.pk, rid, "", "", 3),
        ("cases_opened", "P", b.pk, rid, "", "", 20),
        ("cases_opened", "R", None, rid, "", "", 23),
        ("cases_opened", "N", None, None, "", "", 23),
        ("cases_opened", "P", a.pk, rid, "sex", "F", 1),
        ("cases_opened", "P", a.pk, rid, "sex", "M", 2),
        ("cases_opened", "P", b.pk, rid, "sex", "F", 3),
        ("cases_opened", "P", b.pk, rid, "sex", "M", 17),
        ("cases_opened", "P", b.pk, rid, "group", "woman", 3),
        ("cases_opened", "P", b.pk, rid, "group", "violence", 12),
        ("beneficiaries", "P", a.pk, rid, "", "", 3),
        ("beneficiaries", "P", b.pk, rid, "", "", 40),
        ("beneficiaries", "R", None, rid, "", "", 43),
        ("beneficiaries", "N", None, None, "", "", 43),
    ])
    return {"region": region, "a": a, "b": b}


def _system() -> Any:
    from mowakaba.accounts.scope import SYSTEM

    return SYSTEM


def _build(level: str, tid: int | None, scope: Any = None, language: str = "fr") -> Any:
    from mowakaba.vigilance import reports

    with translation.override(language):
        return reports.build_report(scope or _system(), level, tid, reports.Period.parse("2019-03"),
                                    language=language, for_pdf=False)


def _province_id(code: str) -> int:
    from mowakaba.territory.models import Province

    return int(Province.objects.get(code=code).pk)


def _row(table: Any, code: str) -> Any:
    return next(r for r in table.rows if r.code == code)


def _assert_not_recoverable(table: Any, columns: int | None = None) -> None:
    """For every count column, from the published figures alone: a published total with exactly
    one hidden figure under it would give that figure back by differencing."""
    body = [r for r in table.rows if not r.total]
    totals = [r for r in table.rows if r.total]
    for j in range(columns if columns is not None else len(table.headers) - 1):
        hidden = [r for r in body if r.cells[j].hidden]
        for t in totals:
            if t.cells[j].value is not None and hidden:
                assert len(hidden) >= 2, f"{table.key} column {j}: one hidden figure under a published total"
                shown = sum(r.cells[j].value for r in body if r.cells[j].value is not None)
                # and the remainder is shared by figures the reader cannot tell apart
                assert t.cells[j].value - shown >= len(hidden)


def test_small_counts_hidden_and_not_recoverable(small_region: dict[str, Any]) -> None:
    from mowakaba.vigilance import suppression

    a, b, region = small_region["a"], small_region["b"], small_region["region"]
    report = _build("R", region.pk)
    children = report.child_table
    cases = children.headers.index(str(children.headers[3]))  # cases opened
    assert _row(children, a.code).cells[cases - 1].text == "<5"
    # 20 would be 23 − 3... so it is hidden too, as "x"
    assert _row(children, b.code).cells[cases - 1].text == "x"
    total = next(r for r in children.rows if r.total)
    assert total.cells[cases - 1].text == "23"
    _assert_not_recoverable(children, columns=4)  # the four counts (the last column is a rate)
    for measure, hier in children.raw.items():
        assert suppression.audit(hier.result) == [], measure
        assert suppression.audit_bounds(hier.original, hier.result) == [], measure
    # people served: 3 and 40 under a published 43, both hidden; so are their rates per 1,000
    assert [_row(children, p.code).cells[0].text for p in (a, b)] == ["<5", "x"]
    assert _row(children, a.code).cells[-1].value is None and _row(children, b.code).cells[-1].value is None
    assert total.cells[-1].value is not None

    # the province report: sex adds up to the total, so the 17 goes with the 3
    report_b = _build("P", b.pk)
    sex = next(t for t in report_b.breakdowns if t.key == "cases_opened_sex")
    texts = {r.code: r.cells[0].text for r in sex.rows}
    total_row = next(r for r in sex.rows if r.total)
    assert texts["F"] == "<5"
    # the province's total is hidden in the region's table (x), so it is hidden here too: 17 may show
    assert total_row.cells[0].value is None
    _assert_not_recoverable(sex)
    # across levels: the region's figure for a sex minus its provinces' published ones gives
    # nothing back (the breakdowns of all levels come from one protected hierarchy)
    region_sex = next(t for t in report.breakdowns if t.key == "cases_opened_sex")
    provinces = [p for p in report.child_table.rows if not p.total]
    for cat in ("F", "M"):
        region_value = next(r for r in region_sex.rows if r.code == cat).cells[0].value
        unknown = []
        for p in provinces:
            prow = _build("P", _province_id(p.code))
            cell = next((r for r in next(t for t in prow.breakdowns if t.key == "cases_opened_sex").rows
                         if r.code == cat), None)
            if cell is not None and cell.cells[0].value is None and cell.cells[0].hidden:
                unknown.append(p.code)
        if region_value is not None:
            assert len(unknown) != 1, f"{cat}: one province's figure follows from the region's"
    dh = sex.raw
    assert suppression.audit(dh.result) == [] and suppression.audit_bounds(dh.original, dh.result) == []
    # target groups overlap (no equation): only the small one is hidden
    group = {r.code: r.cells[0].text for r in next(t for t in report_b.breakdowns
                                                    if t.key == "cases_opened_group").rows}
    assert group["woman"] == "<5" and group["violence"] == "12"
    # key indicators: the small province's count is hidden
    report_a = _build("P", a.pk)
    key = _row(report_a.key_table, "cases_opened")
    assert key.cells[0].text == "<5"
    assert _row(report.key_table, "cases_opened").cells[0].text == "23"


def test_hidden_figures_draw_as_missing_on_the_map_and_charts(small_region: dict[str, Any]) -> None:
    region, a = small_region["region"], small_region["a"]
    report = _build("R", region.pk)
    # the small province is drawn in the hatched "missing" class, never as a zero-coloured one
    assert f'data-code="{a.code}"' in report.map_svg
    tag = report.map_svg.split(f'data-code="{a.code}"')[0].rsplit("<path", 1)[1]
    assert "url(#mw-map-na-" in tag
    chart = report.charts[0][1]
    assert "mw-missing" in chart


def test_out_of_scope_territory_is_404(authority_viewer: Any, small_region: dict[str, Any]) -> None:
    from mowakaba.accounts.scope import scope_for_user
    from mowakaba.territory.models import Province, Region

    scope = scope_for_user(authority_viewer)
    _build("R", small_region["region"].pk, scope)  # their own region: fine
    other = Region.objects.exclude(code="06").order_by("code").first()
    other_province = Province.objects.exclude(region__code="06").order_by("code").first()
    assert other is not None and other_province is not None
    for level, tid in (("N", None), ("R", other.pk), ("P", other_province.pk), ("E", 1)):
        with pytest.raises(Http404):
            _build(level, tid, scope)


def test_report_form_refuses_out_of_scope_and_others_jobs(authority_viewer: Any, national_admin: Any,
                                                          as_user: Any) -> None:
    from mowakaba.core.models import Job
    from mowakaba.territory.models import Region

    client = as_user(authority_viewer)
    page = client.get("/vigilance/reports/")
    assert page.status_code == 200
    other = Region.objects.exclude(code="06").order_by("code").first()
    assert other is not None
    response = client.post("/vigilance/reports/", {"territory": f"R{other.pk}", "period": "2025", "language": "fr"})
    assert response.status_code == 200 and not Job.objects.filter(kind="vigilance.report").exists()
    response = client.post("/vigilance/reports/", {"territory": "N", "period": "2025", "language": "fr"})
    assert response.status_code == 200 and not Job.objects.filter(kind="vigilance.report").exists()
    theirs = Job.objects.create(kind="vigilance.report", requested_by=national_admin, status=Job.Status.DONE,
                                params={"level": "N", "territory_id": None, "period": "2025", "language": "fr"},
                                result={"files": {"pdf": "x.pdf"}})
    assert client.get(f"/vigilance/reports/{theirs.pk}/").status_code == 404
    assert client.get(f"/vigilance/reports/{theirs.pk}/pdf/").status_code == 404


def test_generation_job_pdf_and_excel(national_admin: Any, delegate_casablanca: Any, as_user: Any,
                                      small_region: dict[str, Any], settings: Any, tmp_path: Any) -> None:
    """The national report in French and a province report in Arabic: the job reaches done, both
    files download (PDF and XLSX), and generation and downloads are journalled."""
    from openpyxl import load_workbook

    from mowakaba.audit.models import JournalEntry
    from mowakaba.core.models import Job

    settings.VAR_DIR = tmp_path
    client = as_user(national_admin)
    response = client.post("/vigilance/reports/", {"territory": "N", "period": "2019-03", "language": "fr"})
    assert response.status_code == 302
    job = Job.objects.get(kind="vigilance.report", requested_by=national_admin)
    assert response["Location"] == f"/vigilance/reports/{job.pk}/"
    assert job.status == Job.Status.DONE and job.done == job.total == 8 and job.percent == 100
    page = client.get(f"/vigilance/reports/{job.pk}/")
    assert f"/vigilance/reports/{job.pk}/pdf/" in page.content.decode()
    pdf = client.get(f"/vigilance/reports/{job.pk}/pdf/")
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    xlsx = client.get(f"/vigilance/reports/{job.pk}/xlsx/")
    data = b"".join(xlsx.streaming_content)
    assert data.startswith(b"PK")
    wb = load_workbook(io.BytesIO(data))
    assert len(wb.sheetnames) >= 8  # cover, key indicators, regions, breakdowns..., method
    cells = [str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v is not None]
    assert "23" in cells or 23 in [v for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row]
    assert not wb.worksheets[0].sheet_view.rightToLeft
    home = client.get("/vigilance/reports/")
    assert f"/vigilance/reports/{job.pk}/" in home.content.decode()  # in the recent reports

    province = small_region["b"]
    delegate = as_user(delegate_casablanca)
    response = delegate.post("/vigilance/reports/", {"territory": f"P{province.pk}", "period": "2019-03",
                                                     "language": "ar"})
    assert response.status_code == 302, response.content.decode()[:500]
    job_ar = Job.objects.get(kind="vigilance.report", requested_by=delegate_casablanca)
    assert job_ar.status == Job.Status.DONE
    data = b"".join(delegate.get(f"/vigilance/reports/{job_ar.pk}/xlsx/").streaming_content)
    wb = load_workbook(io.BytesIO(data))
    assert wb.worksheets[0].sheet_view.rightToLeft
    cells = [str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v is not None]
    assert "<5" in cells and "x" in cells  # the same marks as the PDF, never the hidden numbers
    assert b"".join(delegate.get(f"/vigilance/reports/{job_ar.pk}/pdf/").streaming_content).startswith(b"%PDF")

    entries = JournalEntry.objects.filter(object_type="vigilance.report")
    assert entries.filter(action="report.generate").count() == 2
    assert entries.filter(action="report.download").count() == 4
    assert all(e.kind == JournalEntry.Kind.EXPORT for e in entries)


def test_only_the_recent_reports_keep_their_files(national_admin: Any, settings: Any, tmp_path: Any) -> None:
    from mowakaba.core.models import Job
    from mowakaba.vigilance import tasks

    settings.VAR_DIR = tmp_path
    jobs = []
    for k in range(tasks.KEEP + 2):
        job = Job.objects.create(kind=tasks.JOB_KIND, requested_by=national_admin, status=Job.Status.DONE,
                                 params={"level": "N", "period": "2025", "language": "fr"},
                                 result={"files": {"pdf": f"{k}-a.pdf"}})
        (tasks.reports_dir() / f"{k}-a.pdf").write_bytes(b"%PDF")
        jobs.append(job)
    assert tasks.prune(national_admin.pk) == 2
    assert not (tmp_path / "reports" / "0-a.pdf").exists() and (tmp_path / "reports" / "2-a.pdf").exists()
    jobs[0].refresh_from_db()
    assert jobs[0].result["files"] == {}


def test_progress_is_reported_section_by_section(small_region: dict[str, Any]) -> None:
    from mowakaba.vigilance import reports

    calls: list[tuple[int, int]] = []
    with translation.override("fr"):
        reports.build_report(_system(), "N", None, reports.Period.parse("2019-03"), language="fr",
                             progress=lambda d, t: calls.append((d, t)), for_pdf=False)
    assert [d for d, _t in calls] == sorted(d for d, _t in calls)
    assert calls[0][0] == 0 and calls[-1][0] == calls[-1][1]


def test_periods() -> None:
    from mowakaba.vigilance.reports import Period, last_twelve_months

    q = Period.parse("2025-Q4")
    assert (q.start, q.end) == (date(2025, 10, 1), date(2026, 1, 1))
    assert q.previous().key == "2025-Q3"
    assert Period.parse("2025-01").previous().key == "2024-12"
    assert Period.parse("2025").previous().key == "2024"
    twelve = last_twelve_months(date(2026, 11, 29))
    assert (twelve.start, twelve.end) == (date(2025, 11, 1), date(2026, 11, 1))
    with pytest.raises(ValueError):
        Period.parse("2025-13")
