"""Every condition the portal ships can be issued in each of its languages with the builder's
defaults, as a clinician who changes nothing but the patient's name would (issue 22)."""

import datetime
from pathlib import Path
from typing import Any

import pytest
from django import forms
from django.test import Client
from django.urls import reverse

from education.packs import SHIPPED_DIR, load_shipped
from handouts.models import Handout

SLUGS = sorted(path.stem for path in Path(SHIPPED_DIR).glob("*.json"))


def as_a_browser_posts(form: forms.Form) -> dict[str, Any]:
    """The form's initial values as a browser sends them: ticked boxes as "on", unticked ones
    left out, dates as ISO dates, empty values as empty strings."""
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if isinstance(field.widget, forms.CheckboxInput):
            if value:
                data[name] = "on"
        elif isinstance(value, (list, tuple)):
            data[name] = [str(item) for item in value]
        elif isinstance(value, datetime.date):
            data[name] = value.isoformat()
        else:
            data[name] = "" if value is None else str(value)
    return data


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("slug", SLUGS)
def test_every_shipped_condition_is_issued_with_the_builders_defaults(
    client: Client, clinician: Any, clinic: Any, slug: str, language: str
) -> None:
    load_shipped(slug)
    client.force_login(clinician)
    url = reverse("handouts:new", args=[slug, language])
    form = client.get(url).context["form"]
    response = client.post(
        url, as_a_browser_posts(form) | {"patient_name": "Ana Demo", "action": "issue"}
    )
    errors = response.context["form"].errors if response.status_code == 200 else {}
    assert response.status_code == 302, errors
    assert (
        Handout.objects.filter(conditions__article__condition__slug=slug, language=language).count()
        == 1
    )


def test_the_activity_choices_are_a_labelled_group_of_radio_buttons(
    client: Client, clinician: Any
) -> None:
    load_shipped("ankle-sprain")
    client.force_login(clinician)
    html = client.get(reverse("handouts:new", args=["ankle-sprain", "en"])).content.decode()
    assert 'role="radiogroup" aria-labelledby="id_activity_label"' in html
    assert '<div class="form-check"><input type="radio" name="activity"' in html
