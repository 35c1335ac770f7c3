"""A Spanish-speaking patient reads nothing in English but their clinician's own note, and
the Spanish plan never contradicts the clinician.

The Spanish sample is rendered across the choice matrix of the contradiction tests, as the PDF
and as the reading view, and the text is searched for every English message of the catalog:
any marked string that reached the page untranslated is found, in whatever sentence it sits.
"""

import datetime
import functools
import io
import re
import uuid
from collections.abc import Callable, Iterator
from html import unescape
from pathlib import Path

import pikepdf
import polib
import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core import mail
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import strip_tags
from pytest_django import Settings

from education.models import Article
from education.packs import load_shipped
from education.snapshot import build_snapshot
from handouts.emails import send_share_link_email
from handouts.issuing import build_handout, issue_handout
from handouts.models import Handout
from handouts.pdf.render import handout_context, render_access_slip_pdf, render_handout_pdf
from handouts.sharing import create_share_link
from portal.models import ClinicProfile
from tests.handouts.helpers import (
    FOLLOW_UP,
    MATRIX,
    VISIT,
    WEIGHTS,
    Choices,
    builder_data,
    contradictions,
    load_form,
    open_url,
    patient_client,
    post_code,
)
from tests.helpers import default_choices, pdf_text

CATALOG = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]")
ENGLISH_NOTE = "Keep the ice pack on for ten minutes after your walk."


@functools.cache
def english_messages() -> list[tuple[str, str, re.Pattern]]:
    """Each English message whose Spanish differs, as a pattern matching it in page text:
    markup dropped, placeholders matching anything, white space matching any white space;
    with its longest literal word, which any match contains (a quick test before the
    pattern)."""
    patterns = []
    for entry in polib.pofile(str(CATALOG)):
        translations = [entry.msgstr] if not entry.msgid_plural else entry.msgstr_plural.values()
        for english in filter(None, [entry.msgid, entry.msgid_plural]):
            if english in translations:
                continue  # the same in both languages ("PDF", "A4")
            text = " ".join(unescape(strip_tags(english)).split())
            literals = PLACEHOLDER.split(text)
            if sum(len(re.sub(r"\W", "", part)) for part in literals) < 3:
                continue  # nothing English left to find ("%(a)s, %(b)s")
            body = r".+?".join(r"\s+".join(map(re.escape, part.split(" "))) for part in literals)
            start = r"\b" if re.match(r"\w", text) else ""
            end = r"\b" if re.search(r"\w$", text) else ""
            longest_word = max(re.findall(r"\w+", text), key=len)
            patterns.append((english, longest_word, re.compile(start + body + end)))
    return patterns


def english_in(text: str) -> list[str]:
    return [
        english
        for english, word, pattern in english_messages()
        if word in text and pattern.search(text)
    ]


@pytest.fixture
def spanish_article(db: None) -> Article:
    """The Spanish sample, loaded with the English one as `make demo` loads the pack."""
    load_shipped("bone-marrow-edema")
    return Article.objects.get(condition__slug="bone-marrow-edema", language="es")


@pytest.fixture
def clinician(clinician: User) -> User:
    """Named as a Spanish-speaking clinic's clinician would be: the name prints on the
    handout, and "Clinician" is an English word of the catalog."""
    clinician.first_name, clinician.last_name = "Ana", "Ruiz"
    clinician.save()
    return clinician


@pytest.fixture
def spanish_clinic(clinic: ClinicProfile) -> ClinicProfile:
    clinic.name = "Clínica Deportiva Ribera"
    clinic.address = "Calle del Río 12\nSpringfield"
    clinic.save()
    return clinic


def spanish_handout(
    article: Article,
    clinician: User,
    choices: Choices,
    *,
    everything: bool = False,
    **overrides: object,
) -> Handout:
    """The Spanish sample with these choices, every therapy (1 to 4 times a week, for 1 to 4
    weeks: singular and plural) and an English note; with `everything`, every background
    section and tip too (they do not change with the choices, so the matrix leaves them out
    and one test prints them all)."""
    snapshot = build_snapshot(article)
    return build_handout(
        article,
        default_choices(
            article,
            weight_bearing=choices.weight,
            crutches=choices.crutches,
            rest_weeks=choices.rest,
            follow_up_date=FOLLOW_UP if choices.follow_up else None,
            visit_date=VISIT,
            large_print=choices.large_print,
            patient_name="Zoë Núñez",
            clinician_note=ENGLISH_NOTE,
            note_language="en",
            background_section_keys=[s["key"] for s in snapshot["sections"]] if everything else [],
            prevention_tip_keys=[t["key"] for t in snapshot["prevention_tips"]]
            if everything
            else [],
            therapy_plan=[
                {"key": t["key"], "times_per_week": 1 + n, "weeks": 1 + n}
                for n, t in enumerate(snapshot["therapies"])
            ],
        )
        | overrides,
        issued_by=clinician,
        snapshot=snapshot,
    )


def reading_view_html(handout: Handout, clinic: ClinicProfile) -> str:
    context = handout_context(handout, clinic) | {"for_web": True}
    with translation.override(handout.language):
        return render_to_string("handouts/includes/handout_content.html", context)


def page_text(html: str) -> str:
    """What a reader meets on a page: its text, and the text of alt, title and aria-label."""
    attributes = re.findall(r'(?:alt|title|aria-label|placeholder)="([^"]*)"', html)
    return " ".join(unescape(" ".join([strip_tags(html), *attributes])).split())


def without_note(text: str) -> str:
    return text.replace(ENGLISH_NOTE, "")


PLAN_LEAD = "Su plan Reposo"
PLAN_LEADS = (PLAN_LEAD, "Su plan Actividad")


def test_the_spanish_rules_catch_contradictions() -> None:
    wrong = (
        f"{PLAN_LEAD} Deje en reposo el hueso durante 3 semanas. Puede apoyar todo su "
        "peso. Use muletas. Cuándo pedir ayuda"
    )
    found = contradictions(wrong, "es", Choices("none", False, 4, True))
    assert any("weight is fine" in p for p in found)
    assert any("use them" in p for p in found)
    assert any("body part" in p for p in found)
    assert any("other week counts: [3]" in p for p in found)


def test_the_check_finds_english_where_it_is_left(
    spanish_article: Article, clinician: User, spanish_clinic: ClinicProfile
) -> None:
    """The search is real: an English sentence of the catalog in a Spanish page is found."""
    assert english_messages(), "the Spanish catalog is empty"
    assert "When to get help" in english_in("Su plan. When to get help. Llame")
    with translation.override("en"):
        rest = translation.gettext("Rest")
    assert english_in(f"Plan {rest}: nada") == ["Rest"]
    assert english_in("Reposo y descanso, Restaurante") == []


def matrix_failures(text_of: Callable[[Choices], str], weight: str) -> dict[str, list[str]]:
    """For each combination of choices with this weight-bearing choice whose text
    (`text_of(choices)`, the note left out) has English or a contradiction: what was found."""
    failures: dict[str, list[str]] = {}
    for choices in (choices for choices in MATRIX if choices.weight == weight):
        text = without_note(text_of(choices))
        found = english_in(text) + contradictions(text, "es", choices)
        if found:
            failures[str(choices)] = found
    return failures


# One case per weight-bearing choice, so parallel test workers share the matrix.
@pytest.mark.parametrize("weight", WEIGHTS)
def test_every_combination_prints_in_spanish_only_and_without_contradiction(
    spanish_article: Article, clinician: User, spanish_clinic: ClinicProfile, weight: str
) -> None:
    assert (
        matrix_failures(
            lambda choices: pdf_text(
                render_handout_pdf(
                    spanish_handout(spanish_article, clinician, choices), spanish_clinic
                )
            ),
            weight,
        )
        == {}
    )


# One case per weight-bearing choice, so parallel test workers share the matrix.
@pytest.mark.parametrize("weight", WEIGHTS)
def test_every_combination_reads_in_spanish_only_and_without_contradiction_on_the_web(
    spanish_article: Article, clinician: User, spanish_clinic: ClinicProfile, weight: str
) -> None:
    assert (
        matrix_failures(
            lambda choices: page_text(
                reading_view_html(
                    spanish_handout(spanish_article, clinician, choices), spanish_clinic
                )
            ),
            weight,
        )
        == {}
    )


def test_every_part_and_the_emptiest_handout_print_in_spanish_only(
    spanish_article: Article, clinician: User, spanish_clinic: ClinicProfile
) -> None:
    """Every background section and tip, in large print; and the emptiest handout: no
    therapies, tips, background, note or follow-up."""
    fullest = spanish_handout(
        spanish_article,
        clinician,
        Choices("partial", True, 3, True, large_print=True),
        everything=True,
    )
    emptiest = spanish_handout(
        spanish_article,
        clinician,
        Choices("none", False, 0, False),
        therapy_plan=[],
        clinician_note="",
        note_language="",
    )
    texts = {}
    for name, handout in [("fullest", fullest), ("emptiest", emptiest)]:
        texts[name] = without_note(pdf_text(render_handout_pdf(handout, spanish_clinic)))
        assert english_in(texts[name]) == [], name
        web = without_note(page_text(reading_view_html(handout, spanish_clinic)))
        assert english_in(web) == [], name
    assert "Más información" in texts["fullest"] and "Más información" not in texts["emptiest"]


def test_the_pdf_is_spanish_and_the_english_note_keeps_its_own_language(
    spanish_article: Article, clinician: User, spanish_clinic: ClinicProfile
) -> None:
    handout = spanish_handout(spanish_article, clinician, Choices("partial", True, 3, True))
    with pikepdf.open(io.BytesIO(render_handout_pdf(handout, spanish_clinic))) as pdf:
        assert str(pdf.Root.Lang) == "es"
        with pdf.open_metadata() as meta:
            assert english_in(meta.get("dc:title", "")) == []
        quotes = [
            element
            for element in _structure_elements(pdf.Root.StructTreeRoot)
            if element.get("/S") == "/BlockQuote"
        ]
        assert quotes and all(str(quote.Lang) == "en" for quote in quotes)
    html = reading_view_html(handout, spanish_clinic)
    assert f'<blockquote class="clinician-note" lang="en"><p>{ENGLISH_NOTE}' in html


def test_a_note_in_the_handouts_own_language_is_not_tagged(
    spanish_article: Article, clinician: User, spanish_clinic: ClinicProfile
) -> None:
    handout = spanish_handout(
        spanish_article,
        clinician,
        Choices("partial", True, 3, True),
        clinician_note="Ponga hielo diez minutos.",
        note_language="es",
    )
    with pikepdf.open(io.BytesIO(render_handout_pdf(handout, spanish_clinic))) as pdf:
        quotes = [
            element
            for element in _structure_elements(pdf.Root.StructTreeRoot)
            if element.get("/S") == "/BlockQuote"
        ]
        assert quotes and all("/Lang" not in quote for quote in quotes)
    html = reading_view_html(handout, spanish_clinic)
    assert '<blockquote class="clinician-note"><p>Ponga hielo' in html


def _structure_elements(node: pikepdf.Object) -> Iterator[pikepdf.Dictionary]:
    kids = node.get("/K")
    if kids is None:
        return
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") != "/MCR":
            yield kid
            yield from _structure_elements(kid)


def test_what_the_patient_meets_online_is_spanish(
    spanish_article: Article, clinician: User, spanish_clinic: ClinicProfile
) -> None:
    """Code page, wrong code, reading view, slip and email: all in Spanish, whatever the
    browser asks for."""
    handout, _created = issue_handout(
        spanish_article,
        default_choices(spanish_article, clinician_note=""),
        issued_by=clinician,
        issue_token=uuid.uuid4(),
        clinic=spanish_clinic,
    )
    shared = create_share_link(handout, staff=clinician)
    client = patient_client()
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    code_page = client.get(open_url(shared.token)).content.decode()
    assert '<html lang="es">' in code_page
    assert english_in(page_text(code_page)) == []

    wrong = post_code(client, shared.token, "AAAA-AAAA", load_form(client, shared.token))
    assert english_in(page_text(wrong.content.decode())) == []

    opened = post_code(client, shared.token, shared.code, load_form(client, shared.token))
    reading = client.get(opened["Location"]).content.decode()
    assert '<html lang="es">' in reading and spanish_article.title in reading
    assert english_in(page_text(reading)) == []

    slip = render_access_slip_pdf(
        handout,
        spanish_clinic,
        url="https://clinic.example/p/abc",
        display_code="ABCD-2345",
        created_at=datetime.datetime(2027, 2, 2, 9, tzinfo=datetime.UTC),
        expires_at=datetime.datetime(2027, 3, 2, 9, tzinfo=datetime.UTC),
    )
    assert english_in(pdf_text(slip)) == []

    send_share_link_email(
        "zoe@example.com",
        url="https://clinic.example/p/abc",
        expires_at=datetime.datetime(2027, 3, 2, 9, tzinfo=datetime.UTC),
        language="es",
        clinic=spanish_clinic,
        message_id="<link-email.1@clinic.example>",
    )
    message = mail.outbox[-1]
    assert english_in(str(message.subject)) == [] and english_in(str(message.body)) == []


def test_the_builder_offers_the_patients_languages_and_says_which_have_no_article(
    client: Client,
    clinician: User,
    spanish_article: Article,
    spanish_clinic: ClinicProfile,
    settings: Settings,
) -> None:
    settings.LANGUAGES = [("en", "English"), ("es", "español"), ("fr", "français")]
    client.force_login(clinician)
    html = client.get(reverse("handouts:new", args=["bone-marrow-edema", "en"])).content.decode()
    assert f'href="{reverse("handouts:new", args=["bone-marrow-edema", "es"])}" lang="es"' in html
    assert '<span lang="fr">Français</span> (no published article yet)' in html

    missing = client.get(reverse("handouts:new", args=["bone-marrow-edema", "fr"]))
    assert missing.status_code == 404
    text = missing.content.decode()
    assert "There is no published article on Bone marrow edema in" in text
    assert reverse("handouts:new", args=["bone-marrow-edema", "es"]) in text
    assert reverse("handouts:new", args=["bone-marrow-edema", "en"]) in text


@pytest.mark.usefixtures("visit_day")  # the data describes a visit on 2 February 2027
def test_the_note_language_starts_as_the_clinicians_own_and_is_kept(
    client: Client, clinician: User, spanish_article: Article, spanish_clinic: ClinicProfile
) -> None:
    client.force_login(clinician)
    url = reverse("handouts:new", args=["bone-marrow-edema", "es"])
    assert client.get(url).context["form"].initial["note_language"] == "en"
    client.post(url, builder_data(spanish_article, note_language="en"))
    handout = Handout.objects.get(conditions__article=spanish_article)
    assert (handout.language, handout.note_language) == ("es", "en")
    assert handout.note_language_if_different == "en"


@pytest.mark.usefixtures("visit_day")  # the data describes a visit on 2 February 2027
def test_the_spanish_preview_is_measured_on_the_inflesz_scale_and_reads_fairly_easy(
    client: Client, clinician: User, spanish_article: Article, spanish_clinic: ClinicProfile
) -> None:
    client.force_login(clinician)
    url = reverse("handouts:new", args=["bone-marrow-edema", "es"])
    response = client.post(
        url,
        builder_data(spanish_article, action="preview", clinician_note="Ponga hielo diez minutos."),
    )
    level = response.context["reading_level"]
    assert level["level"].inflesz >= 65 and level["ok"]
    assert "Reading level of the whole handout: INFLESZ" in response.content.decode()


def test_a_spanish_article_without_warning_signs_still_tells_the_patient_whom_to_call(
    spanish_article: Article, clinician: User, spanish_clinic: ClinicProfile
) -> None:
    """(A published article's parts are not edited: the signs are left out of the snapshot, as
    a draft without them would be.)"""
    handout = spanish_handout(spanish_article, clinician, Choices("partial", True, 3, True))
    handout.condition_list[0].snapshot["warning_signs"] = []
    text = page_text(reading_view_html(handout, spanish_clinic))
    with translation.override("es"):
        emergency = translation.gettext("In an emergency, call %(number)s.") % {
            "number": spanish_clinic.emergency_number
        }
    assert "Cuándo pedir ayuda" in text and emergency in text
    assert english_in(without_note(text)) == []


def test_date_fields_keep_the_browsers_iso_format_on_spanish_pages(
    client: Client, clinician: User, spanish_article: Article, spanish_clinic: ClinicProfile
) -> None:
    """A localized value ("25/11/2026") is invalid for <input type="date">: the browser would
    show the visit date empty and the handout could not be issued."""
    client.force_login(clinician)
    url = reverse("handouts:new", args=["bone-marrow-edema", "es"])
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert '<html lang="es">' in html
    today = datetime.date.today().isoformat()
    assert re.search(rf'<input type="date" name="visit_date" value="{today}"', html)
    handouts = client.post(
        reverse("handouts:list"), {"issued_from": "2027-02-01"}, HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()
    assert 'value="2027-02-01"' in handouts


def test_the_week_table_writes_spanish_short_dates_with_the_month_in_lower_case(
    spanish_article: Article, clinician: User, spanish_clinic: ClinicProfile
) -> None:
    handout = spanish_handout(spanish_article, clinician, Choices("partial", True, 4, True))
    text = pdf_text(render_handout_pdf(handout, spanish_clinic))
    assert re.search(r"\b\d{1,2} feb\b", text), text
    assert not re.search(r"\b\d{1,2} (Ene|Feb|Mar|Abr|May|Jun|Jul|Ago|Sep|Oct|Nov|Dic)\b", text)
