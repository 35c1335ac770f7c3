"""Section bodies: a small Markdown subset rendered to sanitized HTML.

Editors write paragraphs, lists, bold, italic and links. Raw HTML is never passed through by
the Markdown parser, and the result is cleaned again with an allow-list, so nothing an editor
types is ever trusted as HTML.
"""

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {"p", "ul", "ol", "li", "strong", "em", "a", "br"}
ALLOWED_ATTRIBUTES = {"a": {"href"}, "ol": {"start"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}

# "zero" enables nothing but paragraphs and text; we switch on exactly the subset we support.
_markdown = MarkdownIt("zero", {"html": False, "linkify": False, "typographer": False}).enable(
    ["emphasis", "list", "link", "newline"]
)


def render_markdown(text: str) -> str:
    html = _markdown.render(text or "")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    ).strip()
