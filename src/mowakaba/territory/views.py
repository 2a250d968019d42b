"""Pages for the territory (reference data) and the structure (scoped org units)."""

from __future__ import annotations

import base64
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from mowakaba.accounts.scope import Capability, get_or_404, scope_of
from mowakaba.audit.selectors import journal_for
from mowakaba.audit.services import journal_write
from mowakaba.core.errors import StaleEdit
from mowakaba.core.forms import apply_errors
from mowakaba.core.models import Job
from mowakaba.core.pagination import paginate
from mowakaba.core.xlsx import MAX_EXPORT_ROWS, export_query, wants_xlsx, workbook_bytes, xlsx_response
from mowakaba.territory import selectors, services
from mowakaba.territory.forms import EstablishmentForm, ImportForm
from mowakaba.territory.models import EstablishmentType, OrgUnit, Province, Region
from mowakaba.territory.tasks import import_establishments_job


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


# ---- reference territory: open to every signed-in user, like a printed census table ----------

@login_required
def regions(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    return render(request, "territory/regions.html", {"regions": selectors.regions_with_counts(scope)})


@login_required
def region(request: HttpRequest, code: str) -> HttpResponse:
    obj = get_object_or_404(Region, code=code)
    return render(request, "territory/region.html", {"region": obj, "provinces": selectors.provinces_of(obj)})


@login_required
def province(request: HttpRequest, code: str) -> HttpResponse:
    scope = scope_of(request)
    obj = get_object_or_404(Province.objects.select_related("region"), code=code)
    q = request.GET.get("q", "").strip()
    ctx = paginate(request, selectors.communes_of(obj, q), per_page=50)
    ctx.update({
        "province": obj, "q": q,
        "delegations": obj.delegations.all(),
        "establishments": selectors.units_for(scope, kind=OrgUnit.Kind.ESTABLISHMENT, province_id=obj.pk)[:50],
    })
    return render(request, "territory/province.html", ctx)


# ---- the structure: every row through the access policy ------------------------------------

@login_required
def units(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    g = request.GET
    active = {"1": True, "0": False}.get(g.get("active", "1"))
    qs = selectors.units_for(
        scope, kind=g.get("kind", OrgUnit.Kind.ESTABLISHMENT), q=g.get("q", "").strip(),
        type_code=g.get("type", ""), managed_by=g.get("managed_by", ""),
        region_id=_int(g.get("region")), province_id=_int(g.get("province")), active=active,
    )
    if wants_xlsx(request):
        return _units_export(request, qs)
    ctx = paginate(request, qs)
    ctx["export_query"] = export_query(request)
    ctx.update({
        "types": EstablishmentType.objects.all(),
        "regions": Region.objects.all(),
        "provinces": Province.objects.filter(region_id=_int(g.get("region")) or 0) if g.get("region") else [],
        "kinds": OrgUnit.Kind.choices, "managers": OrgUnit.Manager.choices,
        "f": {k: g.get(k, "") for k in ("q", "type", "managed_by", "region", "province", "kind")},
        "f_active": g.get("active", "1"),
        "can_edit": scope.can(Capability.EDIT_STRUCTURE),
    })
    template = "territory/_units_table.html" if getattr(request, "htmx", False) else "territory/units.html"
    return render(request, template, ctx)


def _units_export(request: HttpRequest, qs: QuerySet[OrgUnit]) -> HttpResponse:
    """The list as filtered, from the page's own scoped queryset (its joins: no query per row)."""
    units = list(qs.order_by("code")[:MAX_EXPORT_ROWS])
    headers = [_("Code"), _("Name"), _("Kind"), _("Type"), _("Delegation"), _("Region"), _("Province"),
               _("Commune"), _("Managed by"), _("Partner association"), _("Capacity"), _("Address"), _("Phone"),
               _("Active")]
    rows = []
    for u in units:
        c = u.commune
        rows.append([u.code, u.name, u.get_kind_display(), u.establishment_type.name if u.establishment_type else "",
                     u.parent.name if u.parent else "", c.province.region.name if c else "",
                     c.province.name if c else "", c.name if c else "", u.get_managed_by_display(),
                     str(u.partner) if u.partner else "", u.capacity, u.address, u.phone,
                     _("yes") if u.active else _("no")])
    journal_write(actor=request.user, action="establishments.export", object_type="territory.orgunit",
                  object_repr=request.GET.urlencode()[:250], kind="export", changes={"rows": len(rows)})
    data = workbook_bytes(_("Establishments"), headers, rows, language=get_language())
    return xlsx_response("establishments.xlsx", data)


@login_required
def unit(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    obj = get_or_404(
        OrgUnit.objects.visible_to(scope).select_related("establishment_type", "commune__province__region",
                                                         "partner", "parent"),
        pk=pk,
    )
    children = selectors.units_for(scope, kind="", active=None).filter(parent=obj)
    ctx: dict[str, Any] = {
        "unit": obj,
        "ancestors": obj.ancestors(),
        "children": paginate(request, children, per_page=50),
        "can_edit": scope.can(Capability.EDIT_STRUCTURE),
        "staff": obj.assignments.active().select_related("user").order_by("role")[:100],
    }
    if scope.can(Capability.VIEW_JOURNAL):
        ctx["history"] = journal_for(scope, object_type="territory.orgunit", object_id=str(obj.pk))[:20]
    return render(request, "territory/unit.html", ctx)


@login_required
def unit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    scope.require(Capability.EDIT_STRUCTURE)
    obj = get_or_404(OrgUnit.objects.visible_to(scope).select_related("commune"), pk=pk)
    if obj.kind != OrgUnit.Kind.ESTABLISHMENT:
        raise Http404
    form = EstablishmentForm(request.POST or None, instance=obj)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in {"version", "commune_code"}}
        data["commune"] = form.cleaned_data["commune_code"]
        # The instance was mutated by form validation; re-read happens inside the service.
        try:
            services.orgunit_update(actor=request.user, scope=scope, unit_id=pk,
                                    expected_version=form.cleaned_data.get("version") or 0, **data)
        except StaleEdit:
            form.add_error(None, _("Someone else saved this establishment after you opened the form. "
                                   "Reload the page to see their changes, then apply yours again."))
        except ValidationError as exc:
            apply_errors(form, exc, rename={"commune": "commune_code"})
        else:
            messages.success(request, _("Changes saved."))
            return redirect("territory:unit", pk=pk)
    return render(request, "territory/unit_form.html", {"form": form, "unit": obj})


@login_required
def unit_create(request: HttpRequest, parent_pk: int) -> HttpResponse:
    scope = scope_of(request)
    scope.require(Capability.EDIT_STRUCTURE)
    parent = get_or_404(OrgUnit.objects.visible_to(scope), pk=parent_pk)
    if parent.kind != OrgUnit.Kind.DELEGATION:
        raise Http404
    form = EstablishmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in {"version", "commune_code"}}
        data["commune"] = form.cleaned_data["commune_code"]
        try:
            unit = services.orgunit_create(actor=request.user, scope=scope, kind=OrgUnit.Kind.ESTABLISHMENT,
                                           parent=parent, **data)
        except ValidationError as exc:
            apply_errors(form, exc, rename={"commune": "commune_code"})
        else:
            messages.success(request, _("Establishment created."))
            return redirect("territory:unit", pk=unit.pk)
    return render(request, "territory/unit_form.html", {"form": form, "parent": parent})


@login_required
def import_view(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    scope.require(Capability.IMPORT_STRUCTURE)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        raw = form.cleaned_data["file"].read()
        name = form.cleaned_data["file"].name or ""
        params: dict[str, str] | None = None
        if name.lower().endswith(".xlsx"):
            # The job's parameters are JSON: the workbook travels as base64, is read by the job.
            params = {"xlsx": base64.b64encode(raw).decode("ascii"), "filename": name}
        else:
            try:
                params = {"csv": raw.decode("utf-8-sig"), "filename": name}
            except UnicodeDecodeError:
                form.add_error("file", _("The file is not UTF-8 text. Save it as “CSV UTF-8” and try again."))
        if params is not None:
            job = Job.objects.create(kind="establishments.import", requested_by_id=request.user.pk, params=params)
            import_establishments_job.enqueue(job.pk)
            return redirect("portal:job", pk=job.pk)
    jobs = Job.objects.filter(requested_by_id=request.user.pk, kind="establishments.import")[:10]
    return render(request, "territory/import.html", {"form": form, "jobs": jobs,
                                                     "columns": services.IMPORT_COLUMNS})
