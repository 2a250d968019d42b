"""Forms of the action plan pages. Choices (indicators, regions, provinces) are passed in by the
view; the services check everything again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Target


class _Names(forms.Form):
    name_ar = forms.CharField(label=_("Name (Arabic)"), max_length=250, required=False,
                              widget=forms.TextInput(attrs={"dir": "rtl", "lang": "ar"}))
    name_fr = forms.CharField(label=_("Name (French)"), max_length=250, required=False,
                              widget=forms.TextInput(attrs={"dir": "ltr", "lang": "fr"}))
    name_en = forms.CharField(label=_("Name (English)"), max_length=250, required=False,
                              widget=forms.TextInput(attrs={"dir": "ltr", "lang": "en"}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def service_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class PlanForm(_Names):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    field_order = ["year", "name_ar", "name_fr", "name_en"]

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["year"]


class NumberedForm(_Names):
    """An axis or an objective: a number and a name."""

    number = forms.IntegerField(label=_("Number"), min_value=1, max_value=99)
    field_order = ["number", "name_ar", "name_fr", "name_en"]


class TargetForm(forms.Form):
    indicator = forms.TypedChoiceField(label=_("Indicator"), coerce=int)
    territory = forms.ChoiceField(label=_("Territory"), choices=Target.Scope.choices)
    region = forms.TypedChoiceField(label=_("Region (for a regional target)"), coerce=int, required=False,
                                    empty_value=None)
    province = forms.TypedChoiceField(label=_("Province (for a provincial target)"), coerce=int, required=False,
                                      empty_value=None)
    value = forms.FloatField(label=_("Target for the year"), min_value=0)
    baseline = forms.FloatField(label=_("Baseline"), min_value=0, required=False)
    profile = forms.ChoiceField(label=_("Expected progress"), choices=Target.Profile.choices)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, indicators: list[tuple[int, str]], regions: list[tuple[int, str]],
                 provinces: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: dict[str, list[tuple[Any, str]]] = {
            "indicator": list(indicators), "region": [("", "—"), *regions], "province": [("", "—"), *provinces]}
        for name, values in choices.items():
            f = self.fields[name]
            assert isinstance(f, forms.ChoiceField)
            f.choices = values

    def service_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {"indicator_id": d["indicator"], "territory": d["territory"], "region_id": d.get("region"),
                "province_id": d.get("province"), "value": d["value"], "baseline": d.get("baseline"),
                "profile": d["profile"], "note": d.get("note", "")}
