"""A clinician turns a published article into a handout for one patient."""

import hashlib
import logging
import re
from collections.abc import Callable

import pytest
import weasyprint
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from education.models import (
    MAX_REST_WEEKS,
    MAX_THERAPY_WEEKS,
    MAX_TIMES_PER_WEEK,
    MIN_THERAPY_WEEKS,
    MIN_TIMES_PER_WEEK,
    Article,
)
from education.packs import load_shipped
from education.workflow import archive
from handouts.issuing import build_handout
from handouts.models import MAX_NOTE_LENGTH, Handout
from handouts.timeline import treatment_timeline
from portal.models import ClinicProfile
from tests.handouts.helpers import builder_data, builder_url
from tests.helpers import default_choices, pdf_text, present

# The builder accepts dates near today; builder_data() describes a visit on 2 February 2027.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("visit_day")]


def test_builder_opens_with_the_articles_defaults(
    client: Client, clinician: User, sample_article: Article, clinic: ClinicProfile
) -> None:
    client.force_login(clinician)
    response = client.get(builder_url(sample_article))
    assert response.status_code == 200
    form = response.context["form"]
    offer = sample_article.plan_offer()
    assert offer.activity and form.initial["rest_weeks"] == offer.activity.rest_weeks
    assert form.initial["aid-crutches"] is offer.aids[0].selected
    assert form.initial["paper_size"] == clinic.default_paper_size
    default_tips = {
        str(t.lineage) for t in sample_article.prevention_tips.all() if t.selected_by_default
    }
    assert set(form.initial["prevention_tips"]) == default_tips
    for therapy in sample_article.therapies.all():
        assert form.fields[f"{therapy.lineage}-times_per_week"].initial == (therapy.times_per_week)
    assert "record_number" not in form.fields
    assert response["Cache-Control"].startswith("max-age=0")


def test_record_number_is_asked_only_when_the_clinic_uses_them(
    client: Client, clinician: User, sample_article: Article, clinic: ClinicProfile
) -> None:
    clinic.use_record_numbers = True
    clinic.save()
    client.force_login(clinician)
    assert "record_number" in client.get(builder_url(sample_article)).context["form"].fields


def test_article_page_offers_create_handout_to_clinicians_only(
    client: Client, personas: dict[str, User], sample_article: Article
) -> None:
    for persona, offered in [
        ("clinician", True),
        ("administrator", True),
        ("front_desk", False),
        ("editor", False),
    ]:
        client.force_login(personas[persona])
        html = client.get(sample_article.get_absolute_url()).content.decode()
        assert (builder_url(sample_article) in html) is offered, persona


def test_preview_shows_the_handout_and_saves_nothing(
    client: Client, clinician: User, sample_article: Article, clinic: ClinicProfile
) -> None:
    client.force_login(clinician)
    response = client.post(
        builder_url(sample_article), builder_data(sample_article, action="preview")
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Zoë Núñez-O&#x27;Brien" in html
    assert "Tuesday 16 March 2027" in html
    assert 'value="Zoë Núñez-O&#x27;Brien"' in html  # the form keeps what was typed
    assert Handout.objects.count() == 0


def test_preview_as_pdf_returns_the_pdf_inline_and_saves_nothing(
    client: Client, clinician: User, sample_article: Article, clinic: ClinicProfile
) -> None:
    client.force_login(clinician)
    response = client.post(
        builder_url(sample_article), builder_data(sample_article, action="preview_pdf")
    )
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert "Zoë Núñez-O'Brien" in pdf_text(response.content)
    assert Handout.objects.count() == 0


def test_issuing_saves_the_record_and_its_pdf_and_lands_on_the_handout_page(
    client: Client, clinician: User, sample_article: Article, clinic: ClinicProfile
) -> None:
    client.force_login(clinician)
    response = client.post(builder_url(sample_article), builder_data(sample_article))
    handout = Handout.objects.get()
    assert response.status_code == 302
    assert response["Location"] == handout.get_absolute_url()
    assert handout.issued_by == clinician
    assert handout.issued_by_name == clinician.get_full_name() or clinician.username
    assert handout.pdf_sha256 == hashlib.sha256(bytes(handout.stored_pdf.pdf)).hexdigest()
    assert len(handout.condition_list[0].therapy_plan) == 2
    assert handout.condition_list[0].therapy_plan[0]["times_per_week"] == 3
    page = client.get(response["Location"]).content.decode()
    assert "Download PDF" in page and "Print" in page


def test_the_same_form_submitted_twice_creates_one_handout(
    client: Client, clinician: User, sample_article: Article, clinic: ClinicProfile
) -> None:
    client.force_login(clinician)
    data = builder_data(sample_article)
    first = client.post(builder_url(sample_article), data)
    second = client.post(builder_url(sample_article), data)
    assert Handout.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_public_identifiers_are_random_not_sequential(
    handout: Handout, issue: Callable[..., Handout], sample_article: Article
) -> None:
    other = issue(sample_article)
    assert handout.get_absolute_url() == f"/handouts/{handout.public_id}/"
    assert handout.public_id.version == 4 and other.public_id.version == 4
    assert handout.public_id != other.public_id


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("patient_name", "", "Enter the patient&#x27;s name as it should be printed."),
        ("patient_name", "x" * 101, "Ensure this value has at most 100 characters"),
        ("patient_name", "Ann\x00e", "Null characters are not allowed."),
        ("patient_name", "Ann\u200be", "The name contains characters that cannot be printed."),
        ("patient_name", "12345", "Enter the patient&#x27;s name using letters."),
        ("visit_date", "31/02/2027", "Enter a valid date."),
        ("rest_weeks", "0", "Rest can be 1 to 52 weeks."),
        ("rest_weeks", "53", "Rest can be 1 to 52 weeks."),
        ("rest_weeks", "six", "Enter a whole number."),
        ("follow_up_date", "2027-02-01", "The follow-up cannot be before the visit date."),
        ("clinician_note", "n" * 1001, "Ensure this value has at most 1000 characters"),
        ("paper_size", "a3", "Select a valid choice."),
        ("load", "hop", "Select a valid choice."),
        ("activity", "sleep", "Select a valid choice."),
        ("aid-crutches-weeks", "53", "Ensure this value is less than or equal to 52."),
    ],
)
def test_invalid_input_is_explained_next_to_the_field_and_everything_typed_stays(
    client: Client,
    clinician: User,
    sample_article: Article,
    clinic: ClinicProfile,
    field: str,
    value: str,
    message: str,
) -> None:
    client.force_login(clinician)
    data = builder_data(sample_article, **{"clinician_note": "Keep this note", field: value})
    response = client.post(builder_url(sample_article), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert field in response.context["form"].errors
    if field != "clinician_note":
        assert "Keep this note" in response.content.decode()
    assert Handout.objects.count() == 0


def test_a_chosen_therapy_needs_its_frequency_and_duration(
    client: Client, clinician: User, sample_article: Article, clinic: ClinicProfile
) -> None:
    client.force_login(clinician)
    therapy = present(sample_article.therapies.first())
    data = builder_data(
        sample_article,
        **{f"{therapy.lineage}-weeks": "", f"{therapy.lineage}-times_per_week": "15"},
    )
    response = client.post(builder_url(sample_article), data)
    errors = response.context["form"].errors
    assert errors[f"{therapy.lineage}-weeks"] == [f"Say for how long, or untick {therapy.name}."]
    assert errors[f"{therapy.lineage}-times_per_week"] == [
        "Ensure this value is less than or equal to 14."
    ]


def test_names_in_any_script_are_accepted(
    client: Client, clinician: User, sample_article: Article, clinic: ClinicProfile
) -> None:
    client.force_login(clinician)
    for name in ["Ζωή Παπαδοπούλου", "Иван Петров", "محمد علي", "山田 太郎"]:
        data = builder_data(sample_article, patient_name=name, action="preview")
        response = client.post(builder_url(sample_article), data)
        assert response.context["form"].is_valid(), name


def test_a_render_failure_saves_nothing_keeps_the_form_and_logs_no_patient_data(
    client: Client,
    clinician: User,
    sample_article: Article,
    clinic: ClinicProfile,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken_write_pdf(*args: object, **kwargs: object) -> None:
        raise RuntimeError("cairo ran out of memory")

    # WeasyPrint is outside our code: make it fail the way a real failure would.
    monkeypatch.setattr(weasyprint.Document, "write_pdf", broken_write_pdf)
    client.force_login(clinician)
    with caplog.at_level(logging.INFO):
        response = client.post(builder_url(sample_article), builder_data(sample_article))
    html = response.content.decode()
    assert response.status_code == 200
    assert "could not be issued because its PDF failed to render. Nothing was saved." in html
    assert 'value="Zoë Núñez-O&#x27;Brien"' in html
    assert Handout.objects.count() == 0
    logged = "\n".join(r.getMessage() + str(r.exc_info) for r in caplog.records)
    assert "Handout PDF rendering failed (RuntimeError)" in logged
    assert "Zoë" not in logged and "Núñez" not in logged


def test_other_languages_of_the_condition_are_offered(
    client: Client, clinician: User, sample_article: Article, clinic: ClinicProfile
) -> None:
    from education.models import Article

    Article.objects.create(
        condition=sample_article.condition,
        language="es",
        title="Edema óseo",
        summary="…",
        state="published",
    )
    client.force_login(clinician)
    html = client.get(builder_url(sample_article)).content.decode()
    assert reverse("handouts:new", args=["bone-marrow-edema", "es"]) in html


def test_builder_for_an_unpublished_article_is_not_found(
    client: Client, clinician: User, reviewer: User, sample_article: Article
) -> None:
    archive(sample_article, reviewer)
    client.force_login(clinician)
    assert client.get(builder_url(sample_article)).status_code == 404


def test_library_search_results_offer_create_handout_to_clinicians(
    client: Client, personas: dict[str, User], sample_article: Article
) -> None:
    for persona, offered in [("clinician", True), ("front_desk", False)]:
        client.force_login(personas[persona])
        html = client.get(reverse("education:library"), {"q": "edema"}).content.decode()
        assert (builder_url(sample_article) in html) is offered, persona


def test_issuing_is_refused_while_the_clinic_has_no_phone_and_nothing_typed_is_lost(
    client: Client, clinician: User, sample_article: Article, clinic: ClinicProfile
) -> None:
    clinic.phone = ""
    clinic.save()
    client.force_login(clinician)
    page = client.get(builder_url(sample_article)).content.decode()
    assert "Handouts cannot be issued yet" in page
    assert "no phone number" in page
    response = client.post(
        builder_url(sample_article),
        builder_data(
            sample_article, patient_name="Amara Okafor", clinician_note="Keep the boot on."
        ),
    )
    assert response.status_code == 200
    assert not Handout.objects.exists()
    html = response.content.decode()
    assert "The handout was not issued" in html
    assert 'value="Amara Okafor"' in html
    assert "Keep the boot on." in html


def test_issuing_is_refused_while_the_clinic_keeps_its_placeholder_name(
    client: Client, clinician: User, sample_article: Article, db: None
) -> None:
    from portal.models import ClinicProfile

    profile = ClinicProfile.load()
    profile.phone = "+1 555 0100"
    profile.save()
    client.force_login(clinician)
    client.post(builder_url(sample_article), builder_data(sample_article))
    assert not Handout.objects.exists()


def test_the_builder_offers_the_articles_sections_ticked_as_the_article_says(
    client: Client, clinician: User, sample_article: Article, clinic: ClinicProfile
) -> None:
    client.force_login(clinician)
    form = client.get(builder_url(sample_article)).context["form"]
    sections = list(sample_article.sections.all())
    assert [key for key, _label in form.fields["background_sections"].choices] == [
        str(s.lineage) for s in sections
    ]
    assert form.initial["background_sections"] == [
        str(s.lineage) for s in sections if s.printed_by_default
    ]


def test_only_the_chosen_background_sections_are_printed_and_recorded(
    client: Client, clinician: User, sample_article: Article, clinic: ClinicProfile
) -> None:
    first, second = sample_article.sections.all()[:2]
    client.force_login(clinician)
    client.post(
        builder_url(sample_article),
        builder_data(sample_article, background_sections=[str(second.lineage)]),
    )
    handout = Handout.objects.get()
    assert handout.condition_list[0].background_section_keys == [str(second.lineage)]
    text = pdf_text(bytes(handout.stored_pdf.pdf))
    assert second.display_heading in text
    assert first.display_heading not in text


def test_a_character_no_font_can_print_is_refused_by_name_and_the_input_kept(
    client: Client, clinician: User, sample_article: Article, clinic: ClinicProfile
) -> None:
    client.force_login(clinician)
    response = client.post(
        builder_url(sample_article),
        builder_data(sample_article, patient_name="Ann 𓀀 Lee", clinician_note="Rest 😀 well."),
    )
    assert response.status_code == 200
    assert not Handout.objects.exists()
    html = response.content.decode()
    assert "“𓀀” (EGYPTIAN HIEROGLYPH A001) cannot be printed" in html
    assert "“😀” (GRINNING FACE) cannot be printed" in html
    assert 'value="Ann 𓀀 Lee"' in html


def test_names_in_other_scripts_are_issued_and_printed(
    client: Client, clinician: User, sample_article: Article, clinic: ClinicProfile
) -> None:
    client.force_login(clinician)
    for name in ["王小明", "अनीता शर्मा", "علی‌رضا"]:  # the last with a zero-width non-joiner
        client.post(builder_url(sample_article), builder_data(sample_article, patient_name=name))
    assert sorted(Handout.objects.values_list("patient_name", flat=True)) == sorted(
        ["王小明", "अनीता शर्मा", "علی‌رضا"]
    )


def test_an_accent_typed_as_a_separate_mark_is_stored_composed(
    client: Client, clinician: User, sample_article: Article, clinic: ClinicProfile
) -> None:
    client.force_login(clinician)
    client.post(
        builder_url(sample_article),
        builder_data(sample_article, patient_name="Zoe\u0308 Nu\u0301n\u0303ez"),
    )
    assert Handout.objects.get().patient_name == "Zoë Núñez"


def test_the_preview_shows_the_whole_handouts_reading_level_against_the_target(
    client: Client, clinician: User, sample_article: Article, clinic: ClinicProfile
) -> None:
    client.force_login(clinician)
    response = client.post(
        builder_url(sample_article), builder_data(sample_article, action="preview")
    )
    level = response.context["reading_level"]["level"]
    assert level.grade <= 6 and level.smog <= 7
    html = response.content.decode()
    assert f"grade {level.grade} (Flesch-Kincaid), SMOG {level.smog}" in html
    assert "Within the target" in html
    long_words = " ".join(
        [
            "Extraordinarily complicated musculoskeletal rehabilitation "
            "considerations necessitate individualized physiotherapeutic "
            "intervention."
        ]
        * 6
    )
    response = client.post(
        builder_url(sample_article),
        builder_data(sample_article, action="preview", clinician_note=long_words),
    )
    assert "Above the target" in response.content.decode()


@pytest.mark.parametrize("action", [None, "preview", "preview_pdf", "issue"])
def test_each_builder_request_loads_the_clinic_profile_once(
    client: Client,
    clinician: User,
    sample_article: Article,
    clinic: ClinicProfile,
    action: str | None,
) -> None:
    client.force_login(clinician)
    with CaptureQueriesContext(connection) as queries:
        if action is None:
            response = client.get(builder_url(sample_article))
        else:
            data = builder_data(sample_article, action=action)
            response = client.post(builder_url(sample_article), data)
    assert response.status_code in {200, 302}
    clinic_loads = [q for q in queries.captured_queries if '"portal_clinicprofile"' in q["sql"]]
    assert len(clinic_loads) == 1


def builder_get_queries(client, article) -> list[str]:
    url = builder_url(article)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return [query["sql"] for query in queries.captured_queries]


def test_the_builders_queries_do_not_grow_with_the_library_or_the_article(
    client, clinician, sample_article, clinic, issue
):
    """One query per part table, whatever the article holds (the sample has four therapies,
    the back none) and however many conditions and handouts the clinic has."""
    client.force_login(clinician)
    client.get(builder_url(sample_article))  # the first request after signing in does more
    alone = builder_get_queries(client, sample_article)
    for slug in ("ankle-sprain", "low-back-pain", "tennis-elbow"):
        load_shipped(slug)
    for _ in range(3):
        issue(sample_article)
    others = Article.objects.published().exclude(pk=sample_article.pk)

    assert len(builder_get_queries(client, sample_article)) == len(alone)
    assert {len(builder_get_queries(client, article)) for article in others} == {len(alone)}


def test_issuing_refused_for_the_clinic_profile_loads_it_once(
    client: Client, clinician: User, sample_article: Article, clinic: ClinicProfile
) -> None:
    clinic.phone = ""
    clinic.save()
    client.force_login(clinician)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(builder_url(sample_article), builder_data(sample_article))
    assert "The handout was not issued" in response.content.decode()
    clinic_loads = [q for q in queries.captured_queries if '"portal_clinicprofile"' in q["sql"]]
    assert len(clinic_loads) == 1


def test_an_unknown_action_previews_and_saves_nothing(
    client: Client, clinician: User, sample_article: Article, clinic: ClinicProfile
) -> None:
    client.force_login(clinician)
    data = builder_data(sample_article, action="something-else")
    response = client.post(builder_url(sample_article), data)
    assert response.status_code == 200
    assert response.context["preview"]["handout"].patient_name == "Zoë Núñez-O'Brien"
    assert Handout.objects.count() == 0


def test_a_preview_pdf_that_fails_to_render_shows_the_preview_and_says_so(
    client: Client,
    clinician: User,
    sample_article: Article,
    clinic: ClinicProfile,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken_write_pdf(*args: object, **kwargs: object) -> None:
        raise RuntimeError("cairo ran out of memory")

    monkeypatch.setattr(weasyprint.Document, "write_pdf", broken_write_pdf)
    client.force_login(clinician)
    data = builder_data(sample_article, action="preview_pdf")
    response = client.post(builder_url(sample_article), data)
    html = response.content.decode()
    assert response["Content-Type"].startswith("text/html")
    assert "The preview PDF failed to render. Please try again." in html
    assert "Zoë Núñez-O&#x27;Brien" in response.context["preview"]["html"]
    assert Handout.objects.count() == 0


def test_the_rest_limits_are_stated_from_the_care_plan_bounds_in_the_staff_language(
    client: Client, clinician: User, sample_article: Article, clinic: ClinicProfile
) -> None:
    client.force_login(clinician)
    page = client.get(builder_url(sample_article)).content.decode()
    assert f"1 to {MAX_REST_WEEKS}, with rest. The handout says to rest" in page
    data = builder_data(sample_article, rest_weeks=str(MAX_REST_WEEKS + 1))
    response = client.post(builder_url(sample_article), data, HTTP_ACCEPT_LANGUAGE="es")
    expected = f"El reposo puede ser de 1 a {MAX_REST_WEEKS} semanas."
    assert response.context["form"].errors["rest_weeks"] == [expected]


@pytest.mark.parametrize(
    ("part", "lowest", "highest"),
    [
        ("times_per_week", MIN_TIMES_PER_WEEK, MAX_TIMES_PER_WEEK),
        ("weeks", MIN_THERAPY_WEEKS, MAX_THERAPY_WEEKS),
    ],
)
def test_a_therapys_numbers_keep_to_the_bounds_an_article_may_suggest(
    client: Client,
    clinician: User,
    sample_article: Article,
    clinic: ClinicProfile,
    part: str,
    lowest: int,
    highest: int,
) -> None:
    client.force_login(clinician)
    field = f"{present(sample_article.therapies.first()).lineage}-{part}"
    for value, accepted in [
        (lowest - 1, False),
        (lowest, True),
        (highest, True),
        (highest + 1, False),
    ]:
        data = builder_data(sample_article, action="preview", **{field: str(value)})
        form = client.post(builder_url(sample_article), data).context["form"]
        assert (field not in form.errors) is accepted, value


def test_the_handout_record_refuses_what_the_builder_refuses(
    clinician: User, sample_article: Article
) -> None:
    too_long = "n" * (MAX_NOTE_LENGTH + 1)
    handout = build_handout(
        sample_article,
        default_choices(sample_article, rest_weeks=MAX_REST_WEEKS + 1, clinician_note=too_long),
        issued_by=clinician,
    )
    with pytest.raises(ValidationError) as refused:
        handout.full_clean(exclude=["pdf_sha256"])
    assert {"plan", "clinician_note"} <= set(refused.value.message_dict)


# With the visit_day fixture, today is 2 February 2027: the builder accepts dates from one
# year before (365 days) to two years after (730 days).
FIRST_ACCEPTED, LAST_ACCEPTED = "2026-02-02", "2029-02-01"


@pytest.mark.parametrize("field", ["visit_date", "follow_up_date"])
@pytest.mark.parametrize("value", ["9999-12-31", "2029-02-02", "2026-02-01", "0001-01-01"])
def test_a_date_outside_the_accepted_window_is_refused_naming_the_window_and_keeping_the_input(
    client: Client,
    clinician: User,
    sample_article: Article,
    clinic: ClinicProfile,
    field: str,
    value: str,
) -> None:
    client.force_login(clinician)
    data = builder_data(sample_article, **{field: value})
    if field == "follow_up_date":
        data["visit_date"] = FIRST_ACCEPTED  # so only the window can refuse the follow-up
    response = client.post(builder_url(sample_article), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors[field] == ["Enter a date from 2 February 2026 to 1 February 2029."]
    assert "Zoë Núñez-O&#x27;Brien" in response.content.decode()
    assert Handout.objects.count() == 0


def test_the_accepted_window_is_stated_in_the_staff_language(
    client: Client, clinician: User, sample_article: Article, clinic: ClinicProfile
) -> None:
    client.force_login(clinician)
    data = builder_data(sample_article, visit_date="9999-12-31")
    response = client.post(builder_url(sample_article), data, HTTP_ACCEPT_LANGUAGE="es")
    assert response.context["form"].errors["visit_date"] == [
        "Indique una fecha entre el 2 de febrero de 2026 y el 1 de febrero de 2029."
    ]


def test_the_date_pickers_offer_only_the_accepted_window(
    client: Client, clinician: User, sample_article: Article, clinic: ClinicProfile
) -> None:
    client.force_login(clinician)
    html = client.get(builder_url(sample_article)).content.decode()
    for name in ("visit_date", "follow_up_date"):
        field = present(re.search(rf'<input type="date" name="{name}"[^>]*>', html))[0]
        assert f'min="{FIRST_ACCEPTED}"' in field and f'max="{LAST_ACCEPTED}"' in field


@pytest.mark.parametrize("visit", [FIRST_ACCEPTED, LAST_ACCEPTED])
def test_the_longest_plan_from_either_end_of_the_window_is_issued_with_its_timeline(
    client: Client, clinician: User, sample_article: Article, clinic: ClinicProfile, visit: str
) -> None:
    client.force_login(clinician)
    therapy = str(present(sample_article.therapies.first()).lineage)
    data = builder_data(
        sample_article,
        visit_date=visit,
        follow_up_date=LAST_ACCEPTED,
        rest_weeks=str(MAX_REST_WEEKS),
        **{f"{therapy}-weeks": str(MAX_THERAPY_WEEKS)},
    )
    response = client.post(builder_url(sample_article), data)
    assert response.status_code == 302, response.context["form"].errors
    handout = Handout.objects.get()  # its PDF was rendered before it was saved
    assert handout.visit_date.isoformat() == visit
    assert (
        treatment_timeline(handout.condition_list[0])[-1].last_week
        == MAX_REST_WEEKS + MAX_THERAPY_WEEKS
    )
