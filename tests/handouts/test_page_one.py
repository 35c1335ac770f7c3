"""Page 1 of every printed handout (A4, Letter, standard and large print, English and Spanish)
holds the start of the patient's plan and the start of "When to get help" with the clinic's
phone and the emergency number, even for the longest plan the builder allows and a long
letterhead; and a phone number is never split across lines."""

import io

import pytest
from django.contrib.auth.models import User
from django.utils import translation
from django.utils.translation import gettext
from pypdf import PdfReader
from weasyprint.formatting_structure import boxes

from education.models import Article
from education.plan_blocks import MAX_REST_WEEKS
from education.snapshot import build_snapshot
from handouts.forms import default_choices as builder_defaults
from handouts.issuing import build_handout
from handouts.models import MAX_NOTE_LENGTH, Handout
from handouts.pdf.render import handout_html, lay_out, render_handout_pdf
from handouts.plan import personal_plan, whom_to_call
from portal.models import ClinicProfile
from tests.helpers import default_choices, shipped_language

LONG_NOTE = (
    "Ice the sore spot for 10 minutes, twice a day, and keep the leg up on a pillow when you "
    "sit. Take the pain medicine only as the label says. "
) * 8
LONG_CLINIC = {
    "name": "Riverside Sports Medicine and Orthopaedic Rehabilitation Clinic of Springfield County",
    "address": "Building C, Second Floor, Suite 214\n1234 North Riverside Memorial Parkway\n"
    "Springfield, ST 01234-5678",
    "phone": "+1 (555) 010-0100 ext. 1234",
    "after_hours_phone": "+1 (555) 010-0199 ext. 5678",
    "emergency_number": "911",
    "website": "https://riverside-sports-clinic.example",
}
# The demo clinic's numbers: the ones the issue saw split ("+1 555 / 0199") in large print.
SHORT_CLINIC = LONG_CLINIC | {"phone": "+1 555 0100", "after_hours_phone": "+1 555 0199"}


@pytest.fixture(params=["en", "es"])
def article(request: pytest.FixtureRequest, sample_article: Article) -> Article:
    return shipped_language("bone-marrow-edema", request.param)


def clinic_with(details: dict) -> ClinicProfile:
    clinic = ClinicProfile.load()
    for name, value in details.items():
        setattr(clinic, name, value)
    clinic.save()
    return clinic


def longest_plan(
    article: Article, clinic: ClinicProfile, clinician: User, **overrides: object
) -> Handout:
    """Every row today's builder can put in the plan, each at its longest."""
    snapshot = build_snapshot(article)
    choices = default_choices(
        article,
        rest_weeks=MAX_REST_WEEKS,
        weight_bearing="none",
        crutches=True,
        therapy_plan=builder_defaults(snapshot, clinic)["therapy_plan"],
        clinician_note=LONG_NOTE[:MAX_NOTE_LENGTH],
        record_number="0045128",
        **overrides,
    )
    return build_handout(article, choices, issued_by=clinician, snapshot=snapshot)


def page_texts(pdf: bytes) -> list[str]:
    """Each page's text, line by line as printed."""
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def folded(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("paper", ["a4", "letter"])
@pytest.mark.parametrize("large_print", [False, True], ids=["standard", "large-print"])
def test_page_one_holds_the_plans_start_and_whom_to_call_with_the_longest_plan(
    article: Article, clinician: User, paper: str, large_print: bool
) -> None:
    clinic = clinic_with(LONG_CLINIC)
    handout = longest_plan(article, clinic, clinician, paper_size=paper, large_print=large_print)
    first_page = folded(page_texts(render_handout_pdf(handout, clinic))[0])
    with translation.override(article.language):
        plan = personal_plan(handout.condition_list[0])
        calls = whom_to_call(clinic)
        expected = [
            gettext("Your plan"),
            plan[0].label,
            # The first row's opening words: a large-print row may continue on page 2.
            " ".join(plan[0].sentences[0].split()[:6]),
            gettext("When to get help"),
        ]
    assert len(plan) == 4  # rest, crutches, physiotherapy, follow-up
    for part in expected:
        assert part in first_page, part
    # The clinic's phone and the emergency number in the help box, not only in the footer.
    help_box = first_page[first_page.index(expected[3]) :]
    for tier in calls:
        assert tier.phone in help_box, tier.phone
    assert clinic.after_hours_phone in help_box


@pytest.mark.parametrize("paper", ["a4", "letter"])
@pytest.mark.parametrize("large_print", [False, True], ids=["standard", "large-print"])
@pytest.mark.parametrize("details", [SHORT_CLINIC, LONG_CLINIC], ids=["short", "long"])
def test_a_phone_number_is_never_split_across_lines_in_the_pdf(
    article: Article, clinician: User, paper: str, large_print: bool, details: dict[str, str]
) -> None:
    clinic = clinic_with(details)
    handout = longest_plan(article, clinic, clinician, paper_size=paper, large_print=large_print)
    numbers = [clinic.phone, clinic.after_hours_phone, clinic.emergency_number]
    texts = page_texts(render_handout_pdf(handout, clinic))
    with translation.override(article.language):
        page_of = [
            f"{gettext('Page')} {n} {gettext('of')} {len(texts)}" for n in range(1, len(texts) + 1)
        ]
    for number, text in enumerate(texts, start=1):
        for phone in numbers:
            # Every place the number is printed (letterhead, help box, footer), whole on a line.
            assert text.count(phone) == folded(text).count(phone), (number, phone)
        assert page_of[number - 1] in text, number
    assert all(phone in texts[0] for phone in numbers)


def test_whom_to_call_comes_first_only_when_the_help_box_cannot_follow_the_plan_on_page_one(
    sample_article: Article, clinician: User
) -> None:
    """A short plan in standard print keeps page 1 as it was: the plan, then the whole help
    box. The longest plan under a long letterhead puts whom to call before the plan."""
    short = clinic_with(SHORT_CLINIC | {"name": "Riverside Sports Clinic"})
    handout = build_handout(sample_article, default_choices(sample_article), issued_by=clinician)
    first_page = folded(page_texts(render_handout_pdf(handout, short))[0])
    assert first_page.index("Your plan") < first_page.index("When to get help")
    assert "the signs to look out for" not in first_page

    long = clinic_with(LONG_CLINIC)
    handout = longest_plan(sample_article, long, clinician, paper_size="letter")
    text = folded(" ".join(page_texts(render_handout_pdf(handout, long))))
    assert text.index("When to get help") < text.index("Your plan")
    assert text.index("Your plan") < text.index("When to get help: the signs to look out for")
    assert "Call 911 or go to the emergency room now if:" in text


def test_large_print_always_says_whom_to_call_before_the_plan(
    sample_article: Article, clinician: User
) -> None:
    clinic = clinic_with(SHORT_CLINIC)
    handout = build_handout(
        sample_article, default_choices(sample_article, large_print=True), issued_by=clinician
    )
    document = lay_out(handout_html(handout, clinic))
    assert "whom-to-call-emergency" in document.pages[0].anchors


def test_a_handout_laid_out_twice_still_renders_to_the_same_bytes(
    sample_article: Article, clinician: User
) -> None:
    """The longest plan under a long letterhead takes the second layout, whom to call first."""
    clinic = clinic_with(LONG_CLINIC)
    handout = longest_plan(sample_article, clinic, clinician, paper_size="letter")
    first = render_handout_pdf(handout, clinic)
    assert "When to get help: the signs to look out for" in folded(" ".join(page_texts(first)))
    assert render_handout_pdf(handout, clinic) == first


@pytest.mark.parametrize(
    ("after_hours", "expected"),
    [
        ("", "Call the clinic on +1 555 0100."),
        ("+1 555 0199", "Call the clinic on +1 555 0100 (after hours: +1 555 0199)."),
    ],
)
def test_whom_to_call_names_the_after_hours_number_only_when_the_clinic_has_one(
    db: None, after_hours: str, expected: str
) -> None:
    clinic = clinic_with(SHORT_CLINIC | {"after_hours_phone": after_hours})
    call, emergency = whom_to_call(clinic)
    assert (call.lead, call.dial) == (expected, "+15550100")
    assert (emergency.lead, emergency.dial) == ("In an emergency, call 911.", "911")


def test_the_page_number_stays_on_the_page_when_a_long_clinic_name_wraps_the_footer(
    sample_article: Article, clinician: User
) -> None:
    clinic = clinic_with(LONG_CLINIC)
    handout = longest_plan(sample_article, clinic, clinician, large_print=True)
    for page in lay_out(handout_html(handout, clinic)).pages:
        numbers = [
            box
            for box in page._page_box.descendants()
            if isinstance(box, boxes.TextBox) and box.text.startswith("Page ")
        ]
        assert numbers, "no page number"
        assert all(box.position_y + box.height <= page.height for box in numbers)
