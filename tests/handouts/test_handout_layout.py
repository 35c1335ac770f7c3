"""The sample handout, as `make demo` issues it with the builder's defaults, stays short, fills
its pages, and reads at a low grade."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.utils import translation
from django.utils.translation import gettext
from weasyprint.document import Document, Page
from weasyprint.formatting_structure import boxes

from education.models import Article
from education.packs import load_shipped
from education.readability import MIN_PATIENT_INFLESZ
from education.snapshot import build_snapshot
from handouts.forms import rest_plan
from handouts.pdf.render import (
    clinic_logo,
    handout_content_html,
    handout_context,
    handout_html,
    lay_out,
)
from handouts.reading_level import (
    MAX_HANDOUT_GRADE,
    MAX_HANDOUT_SMOG,
    handout_reading_level,
    within_targets,
)
from tests.handouts.helpers import demo_handout, page_fill

# Standard and large print. Spanish runs about a fifth longer than English: on Letter paper its
# background sections take one page more.
MAX_PAGES = {"en": {False: 3, True: 6}, "es": {False: 4, True: 7}}


@pytest.fixture(params=["en", "es"])
def article(request: pytest.FixtureRequest, db: None) -> Article:
    """Each sample article: English, and Spanish (which runs about a fifth longer)."""
    load_shipped("bone-marrow-edema")
    return Article.objects.get(language=request.param)


@pytest.mark.parametrize("paper", ["a4", "letter"])
@pytest.mark.parametrize("large_print", [False, True], ids=["standard", "large-print"])
def test_the_sample_handout_fits_its_page_budget_with_no_half_empty_pages(
    article: Article, clinician: User, paper: str, large_print: bool
) -> None:
    handout, clinic = demo_handout(article, clinician, paper_size=paper, large_print=large_print)
    pages = lay_out(handout_html(handout, clinic), logo=clinic_logo(clinic), paper_size=paper).pages
    assert len(pages) <= MAX_PAGES[article.language][large_print]
    fills = [round(page_fill(page), 2) for page in pages]
    assert all(fill >= 0.5 for fill in fills[:-1]), fills


def test_page_fill_tells_a_short_page_from_a_full_one(
    sample_article: Article, clinician: User
) -> None:
    handout, clinic = demo_handout(
        sample_article,
        clinician,
        therapy_plan=[],
        prevention_tip_keys=[],
        background_section_keys=[],
    )
    first, *_others, last = lay_out(handout_html(handout, clinic), logo=clinic_logo(clinic)).pages
    assert page_fill(first) > 0.75
    assert page_fill(last) < 0.5


def page_text(page: Page) -> str:
    """The page's text line by line: a phone number in its own box (kept on one line) still
    reads as part of its sentence."""
    lines = [
        inline_text(line)
        for line in page._page_box.descendants()
        if isinstance(line, boxes.LineBox)
    ]
    return " ".join(" ".join(lines).split())


def inline_text(box: boxes.Box) -> str:
    """A line's own text: an inline block's lines are lines of their own."""
    if isinstance(box, boxes.TextBox):
        return box.text
    if isinstance(box, boxes.LineBox | boxes.InlineBox):
        return "".join(inline_text(child) for child in box.children)
    return ""


def test_page_one_holds_the_whole_plan_and_when_to_get_help(
    article: Article, clinician: User
) -> None:
    handout, clinic = demo_handout(article, clinician)
    first = lay_out(handout_html(handout, clinic), logo=clinic_logo(clinic)).pages[0]
    text = page_text(first)
    with translation.override(article.language):
        expected_parts = [
            gettext("Your plan"),
            gettext("Rest"),
            gettext("Crutches"),
            gettext("Physiotherapy"),
            gettext("Follow-up"),
            gettext("When to get help"),
            gettext("No follow-up visit is booked. Call the clinic if you are not getting better."),
            gettext("Call the clinic on %(phone)s (after hours: %(after_hours)s) if:")
            % {"phone": clinic.phone, "after_hours": clinic.after_hours_phone},
            gettext("Call %(number)s or go to the emergency room now if:")
            % {"number": clinic.emergency_number},
        ]
    for expected in expected_parts:
        assert expected in text, expected


def test_the_sample_handout_reads_at_grade_six_or_lower(
    sample_article: Article, clinician: User
) -> None:
    handout, clinic = demo_handout(sample_article, clinician)
    level = handout_reading_level(
        handout_content_html(handout_context(handout, clinic)), handout.language
    )
    assert level.grade <= MAX_HANDOUT_GRADE
    assert level.smog is not None and level.smog <= MAX_HANDOUT_SMOG


def test_each_sample_handout_is_within_its_languages_reading_target(
    article: Article, clinician: User
) -> None:
    handout, clinic = demo_handout(article, clinician)
    level = handout_reading_level(
        handout_content_html(handout_context(handout, clinic)), handout.language
    )
    assert within_targets(level), level
    if article.language == "es":
        assert level.inflesz is not None and level.inflesz >= MIN_PATIENT_INFLESZ


def text_outside_its_cell(document: Document) -> list[str]:
    """Text of table cells that runs past the cell's right edge, into the next column."""
    found = []
    for page in document.pages:
        for cell in page._page_box.descendants():
            if not isinstance(cell, boxes.TableCellBox):
                continue
            right = cell.content_box_x() + cell.width
            found += [
                text.text
                for text in cell.descendants()
                if isinstance(text, boxes.TextBox) and text.position_x + text.width > right + 0.5
            ]
    return found


@pytest.mark.parametrize("rest_weeks", [0, 52])
@pytest.mark.parametrize("large_print", [False, True], ids=["standard", "large-print"])
def test_table_text_stays_in_its_column_when_dates_carry_their_year(
    article: Article, clinician: User, large_print: bool, rest_weeks: int
) -> None:
    """A plan that runs into the next year prints each date with its year: the longest dates;
    a year of rest gives the longest week numbers ("Semanas 53–58")."""
    visit_date = datetime.date(2026, 11, 20)
    handout, clinic = demo_handout(
        article,
        clinician,
        visit_date=visit_date,
        plan=rest_plan(
            build_snapshot(article),
            visit_date,
            rest_weeks=rest_weeks,
            weight_bearing="none",
            crutches=True,
        ),
        large_print=large_print,
    )
    document = lay_out(handout_html(handout, clinic), logo=clinic_logo(clinic))
    assert text_outside_its_cell(document) == []
