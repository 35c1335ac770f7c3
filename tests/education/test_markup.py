"""Section bodies: the supported Markdown subset comes through, and nothing else does."""

from html.parser import HTMLParser

import pytest

from education.markup import render_markdown
from education.models import Article, Section
from tests.helpers import present

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg/onload=alert(1)>",
    "<iframe src='https://evil.example'></iframe>",
    "<a href='javascript:alert(1)'>x</a>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](java\tscript:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](vbscript:msgbox(1))",
    "<p style='background:url(javascript:alert(1))'>x</p>",
    "<div onclick=alert(1)>x</div>",
    "<object data='x.swf'></object>",
    "<embed src='x.swf'>",
    "<form action='https://evil.example'><input></form>",
    "<style>body{display:none}</style>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "**<b onmouseover=alert(1)>bold</b>**",
    "![x](https://evil.example/pixel.png)",
    '<a href="&#106;avascript:alert(1)">x</a>',
    "[x](&#106;avascript:alert(1))",
    "<base href='https://evil.example/'>",
    "<meta http-equiv='refresh' content='0;url=https://evil.example'>",
]


class ElementCollector(HTMLParser):
    """Every element and attribute a browser would build from the HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes += [(tag, name, value or "") for name, value in attrs]


def elements(html: str) -> ElementCollector:
    collector = ElementCollector()
    collector.feed(html)
    return collector


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_nothing_dangerous_survives_rendering(payload: str) -> None:
    found = elements(render_markdown(payload))
    assert found.tags <= {"p", "ul", "ol", "li", "strong", "em", "a", "br"}
    for tag, name, value in found.attributes:
        assert (tag, name) in {("a", "href"), ("a", "rel"), ("ol", "start")}
        if name == "href":
            assert value.split(":")[0].lower() in {"http", "https", "mailto"}, value


def test_supported_markdown_subset_is_rendered() -> None:
    html = render_markdown(
        "First **bold** and *italic*.\n\n- one\n- two\n\n1. first\n2. second\n\n"
        "[A link](https://example.org/page)"
    )
    assert "<strong>bold</strong>" in html
    assert "<em>italic</em>" in html
    assert "<ul>\n<li>one</li>" in html
    assert "<ol>\n<li>first</li>" in html
    assert (
        '<a href="https://example.org/page" rel="noopener noreferrer nofollow">A link</a>' in html
    )


def test_headings_and_code_are_shown_as_plain_text() -> None:
    assert render_markdown("# Title") == "<p># Title</p>"
    assert render_markdown("`code`") == "<p>`code`</p>"


@pytest.mark.django_db
def test_section_html_is_rendered_once_on_save(draft: Article) -> None:
    section = present(draft.sections.first())
    section.body = "New **text** <script>alert(1)</script>"
    section.save()
    stored = Section.objects.get(pk=section.pk).body_html
    assert stored == "<p>New <strong>text</strong> &lt;script&gt;alert(1)&lt;/script&gt;</p>"
