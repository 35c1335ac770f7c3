"""The handout PDF is tagged and claims PDF/UA-1: what a screen reader gets from it holds up.

Every rule is also shown to fail, on WeasyPrint's own output (before handouts.pdf.tagging
finishes it) or on a finished PDF broken on purpose, so no test here can pass vacuously.
"""

import io
import re
from collections.abc import Callable

import pikepdf
import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from education.models import Article
from handouts.models import Handout
from handouts.pdf.render import PDF_OPTIONS, handout_html, lay_out, render_handout_pdf
from handouts.pdf.tagging import Node, finish_tagged_pdf, needs_space, read_tagged_pdf
from portal.models import ClinicProfile
from tests.handouts.helpers import share, shown_secrets
from tests.handouts.pdf_checks import pdf_ua_problems, tagged_text
from tests.helpers import pdf_text, present

pytestmark = pytest.mark.django_db

# About 60 short words: in a paragraph that wraps over several lines at any paper size.
LONG_NOTE = (
    "Keep the leg up when you sit. Walk only a short way at a time, and stop when it "
    "hurts. Put ice on the sore spot for ten minutes, two or three times a day. Do not "
    "run, jump or lift heavy things until we see you again. Call us if the pain gets "
    "worse at night or you see new swelling."
)


def unfinished_pdf(handout: Handout, clinic: ClinicProfile) -> bytes:
    """What WeasyPrint writes for the handout, without our post-processing."""
    document = lay_out(handout_html(handout, clinic), paper_size=handout.paper_size)
    return document.write_pdf(pdf_identifier=handout.public_id.hex.encode(), **PDF_OPTIONS)


@pytest.mark.parametrize("paper_size", ["a4", "letter"])
@pytest.mark.parametrize("large_print", [False, True], ids=["standard", "large-print"])
def test_issued_handout_has_no_pdf_ua_problems(
    sample_article: Article, issue: Callable[..., Handout], paper_size: str, large_print: bool
) -> None:
    handout = issue(sample_article, paper_size=paper_size, large_print=large_print)
    pdf = bytes(handout.stored_pdf.pdf)
    assert pdf_ua_problems(pdf, not_in_list=handout.patient_name) == []
    assert handout.patient_name in tagged_text(pdf)


def test_access_slip_has_no_pdf_ua_problems(
    client: Client, front_desk: User, handout: Handout
) -> None:
    client.force_login(front_desk)
    url, code = shown_secrets(share(client, handout))
    response = client.post(
        reverse("handouts:access_slip", args=[handout.public_id]),
        {"token": url.rsplit("/", 2)[-2], "code": code},
    )
    assert response["Content-Type"] == "application/pdf"
    assert pdf_ua_problems(response.content) == []
    text = tagged_text(response.content)
    # The link may wrap, at a slash or anywhere (break-all): no space may come into it.
    assert url in text


def test_a_wrapped_paragraph_keeps_the_spaces_between_its_lines(
    sample_article: Article, issue: Callable[..., Handout], clinic: ClinicProfile
) -> None:
    handout = issue(sample_article, clinician_note=LONG_NOTE)
    assert LONG_NOTE in tagged_text(bytes(handout.stored_pdf.pdf))
    # WeasyPrint alone runs the last word of each line into the next one.
    unfinished = tagged_text(unfinished_pdf(handout, clinic))
    assert LONG_NOTE not in unfinished
    assert LONG_NOTE.replace(" ", "") in unfinished.replace(" ", "")


def test_a_wrapped_japanese_note_gains_no_spaces(
    sample_article: Article, issue: Callable[..., Handout]
) -> None:
    # Japanese writes no spaces between words: its lines break anywhere, and stay joined.
    note = "痛みが強くなったら、すぐにクリニックに電話してください。" * 8
    handout = issue(sample_article, clinician_note=note)
    assert note in tagged_text(bytes(handout.stored_pdf.pdf))


def test_running_footer_is_an_artifact_printed_on_every_page_but_not_read_out(
    handout: Handout,
) -> None:
    pdf = bytes(handout.stored_pdf.pdf)
    text = tagged_text(pdf)
    assert not re.search(r"Page \d+ of \d+", text)
    assert "Riverside Sports Clinic · +1 555 0100" not in text
    with pikepdf.open(io.BytesIO(pdf)) as document:
        pages = len(document.pages)
        footers = [
            marked
            for page in read_tagged_pdf(document).pages
            for marked in page.marked
            if marked.tag == "Artifact"
            and marked.properties is not None
            and marked.properties.get("/Subtype") == "/Footer"
            and re.fullmatch(r"Page \d+ of \d+", marked.text)
        ]
    assert len(footers) == pages
    assert f"Page 1 of {pages}" in pdf_text(pdf)  # still printed


def test_table_header_cells_say_whether_they_head_a_column_or_a_row(handout: Handout) -> None:
    with pikepdf.open(io.BytesIO(bytes(handout.stored_pdf.pdf))) as document:
        headers = {
            (present(present(node.parent).parent).role, str(node.element.A.Scope))
            for node in read_tagged_pdf(document).nodes()
            if node.role == "TH"
        }
    # Our templates put scope="col" on every <thead> header and scope="row" on every <tbody> one.
    assert headers == {("THead", "/Column"), ("TBody", "/Row")}


def test_the_same_handout_renders_to_the_same_bytes(
    handout: Handout, clinic: ClinicProfile
) -> None:
    first = render_handout_pdf(handout, clinic)
    assert render_handout_pdf(handout, clinic) == first
    assert bytes(handout.stored_pdf.pdf) == first
    with pikepdf.open(io.BytesIO(first)) as document:
        assert bytes(document.trailer.ID[0]) == handout.public_id.hex.encode()


def test_finishing_is_deterministic_and_idempotent(handout: Handout, clinic: ClinicProfile) -> None:
    unfinished = unfinished_pdf(handout, clinic)
    finished = finish_tagged_pdf(unfinished)
    assert finish_tagged_pdf(unfinished) == finished
    assert tagged_text(finish_tagged_pdf(finished)) == tagged_text(finished)
    assert pdf_ua_problems(finish_tagged_pdf(finished)) == []


def test_the_checks_report_what_weasyprint_alone_gets_wrong(
    handout: Handout, clinic: ClinicProfile
) -> None:
    problems = pdf_ua_problems(unfinished_pdf(handout, clinic))
    report = "\n".join(problems)
    assert re.search(
        r"Page 1: marked content \d+ \('Page 1 of \d+'\) is not in the "
        r"structure tree",
        report,
    ), report
    assert "structure elements are not reachable" in report
    assert "ParentTree maps MCID" in report
    assert "('Weeks') has no /Scope" in report


def _break(pdf: bytes, change: Callable[[pikepdf.Pdf], object]) -> bytes:
    with pikepdf.open(io.BytesIO(pdf)) as document:
        change(document)
        out = io.BytesIO()
        document.save(out)
        return out.getvalue()


def _first(document: pikepdf.Pdf, role: str) -> Node:
    return next(node for node in read_tagged_pdf(document).nodes() if node.role == role)


def _drop_xmp_pdfua_id(document: pikepdf.Pdf) -> None:
    with document.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as xmp:
        del xmp["pdfuaid:part"]


def _footer_untagged(document: pikepdf.Pdf) -> None:
    page = document.pages[0]
    content = page.Contents.read_bytes()
    page.Contents = document.make_stream(
        content.replace(b"/Artifact << /Subtype /Footer", b"/Span << /Subtype /Footer")
    )


def _font_descriptor(document: pikepdf.Pdf) -> tuple[pikepdf.Object, pikepdf.Object]:
    font = next(iter(document.pages[0].Resources.Font.values()))
    return font, font.DescendantFonts[0].FontDescriptor


def _row_without_a_cell(document: pikepdf.Pdf) -> None:
    row = next(
        node
        for node in read_tagged_pdf(document).nodes()
        if node.role == "TR" and present(node.parent).role == "TBody"
    )
    del row.element.K[-1]


def _name_in_a_list(document: pikepdf.Pdf) -> None:
    tagged = read_tagged_pdf(document)
    name = next(
        node
        for node in tagged.nodes()
        if node.role == "P" and "Zoë" in "".join(tagged.text_of(ref) for ref in node.contents())
    )
    name.element.S = pikepdf.Name.L


BREAKAGES = {
    "no language": (lambda d: d.Root.__delattr__("Lang"), "no /Lang"),
    "not marked": (lambda d: setattr(d.Root.MarkInfo, "Marked", False), "/Marked true"),
    "title not shown": (
        lambda d: setattr(d.Root.ViewerPreferences, "DisplayDocTitle", False),
        "/DisplayDocTitle true",
    ),
    "titles differ": (lambda d: setattr(d.trailer.Info, "Title", "Something else"), "dc:title"),
    "no pdf/ua id": (_drop_xmp_pdfua_id, "pdfuaid:part 1"),
    "untagged text": (_footer_untagged, "outside both tagged content and artifacts"),
    "scope missing": (lambda d: _first(d, "TH").element.A.__delattr__("Scope"), "no /Scope"),
    "ragged table": (_row_without_a_cell, "rows of different widths"),
    "font not embedded": (
        lambda d: _font_descriptor(d)[1].__delattr__("FontFile2"),
        "is not embedded",
    ),
    "no unicode map": (lambda d: _font_descriptor(d)[0].__delattr__("ToUnicode"), "no /ToUnicode"),
    "name in a list": (_name_in_a_list, "patient's name is inside a list"),
}


@pytest.mark.parametrize("breakage", BREAKAGES)
def test_each_check_reports_a_pdf_broken_on_purpose(handout: Handout, breakage: str) -> None:
    change, expected = BREAKAGES[breakage]
    pdf = bytes(handout.stored_pdf.pdf)
    problems = pdf_ua_problems(_break(pdf, change), not_in_list=handout.patient_name)
    assert any(expected in problem for problem in problems), problems


def test_a_figure_without_alternative_text_is_reported(
    client: Client, front_desk: User, handout: Handout
) -> None:
    client.force_login(front_desk)
    url, code = shown_secrets(share(client, handout))
    slip = client.post(
        reverse("handouts:access_slip", args=[handout.public_id]),
        {"token": url.rsplit("/", 2)[-2], "code": code},
    ).content
    broken = _break(slip, lambda d: _first(d, "Figure").element.__delattr__("Alt"))
    assert "A Figure has no /Alt (alternative text)." in pdf_ua_problems(broken)


def test_an_orphan_before_the_tagged_content_leaves_no_gap_in_the_mcids(
    handout: Handout, clinic: ClinicProfile
) -> None:
    """WeasyPrint draws margin boxes last, so their MCIDs come last; were one drawn first, the
    others are numbered from 0 again and the ParentTree follows."""
    with pikepdf.open(io.BytesIO(unfinished_pdf(handout, clinic))) as document:
        page = document.pages[0]
        for ref in read_tagged_pdf(document).contents():
            if ref.page == 0:
                ref.set_mcid(ref.mcid + 1)
        parent_tree_page = document.Root.StructTreeRoot.ParentTree.Nums[1]
        parent_tree_page.insert(0, parent_tree_page[0])
        content = re.sub(
            rb"<</MCID (\d+)>>",
            lambda m: b"<</MCID %d>>" % (int(m.group(1)) + 1),
            page.Contents.read_bytes(),
        )
        font = next(iter(page.Resources.Font.keys())).encode()
        orphan = b"/Span <</MCID 0>> BDC BT 1 0 0 1 60 800 Tm %s 9 Tf [<0003>] TJ ET EMC\n" % font
        page.Contents = document.make_stream(orphan + content)
        out = io.BytesIO()
        document.save(out)
    assert "Page 1: marked content 0" in "\n".join(pdf_ua_problems(out.getvalue()))
    finished = finish_tagged_pdf(out.getvalue())
    assert pdf_ua_problems(finished) == []
    with pikepdf.open(io.BytesIO(finished)) as document:
        content = document.pages[0].Contents.read_bytes()
    assert content.startswith(b"/Artifact << /Subtype /Header /Type /Pagination >> BDC")


@pytest.mark.parametrize(
    ("before", "after", "word", "space"),
    [
        ("It is a", "bit like a bruise", "", True),
        ("Rest until 16 March 2027 —", "6 weeks", "", True),  # a dash standing alone
        ("You have bone marrow", "edema.", "", True),
        ("Your follow-", "up visit", "", False),  # broke after the hyphen
        ("https://portal.example/h/", "abc", "", False),
        ("abcdef", "ghijkl", "https://portal.example/h/abcdef", False),  # break-all inside a link
        ("骨髄浮腫は骨の", "中に液体が", "", False),  # no spaces between words in Japanese
        ("Ending with a space ", "next", "", False),
        ("word", ", then", "", False),
        ("מנוחה עד", "יום שלישי", "", False),  # right-to-left: glyphs are in visual order
    ],
)
def test_a_space_is_restored_only_where_a_line_broke_at_one(
    before: str, after: str, word: str, space: bool
) -> None:
    assert needs_space(before, after, word) is space


def test_a_wrap_in_a_font_without_a_space_glyph_gets_actual_text(
    sample_article: Article, issue: Callable[..., Handout], clinic: ClinicProfile
) -> None:
    handout = issue(sample_article, clinician_note=LONG_NOTE)
    with pikepdf.open(io.BytesIO(unfinished_pdf(handout, clinic))) as document:
        for font in document.pages[0].Resources.Font.values():
            cmap = font.ToUnicode.read_bytes()
            font.ToUnicode = document.make_stream(re.sub(rb"<[0-9a-f]+> <0020>\n", b"", cmap))
        out = io.BytesIO()
        document.save(out)
    finished = finish_tagged_pdf(out.getvalue())
    with pikepdf.open(io.BytesIO(finished)) as document:
        assert b"/ActualText" in b"".join(page.Contents.read_bytes() for page in document.pages)
    # The spaces inside lines now read as U+FFFD; those at the wraps come from /ActualText.
    assert LONG_NOTE in tagged_text(finished).replace("\ufffd", " ")


def figure_alternative_texts(pdf: bytes) -> list[str]:
    """The /Alt of every /Figure in the structure tree, in reading order."""
    found: list[str] = []

    def walk(element: pikepdf.Object) -> None:
        if not isinstance(element, pikepdf.Dictionary):
            return
        if element.get("/S") == pikepdf.Name.Figure:
            found.append(str(element.get("/Alt", "")))
        kids = element.get("/K")
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids] if kids else []:
            walk(kid)

    with pikepdf.open(io.BytesIO(pdf)) as document:
        walk(document.Root.StructTreeRoot)
    return found


def test_the_plans_pictograms_are_figures_with_alternative_text(handout: Handout) -> None:
    alternatives = figure_alternative_texts(bytes(handout.stored_pdf.pdf))
    assert alternatives == [
        "Rest",
        "Crutches",
        "Physiotherapy",
        "Follow-up",
        "Call the clinic",
        "Emergency",
    ]
