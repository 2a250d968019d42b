"""Forms of the training pages. Choices are passed in by the view (already narrowed by scope)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

SCORES = [(i, str(i)) for i in range(1, 6)]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class SessionForm(forms.Form):
    organiser = forms.TypedChoiceField(label=_("Organising unit"), coerce=int)
    theme = forms.TypedChoiceField(label=_("Theme"), coerce=int)
    title = forms.CharField(label=_("Title"), max_length=250)
    starts_on = forms.DateField(label=_("First day"), widget=DateInput())
    ends_on = forms.DateField(label=_("Last day"), widget=DateInput())
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1, max_value=500, initial=30)
    trainer = forms.TypedChoiceField(label=_("Trainer (staff member)"), coerce=int, required=False, empty_value=None)
    trainer_name = forms.CharField(label=_("or trainer from outside"), max_length=200, required=False)
    place = forms.TypedChoiceField(label=_("Place (a unit of the institution)"), coerce=int, required=False,
                                   empty_value=None)
    place_text = forms.CharField(label=_("or another place"), max_length=250, required=False)

    def __init__(self, *args: Any, organisers: list[tuple[int, str]], themes: list[tuple[int, str]],
                 trainers: list[tuple[int, str]], places: list[tuple[int, str]], editing: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: dict[str, list[tuple[Any, str]]] = {
            "organiser": list(organisers), "theme": list(themes), "trainer": [("", "—"), *trainers],
            "place": [("", "—"), *places]}
        for name, values in choices.items():
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = values
        if editing:
            del self.fields["organiser"]

    def service_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {"theme_id": d["theme"], "title": d["title"], "starts_on": d["starts_on"], "ends_on": d["ends_on"],
                "capacity": d["capacity"], "trainer_id": d.get("trainer"), "trainer_name": d.get("trainer_name", ""),
                "place_id": d.get("place"), "place_text": d.get("place_text", "")}


class EvaluationForm(forms.Form):
    satisfaction = forms.TypedChoiceField(label=_("Overall, how satisfied are you with this session?"),
                                          choices=SCORES, coerce=int, widget=forms.RadioSelect)
    usefulness = forms.TypedChoiceField(label=_("How useful is it for your daily work?"), choices=SCORES, coerce=int,
                                        widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Comment"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}))
