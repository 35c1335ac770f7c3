"""FastWidgetRenderer draws the common widgets with exactly the markup of Django's own widget
templates: every widget the handout builder uses, with awkward values, compared byte for byte."""

import datetime

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from portal.form_renderer import FastWidgetRenderer
from portal.widgets import NativeDateInput

AWKWARD = 'Zoë <b>"O\'Brien"</b> & co'


class EveryWidget(forms.Form):
    text = forms.CharField(max_length=40, help_text="Help")
    number = forms.IntegerField(min_value=1, max_value=52, required=False)
    date = forms.DateField(widget=NativeDateInput(attrs={"min": "2027-01-01"}))
    hidden = forms.UUIDField(widget=forms.HiddenInput, required=False)
    email = forms.EmailField(required=False)
    tick = forms.BooleanField(required=False)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    pick = forms.ChoiceField(
        choices=[("", "Not said"), ("a", AWKWARD), ("b", gettext_lazy("Left")), (3, 1234)]
    )
    grouped = forms.ChoiceField(
        choices=[("Leg", [("knee", "Knee"), ("hip", "Hip")]), ("arm", mark_safe("<i>Arm</i>"))]
    )
    radio = forms.ChoiceField(choices=[("x", "X & Y"), ("z", "Z")], widget=forms.RadioSelect)
    boxes = forms.MultipleChoiceField(
        choices=[("1", "One"), ("2", AWKWARD)], widget=forms.CheckboxSelectMultiple
    )


def rendered(form: forms.Form) -> list[str]:
    """Each field as a whole, and each option of the choice fields on its own (as the
    builder's template renders radio buttons and checkbox lists)."""
    out = []
    for field in form:
        out.append(str(field))
        out.extend(str(option.tag()) for option in field)
    return out


@pytest.mark.parametrize(
    "data",
    [
        None,
        {
            "text": AWKWARD,
            "number": "4",
            "date": "2027-02-02",
            "email": "ann@example.org",
            "tick": "on",
            "note": f"Line one\n{AWKWARD}",
            "pick": "a",
            "grouped": "hip",
            "radio": "x",
            "boxes": ["1", "2"],
        },
        {"number": "sixty", "date": "2027-13-40", "pick": "nope", "note": "   "},
    ],
    ids=["unbound", "filled", "invalid"],
)
def test_the_fast_renderer_draws_what_djangos_templates_draw(data) -> None:
    initial = {"hidden": "6f1c8c1e-2d6a-4f1c-9d9b-7f4f8a0f7f11", "date": datetime.date(2027, 2, 2)}
    django_form = EveryWidget(data, initial=initial, renderer=DjangoTemplates())
    fast_form = EveryWidget(data, initial=initial, renderer=FastWidgetRenderer())
    if data is not None:  # errors (aria-invalid, aria-describedby) are drawn too
        assert django_form.is_valid() == fast_form.is_valid() == (data["pick"] == "a")

    assert rendered(fast_form) == rendered(django_form)


def test_templates_it_does_not_draw_go_to_django() -> None:
    form = EveryWidget(renderer=FastWidgetRenderer())

    # The whole form (div.html) and the option lists of radio buttons are Django's templates.
    assert str(form) == str(EveryWidget(renderer=DjangoTemplates()))
