"""Checks on what people type: CIN, phone numbers, dates. Messages in the user's language."""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

# CNIE numbers are one or two letters followed by up to six digits (for example AB123456).
CIN_RE = re.compile(r"^[A-Z]{1,2}[0-9]{1,6}$")
RECORD_RE = re.compile(r"^MWK-?\d{1,9}$", re.I)


def clean_cin(value: str) -> str:
    cin = re.sub(r"[\s\-./]", "", value or "").upper()
    if not CIN_RE.match(cin):
        raise ValidationError(
            _("“%(value)s” is not a CIN number: one or two letters followed by up to six digits, "
              "for example AB123456.") % {"value": value}
        )
    return cin


def looks_like_cin(value: str) -> bool:
    return bool(CIN_RE.match(re.sub(r"[\s\-./]", "", value or "").upper()))


def clean_phone(value: str) -> str:
    """Moroccan numbers in E.164: 06…/07…/05… or +212 6… become +2126…; others need their +code."""
    digits = re.sub(r"[^\d+]", "", value or "")
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if digits.startswith("0") and len(digits) == 10:
        digits = "+212" + digits[1:]
    if digits.startswith("212") and len(digits) == 12:
        digits = "+" + digits
    if digits.startswith("+212"):
        if not re.fullmatch(r"\+212[5-8]\d{8}", digits):
            raise ValidationError(
                _("“%(value)s” is not a Moroccan phone number (10 digits starting with 05, 06, 07 or 08).")
                % {"value": value}
            )
        return digits
    if re.fullmatch(r"\+\d{8,15}", digits):
        return digits
    raise ValidationError(_("“%(value)s” is not a phone number.") % {"value": value})


def looks_like_phone(value: str) -> bool:
    digits = re.sub(r"[\s\-.()]", "", value or "")
    return bool(re.fullmatch(r"(\+|00)?\d{9,15}", digits))


def check_birth(birth_date: date | None, birth_year: int | None) -> None:
    today = timezone.localdate()
    if birth_date is not None:
        if birth_date > today:
            raise ValidationError({"birth_date": [_("The date of birth is in the future.")]})
        if birth_date.year < today.year - 120:
            raise ValidationError({"birth_date": [_("A date of birth more than 120 years ago is not plausible.")]})
    if birth_year is not None and not (today.year - 120 <= birth_year <= today.year):
        raise ValidationError({"birth_year": [
            _("The year of birth must be between %(low)s and %(high)s.") % {"low": today.year - 120,
                                                                             "high": today.year}
        ]})
