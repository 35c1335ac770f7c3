"""Real-browser tests: Debian's Chromium driven by Playwright against the live test server.

Browsers cannot be downloaded here, so Playwright launches the system Chromium. Without it the
tests skip with the reason on a developer's machine; CI installs it, so there a missing
browser fails.
"""

import os
import re
import shutil
import subprocess
from collections.abc import Callable, Generator, Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Response

from tests.browser.helpers import ARTIFACTS, SERVED_DOCUMENTS, VNU
from tests.helpers import require_tool

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    return require_tool("chromium", "chromium")


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread, which Django takes for async
    # code; the tests use the database between browser calls only, never concurrently.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def pages(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Callable[..., Page]]:
    """New browser contexts for the test; on failure each open page is saved (screenshot and
    HTML) under test-artifacts/failures/."""
    contexts = []

    def new_page(**context_options: Any) -> Page:
        context = browser.new_context(accept_downloads=True, **context_options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)

        # The HTML the server sent for the page now shown (scripts may change the DOM later).
        def record_document(response: Response) -> None:
            if response.request.resource_type == "document" and response.frame == page.main_frame:
                SERVED_DOCUMENTS[page] = response

        page.on("response", record_document)
        return page

    yield new_page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        folder = ARTIFACTS / "failures" / re.sub(r"[^\w.-]", "_", request.node.name)
        folder.mkdir(parents=True, exist_ok=True)
        for number, page in enumerate(p for c in contexts for p in c.pages):
            page.screenshot(path=folder / f"page-{number}.png", full_page=True)
            (folder / f"page-{number}.html").write_text(page.content(), encoding="utf-8")
    for context in contexts:
        context.close()


@pytest.fixture
def html_validator() -> Iterator[Callable[[Page], None]]:
    """The Nu HTML Checker on the HTML the server sent for every page passed to it; checked
    once at the end of the test."""
    java = shutil.which("java")
    collected: list[tuple[str, str]] = []

    def collect(page: Page) -> None:
        collected.append((page.url, SERVED_DOCUMENTS[page].text()))

    yield collect
    if not collected:
        return
    if not (java and VNU.exists()):
        message = "the Nu HTML Checker needs Java and node_modules/vnu-jar (make install-dev)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    folder = ARTIFACTS / "html"
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for number, (url, html) in enumerate(collected):
        path = folder / f"{number:02d}-{re.sub(r'[^\w]+', '_', url.split('//', 1)[-1])[:60]}.html"
        path.write_text(html, encoding="utf-8")
        files.append(str(path))
    result = subprocess.run(
        [java, "-jar", str(VNU), "--errors-only", "--format", "gnu", *files],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr or result.stdout
