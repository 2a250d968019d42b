"""Admin pages for the structure (system administrators). Saves go through the journal."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from mowakaba.audit.services import diff, journal_write
from mowakaba.territory.models import Commune, EstablishmentType, OrgUnit, PartnerAssociation, Province, Region
from mowakaba.territory.services import _set_path


class JournalledAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        before = {k: form.initial.get(k) for k in form.changed_data}
        super().save_model(request, obj, form, change)
        after = {k: form.cleaned_data.get(k) for k in form.changed_data}
        journal_write(actor=request.user, action=f"{obj._meta.model_name}.{'update' if change else 'create'}",
                      obj=obj, org_unit_id=obj.pk if isinstance(obj, OrgUnit) else None,
                      changes=diff(before, after))

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        journal_write(actor=request.user, action=f"{obj._meta.model_name}.delete", obj=obj)
        super().delete_model(request, obj)


@admin.register(Region)
class RegionAdmin(JournalledAdmin):
    list_display = ["code", "name_fr", "name_ar", "population_2024"]
    search_fields = ["code", "name_fr", "name_ar"]


@admin.register(Province)
class ProvinceAdmin(JournalledAdmin):
    list_display = ["code", "name_fr", "name_ar", "kind", "region", "population_2024"]
    list_filter = ["region", "kind"]
    search_fields = ["code", "name_fr", "name_ar"]


@admin.register(Commune)
class CommuneAdmin(JournalledAdmin):
    list_display = ["code", "name_fr", "name_ar", "kind", "province", "population_2024"]
    list_filter = ["kind", "province__region"]
    search_fields = ["code", "name_fr", "name_ar"]
    list_select_related = ["province"]
    raw_id_fields = ["province"]


@admin.register(EstablishmentType)
class EstablishmentTypeAdmin(JournalledAdmin):
    list_display = ["code", "name_fr", "name_ar", "name_en", "parent", "residential"]


@admin.register(PartnerAssociation)
class PartnerAdmin(JournalledAdmin):
    list_display = ["name", "name_ar", "registration_number", "province", "active"]
    search_fields = ["name", "name_ar", "registration_number"]
    list_filter = ["active", "province__region"]
    raw_id_fields = ["province"]


@admin.register(OrgUnit)
class OrgUnitAdmin(JournalledAdmin):
    list_display = ["code", "name_fr", "name_ar", "kind", "establishment_type", "commune", "managed_by", "active"]
    list_filter = ["kind", "managed_by", "establishment_type", "active"]
    search_fields = ["code", "name_fr", "name_ar"]
    raw_id_fields = ["parent", "commune", "partner"]
    filter_horizontal = ["regions", "provinces"]
    list_select_related = ["establishment_type", "commune"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        old_path = obj.path
        _set_path(obj)
        if obj.path != old_path:
            obj.save(update_fields=["path", "depth"])
            # Moving a unit moves its whole subtree: rewrite descendants' paths by prefix.
            if old_path:
                for child in OrgUnit.objects.filter(path__startswith=old_path).exclude(pk=obj.pk):
                    child.path = obj.path + child.path[len(old_path):]
                    child.depth = child.path.count("/") - 2
                    child.save(update_fields=["path", "depth"])
