"""The PDF a patient takes home: what it says, how it is built, and what it refuses to load."""

import datetime
import io
import logging
from collections.abc import Callable
from typing import cast

import pytest
from django.contrib.auth.models import User
from PIL import Image
from pypdf import PdfReader
from pypdf.generic import ArrayObject, PdfObject, StreamObject
from time_machine import TimeMachineFixture
from weasyprint.formatting_structure import boxes

from education.models import Article, Section
from education.workflow import (
    archive,
    publish,
    publish_loaded_content,
    start_draft,
    submit_for_review,
)
from handouts.issuing import build_handout
from handouts.models import Handout
from handouts.pdf.render import handout_html, lay_out, render_handout_pdf, render_pdf
from portal.models import ClinicProfile
from tests.helpers import default_choices, pdf_dictionary, pdf_text, present

pytestmark = pytest.mark.django_db


def test_pdf_names_the_patient_the_rest_date_and_every_chosen_option(handout: Handout) -> None:
    text = pdf_text(bytes(handout.stored_pdf.pdf))
    assert "Zoë Núñez-O'Brien" in text
    # The last day of rest; the week-by-week table's rest rows end on it too.
    assert (
        "Rest the injured part for 6 weeks, until Monday 15 March 2027: no sport, running "
        "or heavy lifting." in text
    )
    assert "Until Monday 15 March 2027, put only some of your weight on the injured part." in text
    assert (
        "Use crutches every time you walk, to take some of your weight, until Monday 15 "
        "March 2027." in text
    )
    assert "Sessions start on Tuesday 16 March 2027." in text
    for therapy in handout.condition_list[0].chosen_therapies():
        assert therapy["name"] in text
    unchosen = {t["name"] for t in handout.condition_list[0].snapshot["therapies"]} - {
        t["name"] for t in handout.condition_list[0].chosen_therapies()
    }
    assert unchosen and not any(name in text for name in unchosen)
    for tip in handout.condition_list[0].chosen_prevention_tips():
        assert tip["text"] in text
    assert "Train with a coach" not in text  # a tip the clinician left out
    assert "When to get help" in text
    assert "Call the clinic on +1 555 0100 (after hours: +1 555 0199) if:" in text
    assert "Call 911 or go to the emergency room now if:" in text
    assert "Ice it for 10 minutes, twice a day." in text
    assert "Your follow-up visit is on Tuesday 16 March 2027." in text
    assert "Riverside Sports Clinic" in text


def test_every_page_says_page_x_of_y_and_the_clinic_phone(handout: Handout) -> None:
    reader = PdfReader(io.BytesIO(bytes(handout.stored_pdf.pdf)))
    total = len(reader.pages)
    assert total >= 2
    for number, page in enumerate(reader.pages, start=1):
        text = page.extract_text()
        assert f"Page {number} of {total}" in text
        assert "+1 555 0100" in text


def test_week_by_week_timeline_follows_the_visit_date(handout: Handout) -> None:
    text = pdf_text(bytes(handout.stored_pdf.pdf))
    assert "Weeks 1–6" in text and "2 Feb – 15 Mar" in text
    assert "Follow-up visit on Tuesday 16 March 2027." in text
    assert "Sessions start on Tuesday 16 March 2027." in text


def test_pdf_is_tagged_with_title_language_and_embedded_fonts(handout: Handout) -> None:
    reader = PdfReader(io.BytesIO(bytes(handout.stored_pdf.pdf)))
    root = reader.root_object
    assert pdf_dictionary(root["/MarkInfo"])["/Marked"]
    assert "/StructTreeRoot" in root
    assert str(root["/Lang"]) == "en"
    assert (
        present(reader.metadata).title
        == "Bone marrow edema: a bruise inside the bone · Patient handout"
    )
    assert pdf_dictionary(root["/ViewerPreferences"])["/DisplayDocTitle"]
    fonts = set()
    for page in reader.pages:
        for font_reference in pdf_dictionary(pdf_dictionary(page["/Resources"])["/Font"]).values():
            font = pdf_dictionary(font_reference)
            descendant = pdf_dictionary(cast(ArrayObject, font["/DescendantFonts"])[0])
            descriptor = pdf_dictionary(descendant["/FontDescriptor"])
            assert "/FontFile2" in descriptor or "/FontFile3" in descriptor, font["/BaseFont"]
            fonts.add(str(font["/BaseFont"]).split("+")[-1])
    assert {"Atkinson-Hyperlegible", "Atkinson-Hyperlegible-Bold"} <= fonts


def test_reading_order_follows_the_page_from_letterhead_to_disclaimer(handout: Handout) -> None:
    text = pdf_text(bytes(handout.stored_pdf.pdf))
    order = [
        "Riverside Sports Clinic",
        "Zoë Núñez-O'Brien",
        "Your plan",
        "Rest the injured",
        "Your follow-up visit",
        "When to get help",
        "A note from your clinician",
        "Your plan, week by week",
        "Your physiotherapy",
        "Help stop it coming back",
        "More to know",
        "does not replace a visit",
    ]
    positions = [text.index(marker) for marker in order]
    assert positions == sorted(positions)


def test_patient_data_is_not_in_the_pdf_metadata(handout: Handout) -> None:
    reader = PdfReader(io.BytesIO(bytes(handout.stored_pdf.pdf)))
    info = str(dict(present(reader.metadata)))
    xmp = cast(StreamObject, reader.root_object["/Metadata"]).get_data().decode()
    assert "Bone marrow edema" in info and "Bone marrow edema" in xmp
    for fragment in ["Zoë", "Núñez", "O'Brien"]:
        assert fragment not in info and fragment not in xmp


def test_accented_and_extended_latin_names_print_correctly(
    sample_article: Article, issue: Callable[..., Handout]
) -> None:
    # Ł comes from the font's latin-ext file; a merged font once printed it as "h".
    handout = issue(sample_article, patient_name="Łukasz Żółć-Ångström")
    assert "Łukasz Żółć-Ångström" in pdf_text(bytes(handout.stored_pdf.pdf))


def test_rendering_the_same_record_again_gives_the_same_bytes(
    handout: Handout, clinic: ClinicProfile
) -> None:
    assert render_handout_pdf(handout, clinic) == bytes(handout.stored_pdf.pdf)


def test_new_versions_and_withdrawal_never_change_an_issued_handout(
    handout: Handout,
    clinic: ClinicProfile,
    sample_article: Article,
    editor: User,
    administrator: User,
) -> None:
    snapshot_before, pdf_before = (
        dict(handout.condition_list[0].snapshot),
        bytes(handout.stored_pdf.pdf),
    )
    draft = start_draft(sample_article, editor)
    section = draft.sections.get(kind="overview")
    section.body = "Completely rewritten."
    section.save()
    draft.title = "A new title"
    draft.save()
    draft.therapies.all().delete()
    submit_for_review(draft, editor)
    archive(publish(draft, administrator), administrator)

    handout.refresh_from_db()
    assert handout.condition_list[0].snapshot == snapshot_before
    assert bytes(handout.stored_pdf.pdf) == pdf_before
    assert render_handout_pdf(handout, clinic) == pdf_before
    assert "Completely rewritten" not in pdf_text(pdf_before)
    assert handout.title == sample_article.title


def test_large_print_uses_16pt_text_line_height_1_5_and_no_italics_or_capitals(
    sample_article: Article, clinic: ClinicProfile, clinician: User
) -> None:
    handout = build_handout(
        sample_article, default_choices(sample_article, large_print=True), issued_by=clinician
    )
    document = lay_out(handout_html(handout, clinic))
    text_boxes = [
        box
        for page in document.pages
        for box in page._page_box.descendants()
        if isinstance(box, boxes.TextBox) and box.text.strip()
    ]
    assert len(text_boxes) > 100
    sixteen_points = 16 * 96 / 72
    for box in text_boxes:
        assert box.style["font_size"] >= sixteen_points - 0.01, box.text
        assert box.style["font_style"] == "normal", box.text
        assert box.style["text_transform"] == "none", box.text
        line_height = box.style["line_height"]
        # A unitless multiplier, or a length in px.
        ratio = (
            line_height
            if isinstance(line_height, float)
            else (line_height.value / box.style["font_size"])
        )
        assert ratio >= 1.5, box.text


def test_normal_print_keeps_emphasis_from_the_article(
    sample_article: Article, clinic: ClinicProfile, clinician: User
) -> None:
    handout = build_handout(sample_article, default_choices(sample_article), issued_by=clinician)
    document = lay_out(handout_html(handout, clinic))
    styles = {
        box.style["font_style"]
        for page in document.pages
        for box in page._page_box.descendants()
        if isinstance(box, boxes.TextBox)
    }
    assert "italic" in styles


def test_letter_paper_gives_letter_pages(
    sample_article: Article, issue: Callable[..., Handout]
) -> None:
    handout = issue(sample_article, paper_size="letter")
    page = PdfReader(io.BytesIO(bytes(handout.stored_pdf.pdf))).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (612, 792)


def test_a4_paper_gives_a4_pages(handout: Handout) -> None:
    page = PdfReader(io.BytesIO(bytes(handout.stored_pdf.pdf))).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)


def test_spanish_handout_writes_dates_the_spanish_way(
    sample_article: Article, clinic: ClinicProfile, clinician: User
) -> None:
    spanish = Article.objects.create(
        condition=sample_article.condition,
        language="es",
        title="Edema óseo",
        summary="Líquido dentro del hueso.",
    )
    Section.objects.create(article=spanish, kind="overview", body="Es como un moratón.")
    publish_loaded_content(spanish)  # its parts are written while it is a draft
    handout = build_handout(
        spanish,
        default_choices(spanish, therapy_plan=[], prevention_tip_keys=[]),
        issued_by=clinician,
    )
    pdf = render_handout_pdf(handout, clinic)
    text = pdf_text(pdf)
    assert "martes 16 de marzo de 2027" in text
    assert "Tuesday" not in text
    assert str(PdfReader(io.BytesIO(pdf)).root_object["/Lang"]) == "es"


def test_clinician_note_is_printed_as_text_never_as_html(
    sample_article: Article, issue: Callable[..., Handout]
) -> None:
    handout = issue(sample_article, clinician_note='<b>bold</b> <img src="http://x/y.png">')
    text = pdf_text(bytes(handout.stored_pdf.pdf))
    assert '<b>bold</b> <img src="http://x/y.png">' in text


@pytest.mark.weasyprint_errors_expected
def test_external_and_local_resources_are_refused_and_the_render_still_succeeds(
    caplog: pytest.LogCaptureFixture,
) -> None:
    html = """<!doctype html><html lang="en"><head><title>t</title>
      <link rel="stylesheet" href="https://cdn.example.org/evil.css">
      <link rel="stylesheet" href="file:///etc/passwd"></head>
      <body><p>Still here</p>
      <img src="http://127.0.0.1:9/pixel.png" alt="remote">
      <img src="file:///etc/hostname" alt="local file">
      <img src="data:image/png;base64,iVBORw0KGgo=" alt="inline data">
      <img src="portal-static:../../../etc/passwd" alt="escape attempt">
      </body></html>"""
    with caplog.at_level(logging.WARNING, logger="handouts.pdf.render"):
        pdf = render_pdf(html, identifier=b"test")
    assert "Still here" in pdf_text(pdf)
    refused = [r.getMessage() for r in caplog.records if r.name == "handouts.pdf.render"]
    assert sum("Refused a https: resource" in m for m in refused) == 1
    assert sum("Refused a http: resource" in m for m in refused) == 1
    assert sum("Refused a file: resource" in m for m in refused) == 2
    assert sum("Refused a data: resource" in m for m in refused) == 1
    assert sum("Refused a portal-static: resource" in m for m in refused) == 1


def png_logo() -> bytes:
    image = Image.new("RGB", (120, 40), "#1f5f8b")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def alternative_texts(node: PdfObject, found: list[str] | None = None) -> list[str]:
    """Every /Alt in the PDF's structure tree."""
    found = [] if found is None else found
    resolved = node.get_object()
    if isinstance(resolved, dict):
        if "/Alt" in resolved:
            found.append(str(resolved["/Alt"]))
        kids = resolved.get("/K")
        for kid in kids if isinstance(kids, list) else [kids] if kids is not None else []:
            alternative_texts(kid, found)
    return found


def test_the_clinic_logo_is_drawn_with_alternative_text(
    sample_article: Article, clinic: ClinicProfile, clinician: User
) -> None:
    clinic.logo, clinic.logo_content_type = png_logo(), "image/png"
    clinic.save()
    handout = build_handout(sample_article, default_choices(sample_article), issued_by=clinician)
    pdf = render_handout_pdf(handout, clinic)  # a refused logo would log an error: test fails
    reader = PdfReader(io.BytesIO(pdf))
    xobjects = pdf_dictionary(pdf_dictionary(reader.pages[0]["/Resources"])["/XObject"]).values()
    assert any(str(pdf_dictionary(x)["/Subtype"]) == "/Image" for x in xobjects)
    struct_tree = reader.root_object["/StructTreeRoot"]
    assert "Riverside Sports Clinic logo" in alternative_texts(struct_tree)


def test_dates_are_fixed_from_the_record_not_the_clock(
    sample_article: Article,
    clinic: ClinicProfile,
    clinician: User,
    time_machine: TimeMachineFixture,
) -> None:
    handout = build_handout(sample_article, default_choices(sample_article), issued_by=clinician)
    handout.issued_at = datetime.datetime(2027, 2, 2, 9, 30, tzinfo=datetime.UTC)
    time_machine.move_to(datetime.datetime(2027, 5, 1, tzinfo=datetime.UTC))
    first = render_handout_pdf(handout, clinic)
    time_machine.move_to(datetime.datetime(2028, 1, 1, tzinfo=datetime.UTC))
    assert render_handout_pdf(handout, clinic) == first
    assert str(present(PdfReader(io.BytesIO(first)).metadata)["/CreationDate"]).startswith(
        "D:20270202"
    )
