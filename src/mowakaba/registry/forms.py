from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from mowakaba.registry.models import Attachment, Consent, IdentityDocument, Person, Relation
from mowakaba.registry.validation import clean_cin, clean_phone
from mowakaba.territory.models import Commune

DATE_WIDGET = forms.DateInput(attrs={"type": "date", "dir": "ltr"}, format="%Y-%m-%d")


class PersonForm(forms.ModelForm):  # type: ignore[type-arg]
    """Registration and correction of a person. Every field but one name is optional."""

    commune_code = forms.CharField(label=_("Commune (HCP code)"), max_length=14, required=False,
                                   widget=forms.TextInput(attrs={"dir": "ltr"}))
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False,
                            widget=forms.TextInput(attrs={"dir": "ltr", "inputmode": "tel"}))
    cin = forms.CharField(label=_("CIN number"), max_length=20, required=False,
                          widget=forms.TextInput(attrs={"dir": "ltr", "autocapitalize": "characters"}),
                          help_text=_("One or two letters and up to six digits, e.g. AB123456."))
    consent_method = forms.ChoiceField(
        label=_("Consent to listening and case work"), required=False,
        choices=[("", _("Not recorded yet")), *Consent.Method.choices],
    )
    despite_matches = forms.BooleanField(
        label=_("None of the records shown is this person: create a new record"), required=False,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Person
        fields = [
            "given_name_ar", "family_name_ar", "father_name_ar", "given_name_lat", "family_name_lat",
            "father_name_lat", "pseudonym", "sex", "birth_date", "birth_year", "birth_year_only", "mother_name",
            "marital_status", "education", "occupation", "disability", "disability_card", "locality", "address",
        ]
        widgets = {
            "birth_date": DATE_WIDGET,
            "birth_year": forms.NumberInput(attrs={"dir": "ltr", "inputmode": "numeric"}),
            "given_name_lat": forms.TextInput(attrs={"dir": "ltr"}),
            "family_name_lat": forms.TextInput(attrs={"dir": "ltr"}),
            "father_name_lat": forms.TextInput(attrs={"dir": "ltr"}),
            "given_name_ar": forms.TextInput(attrs={"dir": "rtl", "lang": "ar"}),
            "family_name_ar": forms.TextInput(attrs={"dir": "rtl", "lang": "ar"}),
            "father_name_ar": forms.TextInput(attrs={"dir": "rtl", "lang": "ar"}),
        }

    def __init__(self, *args: Any, creating: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance and self.instance.pk:
            self.fields["version"].initial = self.instance.version
            if self.instance.commune_id:
                self.fields["commune_code"].initial = self.instance.commune.code
        for name in ("given_name_ar", "family_name_ar", "father_name_ar", "given_name_lat", "family_name_lat",
                     "father_name_lat"):
            self.fields[name].widget.attrs["class"] = "name-field"
            self.fields[name].widget.attrs["autocomplete"] = "off"
        if not creating:
            for name in ("phone", "cin", "consent_method", "despite_matches"):
                del self.fields[name]

    def clean_commune_code(self) -> Commune | None:
        code = self.cleaned_data.get("commune_code", "").strip()
        if not code:
            return None
        commune = Commune.objects.filter(code=code).first()
        if commune is None:
            raise ValidationError(_("No commune has the code %(code)s.") % {"code": code})
        return commune

    def clean_phone(self) -> str:
        value = self.cleaned_data.get("phone", "").strip()
        return clean_phone(value) if value else ""

    def clean_cin(self) -> str:
        value = self.cleaned_data.get("cin", "").strip()
        return clean_cin(value) if value else ""

    def person_data(self) -> dict[str, Any]:
        data = {f: self.cleaned_data.get(f) for f in self.Meta.fields}
        for f in list(data):
            if data[f] is None and f not in {"birth_date", "birth_year"}:
                data[f] = "" if f != "birth_year_only" else False
        data["commune"] = self.cleaned_data.get("commune_code")
        return data


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Document"), choices=IdentityDocument.Kind.choices)
    number = forms.CharField(label=_("Number"), max_length=40, widget=forms.TextInput(attrs={"dir": "ltr"}))
    status = forms.ChoiceField(label=_("Verification"), choices=IdentityDocument.Status.choices)


class PhoneForm(forms.Form):
    number = forms.CharField(label=_("Phone"), max_length=30,
                             widget=forms.TextInput(attrs={"dir": "ltr", "inputmode": "tel"}))
    label = forms.CharField(label=_("Label"), max_length=40, required=False)


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Purpose"), choices=Consent.Purpose.choices)
    method = forms.ChoiceField(label=_("How it was given"), choices=Consent.Method.choices)
    given_on = forms.DateField(label=_("Given on"), required=False, widget=DATE_WIDGET)


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Attachment.Kind.choices)
    file = forms.FileField(label=_("File"), help_text=_("JPEG or PNG photo, or PDF; 5 MB at most."))
    label = forms.CharField(label=_("Label"), max_length=120, required=False)


class RelativeForm(forms.Form):
    record_no = forms.CharField(label=_("Record number of the relative"), max_length=16,
                                widget=forms.TextInput(attrs={"dir": "ltr"}))
    relation = forms.ChoiceField(label=_("Relation to the head of household"), choices=Relation.choices)
