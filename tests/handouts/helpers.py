"""Helpers shared by the handout tests: the builder's form, the patient's phone, the plan's
choices and the contradiction check (education.plan_rules), sharing a handout, running the
task worker. Plain functions and constants, no fixtures."""

import datetime
import itertools
import re
import signal
import uuid
from dataclasses import dataclass, replace

from django.contrib.auth.models import User
from django.core.management import call_command
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import strip_tags
from weasyprint.formatting_structure import boxes

from education.models import Article
from education.plan_blocks import (
    Activity,
    AidChoice,
    BackToChoice,
    BackToWhen,
    PlanChoices,
    PlanOffer,
    SelfCareChoice,
    Side,
    choices_from_rest_columns,
)
from education.plan_rules import conflicts
from education.snapshot import build_snapshot
from handouts.forms import default_choices as builder_defaults
from handouts.forms import therapy_field
from handouts.issuing import build_handout
from handouts.models import Handout
from handouts.pdf.render import (
    clinic_logo,
    handout_context,
    handout_html,
    lay_out_choosing_page_one,
)
from portal.demo import ensure_demo_clinic_profile
from portal.models import ClinicProfile
from tests.helpers import TestResponse, default_choices, present


def builder_url(article: Article) -> str:
    return reverse("handouts:new", args=[article.condition.slug, article.language])


def builder_data(article: Article, **overrides: object) -> dict[str, object]:
    """What the builder form posts when the clinician keeps the article's defaults."""
    data: dict[str, object] = {
        "issue_token": str(uuid.uuid4()),
        "patient_name": "Zoë Núñez-O'Brien",
        "visit_date": "2027-02-02",
        "activity": "rest",
        "rest_weeks": "6",
        "load": "partial",
        "aid-crutches": "on",
        "aid-crutches-weeks": "6",
        "prevention_tips": [str(t.lineage) for t in article.prevention_tips.all()[:2]],
        "follow_up_date": "2027-03-16",
        "clinician_note": "Ice it twice a day.",
        "paper_size": "a4",
        "action": "issue",
    }
    offer = article.plan_offer()
    if offer.site:
        data["site"] = str(offer.site.default)
    for therapy in article.therapies.all()[:2]:
        key = str(therapy.lineage)
        data |= {
            therapy_field(key, "include"): "on",
            therapy_field(key, "times_per_week"): "3",
            therapy_field(key, "weeks"): "4",
        }
    return data | overrides


PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148"


def open_url(token: str) -> str:
    return reverse("patient:open", args=[token])


def patient_client() -> Client:
    """A phone's browser: CSRF checks on, as the portal's are for every real request."""
    return Client(HTTP_USER_AGENT=PHONE, enforce_csrf_checks=True)


def form_token(response: TestResponse) -> str:
    """The CSRF token in the page's form."""
    return present(
        re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode())
    )[1]


def load_form(client: Client, token: str) -> str:
    """Open the code page; returns the form's CSRF token."""
    return form_token(client.get(open_url(token)))


def post_code(client: Client, token: str, code: str, with_form_token: str) -> TestResponse:
    return client.post(open_url(token), {"code": code, "csrfmiddlewaretoken": with_form_token})


VISIT = datetime.date(2027, 2, 2)
FOLLOW_UP = datetime.date(2027, 3, 16)
WEIGHTS = ["none", "partial", "as_tolerated", "full"]
REST_WEEKS = [0, 1, 3, 52]


@dataclass(frozen=True)
class Choices:
    weight: str
    crutches: bool
    rest: int
    follow_up: bool
    large_print: bool = False

    def plan(self, *, has_therapies: bool = True) -> PlanChoices:
        """These choices in plan-block terms, as a handout made with them holds them."""
        return choices_from_rest_columns(
            self.rest, self.weight, self.crutches, has_therapies, VISIT
        )


def contradictions(text: str, language: str, choices: Choices) -> list[str]:
    """What in a composed handout's text contradicts its choices, by the portal's rules."""
    return [
        f"{conflict.rule}: {conflict.found}"
        for conflict in conflicts(text, language, choices.plan(), follow_up=choices.follow_up)
    ]


def between(text: str, start: str, ends: list[str]) -> str:
    """The text from `start` up to the first of `ends` that follows it."""
    begin = text.index(start)
    stops = [text.find(end, begin + len(start)) for end in ends]
    stops = [stop for stop in stops if stop != -1]
    return text[begin : min(stops)] if stops else text[begin:]


MATRIX = [
    Choices(*combo)
    for combo in itertools.product(WEIGHTS, [True, False], REST_WEEKS, [True, False])
]


def handout_for(article: Article, clinician: User, choices: Choices) -> Handout:
    """A handout of `article` with these choices and the sections printed by default; no
    note."""
    snapshot = build_snapshot(article)
    background = [s["key"] for s in snapshot["sections"] if s["printed_by_default"]]
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
            clinician_note="",
            background_section_keys=background,
        ),
        issued_by=clinician,
        snapshot=snapshot,
    )


def reading_view_text(handout: Handout, clinic: ClinicProfile) -> str:
    """The reading view's text, white space folded."""
    context = handout_context(handout, clinic) | {"for_web": True}
    with translation.override(handout.language):
        html = render_to_string("handouts/includes/handout_content.html", context)
    return " ".join(strip_tags(html).split())


def share(client: Client, handout: Handout, **data: str) -> TestResponse:
    return client.post(
        reverse("handouts:share", args=[handout.public_id]), {"days": "30", "email": "", **data}
    )


def shown_secrets(response: TestResponse) -> tuple[str, str]:
    result = response.context["result"]
    return result.url, result.new_link.code


def run_worker() -> None:
    """Run the queued tasks that are due, as `manage.py db_worker` does in production, then
    stop. Only in tests marked django_db(transaction=True): between tasks the worker drops a
    connection left inside a transaction, as a test's would be."""
    signals = [signal.SIGINT, signal.SIGTERM, signal.SIGQUIT]
    saved = {number: signal.getsignal(number) for number in signals}
    try:
        call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=1)
    finally:
        # The worker takes over the stop signals to finish its task first; give them back.
        for number, handler in saved.items():
            signal.signal(number, handler)


# --- The demo handout and its pages ---------------------------------------------------------


def demo_handout(article, clinician, **overrides):
    """The handout `make demo`'s clinic issues with the builder's defaults (and `overrides`)."""
    ensure_demo_clinic_profile()
    clinic = ClinicProfile.load()
    snapshot = build_snapshot(article)
    choices = builder_defaults(snapshot, clinic, patient_name="Zoë Núñez") | overrides
    return build_handout(article, choices, issued_by=clinician, snapshot=snapshot), clinic


def page_fill(page) -> float:
    """How much of the page's content area its content reaches down to, from 0 to 1."""
    page_box = page._page_box
    top, height = page_box.content_box_y(), page_box.height
    bottoms = [
        box.position_y + box.margin_height()
        for child in page_box.children
        if not isinstance(child, boxes.MarginBox)
        for box in child.descendants()
        if isinstance(box, boxes.LineBox | boxes.ReplacedBox)
    ]
    return (max(bottoms, default=top) - top) / height


def printed_pages(handout, clinic) -> list:
    """The handout's pages as its PDF prints them (render_handout_pdf)."""
    return lay_out_choosing_page_one(
        handout_html(handout, clinic),
        logo=clinic_logo(clinic),
        paper_size=handout.paper_size,
        page_one_fallback=handout_html(handout, clinic, whom_to_call_first=True),
    ).pages


def each_choice(offer: PlanOffer) -> list[tuple[str, PlanChoices]]:
    """The offer's defaults with one block changed at a time, over every choice it offers."""
    base = PlanChoices.defaults(offer, VISIT)
    cases: list[tuple[str, PlanChoices]] = [("defaults", base)]
    if offer.site and offer.site.sided:
        cases += [(f"side={side}", replace(base, side=side)) for side in Side]
    if offer.activity:
        for activity in offer.activity.offered:
            weeks = [1, 3, 52] if activity == Activity.REST else [0]
            cases += [
                (f"activity={activity}:{n}", replace(base, activity=activity, rest_weeks=n))
                for n in weeks
            ]
        cases.append(("no activity", replace(base, activity=None, rest_weeks=0)))
    if offer.load:
        cases += [(f"load={load}", replace(base, load=load)) for load in offer.load.choices]
        cases.append(("no load", replace(base, load=None)))
    for aid in offer.aids:
        for weeks in (aid.weeks, None):
            cases.append(
                (f"aid={aid.kind}:{weeks}", replace(base, aids=(AidChoice(aid.kind, weeks),)))
            )
    cases.append(("no aids", replace(base, aids=())))
    for care in offer.self_care:
        chosen = SelfCareChoice(care.kind, care.times_per_day, care.minutes, care.days)
        cases.append((f"self_care={care.kind}", replace(base, self_care=(chosen,))))
    cases.append(("no self-care", replace(base, self_care=())))
    if offer.back_to:
        cases.append(
            (
                "back on a date",
                replace(
                    base, back_to=BackToChoice(BackToWhen.DATE, VISIT + datetime.timedelta(weeks=3))
                ),
            )
        )
        cases.append(("no back-to", replace(base, back_to=None)))
    if offer.physiotherapy:
        cases.append(
            ("physio in a week", replace(base, physio_start=VISIT + datetime.timedelta(days=7)))
        )
    return cases
