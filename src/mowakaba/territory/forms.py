from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mowakaba.territory.models import Commune, EstablishmentType, OrgUnit, PartnerAssociation


class EstablishmentForm(forms.ModelForm):  # type: ignore[type-arg]
    """Edits an establishment; the commune is typed as its HCP code or picked in the province list."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    commune_code = forms.CharField(
        label=_("Commune (HCP code)"), max_length=14,
        help_text=_("For example 01.511.01.0; the province page lists every commune with its code."),
    )

    class Meta:
        model = OrgUnit
        fields = ["name_ar", "name_fr", "establishment_type", "address", "capacity", "managed_by", "partner",
                  "phone", "active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        etype = self.fields["establishment_type"]
        partner = self.fields["partner"]
        assert isinstance(etype, forms.ModelChoiceField) and isinstance(partner, forms.ModelChoiceField)
        etype.queryset = EstablishmentType.objects.all()
        etype.required = True
        partner.queryset = PartnerAssociation.objects.filter(active=True)
        self.fields["name_fr"].required = False
        self.fields["name_ar"].required = False
        self.fields["capacity"].widget.attrs.update({"inputmode": "numeric", "min": 0})
        self.fields["phone"].widget.attrs.update({"dir": "ltr", "inputmode": "tel"})
        self.fields["commune_code"].widget.attrs.update({"dir": "ltr"})
        if self.instance and self.instance.commune_id:
            self.fields["commune_code"].initial = self.instance.commune.code
        if self.instance and self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def clean_commune_code(self) -> Commune:
        code = self.cleaned_data["commune_code"].strip()
        commune = Commune.objects.filter(code=code).first()
        if commune is None:
            raise forms.ValidationError(_("No commune has the code %(code)s.") % {"code": code})
        return commune


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"), help_text=_("UTF-8, comma or semicolon separated, one row per establishment."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv,"
                                                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}),
    )

    def clean_file(self) -> Any:
        f = self.cleaned_data["file"]
        if f.size > 20 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 20 MB; split it in parts."))
        return f
