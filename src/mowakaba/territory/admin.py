"""Admin pages for the structure (system administrators). Saves go through the journal."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext as _

from mowakaba.audit.services import diff, journal_write
from mowakaba.territory.models import (
    CensusProfile,
    Commune,
    EstablishmentType,
    NeedEstimate,
    OrgUnit,
    PartnerAssociation,
    Province,
    ReferenceLoad,
    Region,
    VulnerabilityScheme,
)
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


class CensusReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Census data is loaded from the package (`mowakaba territory census`), never edited by hand:
    a figure on screen must be the one HCP published."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CensusProfile)
class CensusProfileAdmin(CensusReadOnlyAdmin):
    list_display = ["level", "code", "sex", "year", "source"]
    list_filter = ["level", "sex", "year"]
    search_fields = ["code"]


@admin.register(NeedEstimate)
class NeedEstimateAdmin(CensusReadOnlyAdmin):
    list_display = ["group", "level", "code", "year", "value", "low", "high"]
    list_filter = ["group", "level", "year"]
    search_fields = ["code"]


@admin.register(ReferenceLoad)
class ReferenceLoadAdmin(CensusReadOnlyAdmin):
    list_display = ["source", "version", "loaded_at", "attribution"]


class VulnerabilitySchemeForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = VulnerabilityScheme
        fields = ["name", "components", "active"]

    def clean_components(self) -> list[dict[str, Any]]:
        from mowakaba.territory.need import DERIVED_FIELDS, HOUSEHOLD_FIELDS, PEOPLE_FIELDS

        value = self.cleaned_data["components"]
        if not isinstance(value, list) or not value:
            raise forms.ValidationError(_("Give a list of components."))
        known = {*PEOPLE_FIELDS, *DERIVED_FIELDS}
        cleaned: list[dict[str, Any]] = []
        for c in value:
            if not isinstance(c, dict):
                raise forms.ValidationError(_("Each component is an object with field, weight, higher_is_worse, sex."))
            field, sex = c.get("field"), c.get("sex", "all")
            if sex not in ("all", "female", "male"):
                raise forms.ValidationError(_("Unknown sex %(sex)s: use all, female or male.") % {"sex": sex})
            if field not in known and not (field in HOUSEHOLD_FIELDS and sex == "all"):
                raise forms.ValidationError(_("%(field)s is not a census field the index can use.") % {"field": field})
            try:
                weight = float(c.get("weight", 1))
            except (TypeError, ValueError):
                raise forms.ValidationError(_("A weight must be a number.")) from None
            if weight < 0:
                raise forms.ValidationError(_("A weight cannot be negative."))
            cleaned.append(
                {"field": field, "weight": weight, "higher_is_worse": bool(c.get("higher_is_worse", True)), "sex": sex}
            )
        if not sum(c["weight"] for c in cleaned):
            raise forms.ValidationError(_("At least one weight must be above zero."))
        return cleaned


@admin.register(VulnerabilityScheme)
class VulnerabilitySchemeAdmin(JournalledAdmin):
    """The index method is data head office can adjust (weights, fields, direction); every change
    is journalled and the index is recomputed on next read (it is cached per method version)."""

    form = VulnerabilitySchemeForm
    list_display = ["name", "active", "updated_at"]
    list_filter = ["active"]
