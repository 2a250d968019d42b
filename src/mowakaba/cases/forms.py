"""Forms of the casework pages. They parse and check the shape of what was typed; the rules
(consent, deadlines, capacity, who may decide) live in ``services`` and come back as
``ValidationError`` attached to these forms with ``core.forms.apply_errors``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mowakaba.cases.assessment import QUESTIONS
from mowakaba.cases.models import (
    Channel,
    ClosureOutcome,
    ClosureReason,
    Goal,
    Level,
    Need,
    TargetGroup,
    Task,
    Urgency,
)
from mowakaba.registry.models import Consent, Sex

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
DATE = forms.DateInput(attrs={"type": "date", "dir": "ltr"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local", "dir": "ltr"}, format="%Y-%m-%dT%H:%M")


def _text(rows: int = 3, **attrs: Any) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, **attrs})


def _blank(label: Any) -> list[tuple[str, Any]]:
    return [("", label)]


class ListeningForm(forms.Form):
    """A listening session: who, how and when, what was said and needed, and what follows."""

    OPEN, INFORMATION, ADD = "open", "information", "add"

    establishment = forms.TypedChoiceField(label=_("Establishment"), coerce=int)
    channel = forms.ChoiceField(label=_("How the person came to us"),
                                choices=[*_blank("—"), *Channel.choices], required=False)
    held_at = forms.DateTimeField(label=_("Date and time"), required=False, widget=DATETIME,
                                  input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"])
    place = forms.CharField(label=_("Place"), max_length=160, required=False)
    commune = forms.TypedChoiceField(label=_("Commune"), coerce=int, required=False, empty_value=None)
    reported_by = forms.CharField(label=_("Reported by"), max_length=160, required=False,
                                  help_text=_("Who reported the situation: service, person, phone number."))
    # The person: an existing record (radio buttons from the search), a new one, or nobody.
    person = forms.IntegerField(required=False)
    given_name_ar = forms.CharField(label=_("Given name (Arabic)"), max_length=80, required=False,
                                    widget=forms.TextInput(attrs={"dir": "rtl", "lang": "ar", "autocomplete": "off"}))
    family_name_ar = forms.CharField(label=_("Family name (Arabic)"), max_length=80, required=False,
                                     widget=forms.TextInput(attrs={"dir": "rtl", "lang": "ar",
                                                                   "autocomplete": "off"}))
    sex = forms.ChoiceField(label=_("Sex"), choices=[*_blank(_("Not said")), *Sex.choices], required=False)
    birth_year = forms.IntegerField(label=_("Year of birth"), required=False, min_value=1900,
                                    widget=forms.NumberInput(attrs={"dir": "ltr", "inputmode": "numeric"}))
    pseudonym = forms.CharField(label=_("Or only a pseudonym"), max_length=80, required=False,
                                help_text=_("For a first contact when the person does not give a name."))
    needs = forms.MultipleChoiceField(label=_("Needs expressed"), choices=Need.choices, required=False,
                                      widget=forms.CheckboxSelectMultiple)
    account = forms.CharField(label=_("The person's account"), required=False, widget=_text(5))
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.NORMAL,
                                widget=forms.RadioSelect)
    consent_given = forms.BooleanField(label=_("The person agrees to listening and case work"), required=False)
    consent_method = forms.ChoiceField(label=_("How consent was given"), choices=Consent.Method.choices,
                                       initial=Consent.Method.ORAL, required=False)
    groups = forms.MultipleChoiceField(label=_("Target groups"), choices=TargetGroup.choices, required=False,
                                       widget=forms.CheckboxSelectMultiple)
    outcome = forms.ChoiceField(label=_("What follows"), widget=forms.RadioSelect, initial=OPEN, choices=[
        (OPEN, _("Open a case")),
        (ADD, _("Add to an open case of this person")),
        (INFORMATION, _("Information given, no case")),
    ])
    case = forms.IntegerField(required=False)

    NEW_PERSON_FIELDS = ("given_name_ar", "family_name_ar", "sex", "birth_year", "pseudonym")
    SESSION_FIELDS = ("channel", "held_at", "place", "commune", "reported_by", "account", "urgency")

    def __init__(self, *args: Any, establishments: list[tuple[int, str]], communes: list[tuple[int, str]],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        establishment_field = self.fields["establishment"]
        assert isinstance(establishment_field, forms.ChoiceField)
        establishment_field.choices = establishments
        commune_field = self.fields["commune"]
        assert isinstance(commune_field, forms.ChoiceField)
        commune_field.choices = [("", "—"), *communes]
        if not self.is_bound and "held_at" not in self.initial:
            self.initial["held_at"] = timezone.localtime().replace(second=0, microsecond=0)

    def has_new_person(self) -> bool:
        return any(self.cleaned_data.get(f) for f in self.NEW_PERSON_FIELDS)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("person") and self.has_new_person():
            raise ValidationError(_("Choose an existing person or write a new one, not both."))
        return data

    def session_data(self) -> dict[str, Any]:
        data = {f: self.cleaned_data.get(f) for f in self.SESSION_FIELDS}
        data["commune"] = None  # the view puts the Commune row here
        return data

    def new_person(self) -> dict[str, Any] | None:
        if self.cleaned_data.get("person") or not self.has_new_person():
            return None
        return {
            "given_name_ar": self.cleaned_data.get("given_name_ar") or "",
            "family_name_ar": self.cleaned_data.get("family_name_ar") or "",
            "sex": self.cleaned_data.get("sex") or "",
            "birth_year": self.cleaned_data.get("birth_year"),
            "pseudonym": self.cleaned_data.get("pseudonym") or "",
        }


class CaseEditForm(forms.Form):
    agent = forms.TypedChoiceField(label=_("Responsible agent"), coerce=int, required=False, empty_value=None)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, widget=forms.RadioSelect)
    summary = forms.CharField(label=_("Summary"), required=False, widget=_text(5))
    next_review_on = forms.DateField(label=_("Next review"), required=False, widget=DATE, input_formats=DATE_FORMATS)
    groups = forms.MultipleChoiceField(label=_("Target groups"), choices=TargetGroup.choices, required=False,
                                       widget=forms.CheckboxSelectMultiple)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, agents: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["agent"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Nobody yet")), *agents]


class AssessmentForm(forms.Form):
    """The nine questions of the structured assessment, then the level retained."""

    level = forms.ChoiceField(label=_("Level retained"), required=False,
                              choices=[*_blank(_("The computed level")), *Level.choices])
    override_reason = forms.CharField(label=_("Why a different level"), required=False, widget=_text(2))
    notes = forms.CharField(label=_("Notes"), required=False, widget=_text(3))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for q, (label, options) in QUESTIONS.items():
            self.fields[q] = forms.ChoiceField(label=str(label), choices=options, required=False,
                                               widget=forms.RadioSelect)

    def answers(self) -> dict[str, str]:
        return {q: self.cleaned_data.get(q) or "" for q in QUESTIONS}


class NoteForm(forms.Form):
    note = forms.CharField(label=_("What was done"), widget=_text(3))


class ConferenceForm(forms.Form):
    note = forms.CharField(label=_("What the case conference decided"), widget=_text(3))


class PlanSubmitForm(forms.Form):
    note = forms.CharField(label=_("Note for the delegate"), required=False, widget=_text(2))


class GoalForm(forms.Form):
    text = forms.CharField(label=_("Goal"), max_length=300)


class GoalStateForm(forms.Form):
    state = forms.ChoiceField(choices=Goal.State.choices)


class TaskForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Task.Kind.choices, initial=Task.Kind.ACTION)
    title = forms.CharField(label=_("What"), max_length=300)
    due_on = forms.DateField(label=_("By"), widget=DATE, input_formats=DATE_FORMATS)
    assignee = forms.TypedChoiceField(label=_("Assigned to"), coerce=int, required=False, empty_value=None)
    goal = forms.TypedChoiceField(label=_("Goal"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, agents: list[tuple[int, str]], goals: list[tuple[int, str]],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        assignee = self.fields["assignee"]
        assert isinstance(assignee, forms.ChoiceField)
        assignee.choices = [("", _("The responsible agent")), *agents]
        goal = self.fields["goal"]
        assert isinstance(goal, forms.ChoiceField)
        goal.choices = [("", "—"), *goals]
        if not self.is_bound:
            self.initial.setdefault("due_on", timezone.localdate())


class TaskDoneForm(forms.Form):
    note = forms.CharField(label=_("What was seen or said"), required=False, widget=_text(2))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=_text(2))


class ReviewForm(forms.Form):
    note = forms.CharField(label=_("Where the plan stands"), widget=_text(3))
    next_review_on = forms.DateField(label=_("Next review"), required=False, widget=DATE,
                                     input_formats=DATE_FORMATS,
                                     help_text=_("Empty: in the usual number of days."))


class PlacementForm(forms.Form):
    establishment = forms.IntegerField(label=_("Establishment"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=[("temporary", _("Temporary")), ("permanent", _("Permanent"))])
    starts_on = forms.DateField(label=_("From"), required=False, widget=DATE, input_formats=DATE_FORMATS)
    note = forms.CharField(label=_("Note for the delegate"), required=False, widget=_text(2))
    capacity_override = forms.CharField(
        label=_("Reason for exceeding capacity"), required=False, widget=_text(2),
        help_text=_("Only when the establishment is full."))


class TransferForm(forms.Form):
    to_establishment = forms.IntegerField(label=_("Receiving establishment"), required=False)
    reason = forms.CharField(label=_("Reason"), widget=_text(2))


class CloseForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason for closing"),
                               choices=[*_blank("—"), *ClosureReason.choices], required=False)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[*_blank("—"), *ClosureOutcome.choices], required=False)
    note = forms.CharField(label=_("Closing note"), required=False, widget=_text(3))
    version = forms.IntegerField(widget=forms.HiddenInput)


class DecideForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("refuse", _("Refuse"))])
    comment = forms.CharField(label=_("Comment"), required=False, widget=_text(2))
    capacity_override = forms.CharField(label=_("Reason for exceeding capacity"), required=False, widget=_text(2))


class TransferDecideForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", _("Accept")), ("decline", _("Decline"))])
    reason = forms.CharField(label=_("Reason for declining"), required=False, widget=_text(2))
