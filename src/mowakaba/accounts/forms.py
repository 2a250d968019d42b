from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from mowakaba.accounts.models import Role
from mowakaba.territory.models import OrgUnit, PartnerAssociation, Province, Region


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("The username or the password is wrong. Both are case-sensitive."),
        "inactive": _("This account is disabled. Ask your administrator."),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autocapitalize": "none"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


class UserCreateForm(forms.Form):
    username = forms.SlugField(label=_("Username"), max_length=150)
    first_name = forms.CharField(label=_("Given name (Latin script)"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Family name (Latin script)"), max_length=150, required=False)
    full_name_ar = forms.CharField(label=_("Full name (Arabic)"), max_length=200, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    language = forms.ChoiceField(label=_("Interface language"), choices=settings.LANGUAGES, initial="ar")
    password = forms.CharField(label=_("Initial password"), widget=forms.PasswordInput, min_length=10,
                               help_text=_("At least 10 characters; the user should change it."))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    org_unit_code = forms.CharField(
        label=_("Unit code"), max_length=30, required=False,
        help_text=_("Code of the establishment, delegation or coordination where the person works "
                    "(see the establishments list)."),
    )
    partner = forms.ModelChoiceField(label=_("Partner association"), queryset=PartnerAssociation.objects.all(),
                                     required=False)
    region = forms.ModelChoiceField(label=_("Region"), queryset=Region.objects.all(), required=False)
    province = forms.ModelChoiceField(label=_("Province"), queryset=Province.objects.all(), required=False)

    def clean_org_unit_code(self) -> OrgUnit | None:
        code = self.cleaned_data.get("org_unit_code", "").strip()
        if not code:
            return None
        unit = OrgUnit.objects.filter(code__iexact=code).first()
        if unit is None:
            raise forms.ValidationError(_("No unit has the code %(code)s.") % {"code": code})
        return unit


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Token name"), max_length=100,
                           help_text=_("For example the machine or script that will use it."))


class ProfileForm(forms.Form):
    language = forms.ChoiceField(label=_("Interface language"), choices=settings.LANGUAGES)
