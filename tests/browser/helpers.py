"""Helpers for the real-browser tests: where their artifacts go, the accessibility check,
screenshots. Plain functions and constants; the fixtures are in conftest.py."""

import weakref
from pathlib import Path

from playwright.sync_api import Page, Response

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

# The HTML the server sent for each page now shown (scripts may change the DOM later), as the
# `pages` fixture records it.
SERVED_DOCUMENTS: weakref.WeakKeyDictionary[Page, Response] = weakref.WeakKeyDictionary()


def check_accessibility(page: Page, *, strict: bool) -> None:
    """axe-core against WCAG 2.2 A and AA: no serious or critical violation on staff pages,
    none at all on patient pages (strict)."""
    # Through the DevTools protocol, which the page's Content Security Policy does not govern:
    # the policy stays on for everything the portal itself does.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {runOnly: {type: "tag",
            values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]}});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}));
    }""")
    blocking = result if strict else [v for v in result if v["impact"] in {"serious", "critical"}]
    assert not blocking, f"{page.url}: {blocking}"


def screenshot(page: Page, name: str, widths: tuple[int, ...] = (1280, 375)) -> None:
    """Screenshots of the main pages at desktop and phone width, for anyone to look at."""
    folder = ARTIFACTS / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    original = page.viewport_size
    assert original is not None  # every context here has a viewport
    for width in widths:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=folder / f"{name}-{width}.png", full_page=True)
    page.set_viewport_size(original)
