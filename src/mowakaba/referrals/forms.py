"""Forms of the orientation pages. They parse; the services decide (and explain refusals)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from mowakaba.cases.models import Need
from mowakaba.referrals.models import Outcome, Sector, Target
from mowakaba.territory.models import PartnerAssociation


class ReferralForm(forms.Form):
    target = forms.ChoiceField(label=_("Refer the person to"), choices=Target.choices, initial=Target.INTERNAL,
                               widget=forms.RadioSelect)
    # Chosen in the establishment picker (radio buttons named like the field).
    to_establishment = forms.IntegerField(required=False, widget=forms.HiddenInput)
    to_partner = forms.ModelChoiceField(
        label=_("Partner association"), required=False, queryset=PartnerAssociation.objects.none(), empty_label="—",
        help_text=_("When the person is referred to the association itself rather than to one of its "
                    "establishments."),
    )
    external_service = forms.CharField(label=_("Outside service"), max_length=200, required=False,
                                       help_text=_("e.g. Hôpital Ibn Rochd, tribunal de première instance, école…"))
    sector = forms.ChoiceField(label=_("Sector"), required=False, choices=[("", "—"), *Sector.choices])
    need = forms.ChoiceField(label=_("Need"), choices=[("", "—"), *Need.choices])
    reason = forms.CharField(label=_("What is asked of the receiving service"), required=False,
                             widget=forms.Textarea(attrs={"rows": 4}))
    answer_days = forms.IntegerField(label=_("Answer expected within (days)"), min_value=1, max_value=60,
                                     widget=forms.NumberInput(attrs={"dir": "ltr", "inputmode": "numeric"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["answer_days"].initial = settings.REFERRAL_ANSWER_DAYS
        field = self.fields["to_partner"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = PartnerAssociation.objects.filter(active=True).order_by("name")
        self.fields["reason"].widget.attrs["required"] = True

    def service_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        partner = d.get("to_partner")
        return {
            "target": d["target"], "reason": d.get("reason") or "",
            "to_establishment_id": d.get("to_establishment") if d["target"] != Target.EXTERNAL else None,
            "to_partner_id": partner.pk if partner is not None and d["target"] == Target.PARTNER else None,
            "external_service": d.get("external_service") or "", "sector": d.get("sector") or "",
            "need": d.get("need") or "", "answer_days": d.get("answer_days"),
        }


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(forms.Form):
    # Required in the browser; the service gives the explanation when it is missing anyway.
    reason = forms.CharField(label=_("Reason"), required=False,
                             widget=forms.Textarea(attrs={"rows": 2, "required": True}))


class CompleteForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[("", "—"), *Outcome.choices], required=False,
                                widget=forms.Select(attrs={"required": True}))
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
