"""Helpers shared by test modules. Plain functions and constants: fixtures live in conftest.py,
and no test module imports from another test module or from a conftest."""

import contextlib
import datetime
import io
import ipaddress
import json
import os
import shutil
import socket
import zlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest
from django.contrib.auth.models import User
from django.http import HttpResponse
from pypdf import PdfReader
from pypdf.generic import DictionaryObject, PdfObject

from education.models import Article
from education.packs import SHIPPED_DIR, import_pack, only_languages, read_pack_file
from education.parts import PARTS, PARTS_BY_NAME
from education.plan_blocks import PlanOffer
from education.plan_form import initial_from
from education.snapshot import build_snapshot
from education.workflow import publish_loaded_content
from handouts.forms import default_choices as builder_defaults
from handouts.forms import rest_plan
from portal.models import ClinicProfile

if TYPE_CHECKING:
    # What the test client returns: a response with the attributes the client adds (context,
    # templates, json(), redirect_chain). The type exists only in django-stubs.
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse
else:
    TestResponse = HttpResponse

PASSWORD = "correct horse battery staple 42"


def present[T](value: T | None) -> T:
    """`value`, which the test's own data guarantees is there: the first row of a table the
    test filled, a pattern the page must match. Fails the test by name if it is missing."""
    assert value is not None, "expected a value, found None"
    return value


REST_FIELDS = ("rest_weeks", "crutches", "weight_bearing")


# The shipped packs' parts that contradict a choice their plan offers, by (rule, part key):
# published with a reviewer's reason, because the clinician leaves the part out for that choice
# (an exercise on one foot for a no-weight plan, a tip to wait for the physiotherapist for a
# plan going back on a date).
REVIEWED_CONFLICTS = {
    "achilles-tendinopathy": [("no weight, yet told weight is fine", "one-foot-raises")],
    "ankle-sprain": [("no weight, yet told weight is fine", "one-foot-balance")],
    "metatarsal-stress-fracture": [("no weight, yet told weight is fine", "balance")],
    "acl-injury": [
        ("no weight, yet told weight is fine", "one-leg-balance"),
        ("back on a date, yet told to wait for the care team", "wait-for-ok"),
    ],
}


def default_choices(article: Article, **overrides: object) -> dict[str, Any]:
    """Personal choices as the builder makes them, with the article's defaults and fixed
    personal details. The clinic is an unsaved profile: the paper size is fixed here."""
    snapshot = build_snapshot(article)
    defaults = builder_defaults(snapshot, ClinicProfile())
    choices = defaults | {
        "patient_name": "Zoë Núñez-O'Brien",
        "record_number": "",
        "visit_date": datetime.date(2027, 2, 2),
        "therapy_plan": defaults["therapy_plan"][:2],
        "follow_up_date": datetime.date(2027, 3, 16),
        "clinician_note": "Ice it for 10 minutes, twice a day.",
        "paper_size": "a4",
        "large_print": False,
    }
    # The rest fields the builder has for articles offering rest guidance, as a plan.
    rest: dict[str, Any] = {
        "rest_weeks": 6,
        "crutches": True,
        "weight_bearing": "partial",
    } | {name: overrides.pop(name) for name in REST_FIELDS if name in overrides}
    choices = choices | overrides
    if "plan" not in overrides:
        choices["plan"] = rest_plan(snapshot, choices["visit_date"], **rest)
    return choices


def pdf_dictionary(value: PdfObject | None) -> DictionaryObject:
    """A dictionary of a PDF read with pypdf, its indirect reference followed: pypdf types
    what a key holds as any PDF object, since only the file says which."""
    resolved = None if value is None else value.get_object()
    assert isinstance(resolved, DictionaryObject), resolved
    return resolved


def pdf_text(pdf: bytes) -> str:
    """All the PDF's text with white space folded, so wrapped lines still match."""
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def require_tool(command: str, package: str) -> str:
    """The path of a system tool a test needs. Missing on a developer's machine: the test is
    skipped with the package to install; missing in CI (.ci/run installs it): a failure."""
    path = shutil.which(command)
    if path:
        return path
    message = f"{command} is not installed (Debian package {package})"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


# The admin's article change form, as education and audit tests post it: each part's inline
# (education.parts), by its name.
INLINE_FIELDS = {
    part.name: [
        name for line in part.admin_fields for name in ([line] if isinstance(line, str) else line)
    ]
    for part in PARTS
}


def is_json(value: object) -> bool:
    return isinstance(value, dict) or (
        isinstance(value, list) and any(isinstance(item, dict) for item in value)
    )


def form_value(value: object) -> str | list[str]:
    if is_json(value):  # a JSON field (check questions' answers)
        return json.dumps(value)
    if isinstance(value, list):
        return [str(item) for item in value]  # ticked boxes of one field
    if value is True:
        return "on"
    if value is None or value is False:
        return ""
    return str(value)


def plan_form(offer: PlanOffer) -> dict:
    """The POST data of the article form's "Patient's plan" for `offer`, as a browser sends it."""
    return {name: form_value(value) for name, value in initial_from(offer).items()}


def article_form(article: Article | None = None, **fields: object) -> dict[str, Any]:
    """The POST data the admin change form sends for an article and all of its inlines."""
    data: dict[str, Any] = {}
    if article:
        for name in [
            "condition",
            "language",
            "title",
            "summary",
            "in_brief",
            "state",
            "reviewed_by",
            "last_reviewed_on",
            "next_review_due",
            "needs_clinical_review",
        ]:
            data[name] = form_value(getattr(article, name + ("_id" if name == "condition" else "")))
        data |= plan_form(article.plan_offer())
    for prefix, names in INLINE_FIELDS.items():
        rows = [] if article is None else PARTS_BY_NAME[prefix].of(article)
        article_pk = "" if article is None else str(article.pk)
        data |= {
            f"{prefix}-TOTAL_FORMS": str(len(rows)),
            f"{prefix}-INITIAL_FORMS": str(len(rows)),
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
        }
        for index, row in enumerate(rows):
            data[f"{prefix}-{index}-id"] = str(row.pk)
            data[f"{prefix}-{index}-article"] = article_pk
            for name in names:
                data[f"{prefix}-{index}-{name}"] = form_value(getattr(row, name))
                if is_json(getattr(row, name)):
                    # A field with a callable default (JSON's list) sends its initial value
                    # too, in a hidden input, which Django compares the value with.
                    data[f"initial-{prefix}-{index}-{name}"] = form_value(getattr(row, name))
    data |= {name: form_value(value) for name, value in fields.items()}
    return data


def as_a_browser_sends_it(article: Article, **fields: object) -> dict[str, Any]:
    """The article's change form sent back from a browser: text areas end lines with \\r\\n."""
    return {
        name: value.replace("\n", "\r\n") if isinstance(value, str) else value
        for name, value in article_form(article, **fields).items()
    }


class NetworkBlocked(RuntimeError):
    """A test tried to reach another machine. Not an OSError, so code that handles a failed
    connection (sending email, for one) cannot swallow it."""


LOCAL_HOST_NAMES = {"localhost", "localhost."}


def is_local_address(host: object) -> bool:
    """This machine: a loopback address (127.0.0.1, ::1) or "localhost". Any other name or
    address, and an empty host, is another machine."""
    if isinstance(host, bytes):
        host = host.decode()
    if not isinstance(host, str):
        return False
    if host.lower() in LOCAL_HOST_NAMES:
        return True
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])  # ::1%lo: the zone is no host
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)  # ::ffff:127.0.0.1
    return address.is_loopback or bool(mapped and mapped.is_loopback)


def _refuse(address: object) -> NetworkBlocked:
    return NetworkBlocked(
        f"Tests may not use the network: a connection to {address!r} was refused. Only this "
        "machine is allowed (127.0.0.1, ::1, localhost, Unix sockets); stub the outside "
        "service instead."
    )


@contextlib.contextmanager
def outside_network_blocked() -> Iterator[None]:
    """Within the block, connecting an Internet socket to another machine raises
    NetworkBlocked; loopback and Unix sockets work as usual."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_create_connection = socket.create_connection

    def check(sock: socket.socket, address: object) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not (
            isinstance(address, tuple) and address and is_local_address(address[0])
        ):
            raise _refuse(address)

    def connect(self: socket.socket, address: Any) -> None:
        check(self, address)
        return real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        check(self, address)
        return real_connect_ex(self, address)

    def create_connection(address: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
        # Refused before the name is looked up, so no DNS query leaves either.
        if not is_local_address(address[0]):
            raise _refuse(address)
        return real_create_connection(address, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", connect)
        patch.setattr(socket.socket, "connect_ex", connect_ex)
        patch.setattr(socket, "create_connection", create_connection)
        yield


@contextlib.contextmanager
def closed_port() -> Iterator[int]:
    """A port on this machine where nothing listens: bound, so nothing else takes it, and never
    listening, so a connection to it is refused at once, as a stopped server refuses it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


# --- Logos that are costly to draw (issue 26) -------------------------------------------------


def png_header_claiming(width: int, height: int) -> bytes:
    """A 128-byte PNG whose header claims width × height pixels: decoding it for real would
    need gigabytes."""
    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + b"\x08\x02\x00\x00\x00"
    ihdr = b"IHDR" + header
    png = b"\x89PNG\r\n\x1a\n" + len(header).to_bytes(4, "big") + ihdr
    png += zlib.crc32(ihdr).to_bytes(4, "big")
    data = b"IDAT" + zlib.compress(b"\x00" * 64)
    png += (len(data) - 4).to_bytes(4, "big") + data + zlib.crc32(data).to_bytes(4, "big")
    return png.ljust(116, b"\x00") + b"\x00\x00\x00\x00IEND\xaeB`\x82"


def nested_use_svg(levels: int = 5) -> bytes:
    """About a kilobyte of SVG that draws 10**levels circles: each group uses the one before
    it ten times. Five levels take WeasyPrint about a minute."""
    groups = "".join(
        f'<g id="a{level}">' + f'<use href="#a{level - 1}"/>' * 10 + "</g>"
        for level in range(1, levels + 1)
    )
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><defs>'
        f'<g id="a0"><circle cx="5" cy="5" r="4"/></g>{groups}</defs>'
        f'<use href="#a{levels}"/></svg>'
    ).encode()


def long_text_svg() -> bytes:
    """An SVG of one long line of text: only a few parts, but many seconds to draw."""
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><text y="10">'
        + "Riverside Sports Clinic " * 7000
        + "</text></svg>"
    ).encode()


def import_translation(slug: str, language: str, editor: User) -> Article:
    """One language of a shipped pack imported by `editor`, as a translation arrives beside a
    live version: a draft for review."""
    pack = only_languages(read_pack_file(SHIPPED_DIR / f"{slug}.json"), [language])
    article = import_pack(pack, user=editor).languages[0].article
    assert article is not None, f"{slug} ({language}) was not imported"
    return article


def shipped_language(slug: str, language: str) -> Article:
    """One language of a shipped pack, live, as `make demo` leaves it: published unreviewed
    when the pack brings it beside a condition already live in another language (import makes
    it a draft there), or the live version already loaded."""
    live = Article.objects.published().filter(condition__slug=slug, language=language).first()
    if live is not None:
        return live
    pack = only_languages(read_pack_file(SHIPPED_DIR / f"{slug}.json"), [language])
    article = import_pack(pack).languages[0].article
    assert article is not None, f"{slug} ({language}) was not imported"
    return publish_loaded_content(article)
