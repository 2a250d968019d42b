"""Forms of the partner pages: parsing only; the rules are in services.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mowakaba.partners.models import Domain, Report
from mowakaba.territory.models import Province


class DateInput(forms.DateInput):
    input_type = "date"


class AssociationForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    name = forms.CharField(label=_("name"), max_length=250)
    name_ar = forms.CharField(label=_("name (Arabic)"), max_length=250, required=False)
    registration_number = forms.CharField(label=_("registration receipt number"), max_length=60, required=False)
    receipt_date = forms.DateField(label=_("registration receipt date"), required=False, widget=DateInput)
    receipt_authority = forms.CharField(label=_("authority that issued the receipt"), max_length=200,
                                        required=False)
    representative = forms.CharField(label=_("legal representative"), max_length=200, required=False)
    representative_role = forms.CharField(label=_("representative's office"), max_length=100, required=False)
    domains = forms.MultipleChoiceField(label=_("domains of action"), choices=Domain.choices, required=False,
                                        widget=forms.CheckboxSelectMultiple)
    province = forms.ModelChoiceField(label=_("seat (province)"), queryset=Province.objects.all(), required=False)
    provinces = forms.ModelMultipleChoiceField(label=_("territory covered"), queryset=Province.objects.all(),
                                               required=False)
    address = forms.CharField(label=_("address"), max_length=300, required=False)
    phone = forms.CharField(label=_("phone"), max_length=30, required=False)
    email = forms.EmailField(label=_("email"), required=False)
    bank_name = forms.CharField(label=_("bank"), max_length=120, required=False)
    rib = forms.CharField(label=_("RIB"), max_length=40, required=False,
                          help_text=_("24 digits: bank, city, account and key."),
                          widget=forms.TextInput(attrs={"inputmode": "numeric", "dir": "ltr", "autocomplete": "off"}))


class ConventionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    unit = forms.TypedChoiceField(label=_("signed for the institution by"), coerce=int, required=False)
    association = forms.TypedChoiceField(label=_("partner association"), coerce=int, required=False)
    reference = forms.CharField(label=_("reference"), max_length=40, required=False,
                                help_text=_("Left empty, a reference is given."))
    subject = forms.CharField(label=_("object"), widget=forms.Textarea(attrs={"rows": 3}))
    starts_on = forms.DateField(label=_("start date"), widget=DateInput)
    ends_on = forms.DateField(label=_("end date"), widget=DateInput)
    amount = forms.DecimalField(label=_("total amount (MAD)"), min_value=0, max_digits=12, decimal_places=2)
    obligations = forms.CharField(label=_("obligations"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
                                  help_text=_("One obligation per line."))

    def __init__(self, *args: Any, units: Any = (), associations: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(u.pk, u.name) for u in units]  # type: ignore[attr-defined]
        self.fields["association"].choices = [(a.pk, str(a)) for a in associations]  # type: ignore[attr-defined]


class TrancheForm(forms.Form):
    planned_on = forms.DateField(label=_("planned date"), widget=DateInput)
    planned_amount = forms.DecimalField(label=_("planned amount (MAD)"), min_value=0, decimal_places=2)
    condition = forms.CharField(label=_("condition"), max_length=250, required=False)


class PayForm(forms.Form):
    paid_on = forms.DateField(label=_("paid on"), widget=DateInput)
    paid_amount = forms.DecimalField(label=_("paid amount (MAD)"), min_value=0, decimal_places=2)


class ReportForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=Report.Kind.choices)
    due_on = forms.DateField(label=_("due on"), widget=DateInput)
    period = forms.CharField(label=_("period covered"), max_length=60, required=False)


class ReceiveForm(forms.Form):
    received_on = forms.DateField(label=_("received on"), widget=DateInput, required=False)
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class SignForm(forms.Form):
    signed_on = forms.DateField(label=_("signed on"), widget=DateInput)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}))
