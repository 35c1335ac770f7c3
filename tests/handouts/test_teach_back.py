"""Teach-back (issue 23): after reading, the patient checks what they know. Questions about the
plan are made from the clinician's choices, the article's own follow; a wrong answer shows the
part of the handout that answers it and the patient tries again. The answer key never reaches
the page; every answer is a visit event; staff see how it went, and whom to call."""

import datetime
import logging
import re
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from time_machine import TimeMachineFixture

from education.models import Article
from education.packs import SHIPPED_DIR, load_shipped
from education.plan_blocks import PlanChoices
from education.snapshot import Snapshot, build_snapshot, plan_offer_of
from handouts.forms import default_choices
from handouts.issuing import build_condition, build_handout, issue_visit, split_choices
from handouts.models import CheckAnswer, Handout, HandoutEvent, OwnWords
from handouts.pdf.render import handout_context
from handouts.plan import warning_signs
from handouts.plan_questions import EMERGENCY_DISTRACTORS, emergency_question
from handouts.questions import ConditionContent, Option, Question, make_question
from handouts.retention import purge_handout
from handouts.sharing import NewShareLink, create_share_link
from handouts.teach_back import Understood, handout_questions, results
from portal.dates import long_date
from portal.models import ClinicProfile
from tests import helpers
from tests.handouts.helpers import load_form, patient_client, post_code
from tests.helpers import default_choices as chosen_for
from tests.helpers import pdf_text, present

pytestmark = pytest.mark.django_db
Kind = HandoutEvent.Kind
VISIT = datetime.date(2027, 2, 2)
SLUGS = sorted(path.stem for path in Path(SHIPPED_DIR).glob("*.json"))
Issue = Callable[..., Handout]


@pytest.fixture
def shared(handout: Handout, clinician: User) -> NewShareLink:
    return create_share_link(handout, staff=clinician)


@pytest.fixture
def patient(shared: NewShareLink) -> Client:
    """A phone that has entered the link's code."""
    client = patient_client()
    response = post_code(client, shared.token, shared.display_code, load_form(client, shared.token))
    assert response.status_code == 302
    return client


def check_url(shared: NewShareLink) -> str:
    return reverse("patient:check", args=[shared.token])


def csrf_token(page: str) -> str:
    return present(re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page))[1]


def answer(client: Client, shared: NewShareLink, key: str, *chosen: int) -> "helpers.TestResponse":
    token = csrf_token(client.get(check_url(shared)).content.decode())
    return client.post(
        check_url(shared), {f"q-{key}": [str(c) for c in chosen], "csrfmiddlewaretoken": token}
    )


def wrong_option(question: Question) -> int:
    return next(i for i in range(len(question.options)) if i not in question.right)


# --- The questions ---------------------------------------------------------------------------


def test_the_plan_is_asked_about_with_the_clinicians_own_dates(
    sample_article: Article, issue: Issue, clinic: ClinicProfile
) -> None:
    three = issue(sample_article, rest_weeks=3)
    six = issue(sample_article, rest_weeks=6)

    def rest_answer(handout: Handout) -> str:
        [question] = [q for q in handout_questions(handout, clinic) if q.key == "plan-rest"]
        [right] = question.right
        return question.options[right]

    with translation.override("en"):
        assert rest_answer(three) == f"Until {long_date(VISIT + datetime.timedelta(days=20))}"
        assert rest_answer(six) == f"Until {long_date(VISIT + datetime.timedelta(days=41))}"


def test_a_block_the_clinician_did_not_choose_asks_nothing(
    sample_article: Article, issue: Issue, clinic: ClinicProfile
) -> None:
    rested = issue(sample_article, rest_weeks=3, crutches=True)
    unrested = issue(sample_article, rest_weeks=0, crutches=False, follow_up_date=None)

    assert "plan-rest" in {q.key for q in handout_questions(rested, clinic)}
    keys = {q.key for q in handout_questions(unrested, clinic)}
    assert not keys & {"plan-rest", "plan-aid-crutches", "plan-follow-up"}


def test_a_date_offered_as_wrong_is_never_another_date_of_the_plan(
    sample_article: Article, issue: Issue, clinic: ClinicProfile
) -> None:
    handout = issue(sample_article, rest_weeks=3, crutches=True)
    follow_up = present(handout.condition_list[0].follow_up_date)
    plan_dates = {long_date(day) for day in (VISIT + datetime.timedelta(days=20), follow_up, VISIT)}
    for question in handout_questions(handout, clinic):
        wrong = {o for i, o in enumerate(question.options) if i not in question.right}
        assert not {o.removeprefix("Until ") for o in wrong} & plan_dates, question


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_shipped_condition_asks_two_to_five_questions_each_answered_in_the_handout(
    clinician: User, clinic: ClinicProfile, language: str
) -> None:
    for slug in SLUGS:
        load_shipped(slug, [language])
    for article in Article.objects.published().filter(language=language):
        snapshot = build_snapshot(article)
        choices = default_choices(snapshot, clinic, patient_name="Ana Demo")
        handout = build_handout(article, choices, issued_by=clinician, snapshot=snapshot)
        questions = handout_questions(handout, clinic)

        assert 2 <= len(questions) <= 5, article
        assert questions == handout_questions(handout, clinic)  # the same, in the same order
        assert len({q.key for q in questions}) == len(questions)
        html = reading_view(handout, clinic)
        for question in questions:
            assert f'id="{question.anchor}"' in html, (article, question.key)
            assert 3 <= len(question.options) <= 4
            assert question.right and (question.multiple or len(question.right) == 1)


def reading_view(handout: Handout, clinic: ClinicProfile) -> str:
    context = handout_context(handout, clinic) | {"for_web": True}
    with translation.override(handout.language):
        return render_to_string("handouts/includes/handout_content.html", context)


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_emergency_question_never_offers_a_warning_sign_as_a_wrong_answer(
    clinic: ClinicProfile, language: str
) -> None:
    for slug in SLUGS:
        load_shipped(slug, [language])
    for article in Article.objects.published().filter(language=language):
        snapshot = build_snapshot(article)
        content = ConditionContent(
            snapshot, default_plan(snapshot), VISIT, language, emergency_number="911"
        )
        with translation.override(language):
            question = emergency_question(content)
            distractors = {str(text) for text in EMERGENCY_DISTRACTORS}
        assert question is not None, article
        signs = {sign["text"] for sign in snapshot["warning_signs"]}
        emergency = {s["text"] for s in snapshot["warning_signs"] if s["urgency"] == "emergency"}
        for index, option in enumerate(question.options):
            if index in question.right:
                assert option in emergency
            else:
                assert option in distractors and option not in signs


def default_plan(snapshot: Snapshot) -> PlanChoices:
    return PlanChoices.defaults(plan_offer_of(snapshot), VISIT)


def test_the_plan_asks_about_getting_help_only_when_the_article_does_not(
    sample_article: Article, issue: Issue, clinic: ClinicProfile
) -> None:
    handout = issue(sample_article)
    anchors = [q.anchor for q in handout_questions(handout, clinic)]
    assert anchors.count("get-help") == 1  # the article's own question
    assert "plan-emergency" not in {q.key for q in handout_questions(handout, clinic)}


def test_questions_are_in_the_handouts_language(issue: Issue, clinic: ClinicProfile) -> None:
    load_shipped("bone-marrow-edema", ["es"])
    handout = issue(Article.objects.get(language="es"), rest_weeks=3)
    [rest] = [q for q in handout_questions(handout, clinic) if q.key == "plan-rest"]
    assert rest.text == "¿Hasta cuándo debe descansar del deporte, de correr y de cargar peso?"
    assert rest.options[min(rest.right)].startswith("Hasta el ")


def test_only_exactly_the_right_options_are_right() -> None:
    question = make_question(
        "q",
        "Which?",
        [Option("a", right=True), Option("b", right=True), Option("c", right=False)],
        "get-help",
    )
    right = sorted(question.right)
    assert question.multiple
    assert question.is_right(right)
    assert not question.is_right(right[:1])
    assert not question.is_right([*right, wrong_option(question)])


# --- The patient's page ----------------------------------------------------------------------


def test_the_check_page_is_behind_the_access_code(shared: NewShareLink) -> None:
    response = patient_client().get(check_url(shared))
    assert response.status_code == 302
    assert response["Location"] == reverse("patient:open", args=[shared.token])
    assert patient_client().get(reverse("patient:check", args=["nope"])).status_code == 404


def test_the_page_carries_no_answer_key(
    patient: Client, shared: NewShareLink, handout: Handout, clinic: ClinicProfile
) -> None:
    html = patient.get(check_url(shared)).content.decode()
    questions = handout_questions(handout, clinic)

    assert "correct" not in html.lower()
    inputs = re.findall(r"<input[^>]*>", html)
    choices = [tag for tag in inputs if 'name="q-' in tag]
    assert len(choices) == sum(len(q.options) for q in questions)
    # Every option's input is the same but for its name, id and number: nothing tells a
    # right one from a wrong one.
    shapes = {re.sub(r'(name|id|value)="[^"]*"', "", tag) for tag in choices}
    assert len(shapes) <= 2  # radio buttons and checkboxes
    for question in questions:
        assert question.text in html or question.text.replace("'", "&#x27;") in html


def test_a_wrong_answer_shows_where_the_handout_answers_it_then_a_right_one_is_done(
    patient: Client, shared: NewShareLink, handout: Handout, clinic: ClinicProfile
) -> None:
    question = handout_questions(handout, clinic)[0]

    response = answer(patient, shared, question.key, wrong_option(question))
    assert response.status_code == 302
    page = patient.get(check_url(shared)).content.decode()
    assert "Not quite. Here is what your handout says:" in page
    assert f'href="{reverse("patient:read", args=[shared.token])}#{question.anchor}"' in page

    answer(patient, shared, question.key, *sorted(question.right))
    page = patient.get(check_url(shared)).content.decode()
    assert f'name="q-{question.key}"' not in page  # done: not asked again

    [result] = [r for r in results(handout, [question])]
    assert (result.understood, result.attempts) == (Understood.AFTER_REREADING, 2)
    assert list(CheckAnswer.objects.values_list("right", flat=True)) == [False, True]
    assert [e.kind for e in handout.events.filter(kind=Kind.ANSWERED)] == [Kind.ANSWERED] * 2
    assert all(e.device == "phone" for e in handout.events.filter(kind=Kind.ANSWERED))


def test_a_form_sent_with_nothing_chosen_records_nothing_and_says_why(
    patient: Client, shared: NewShareLink, handout: Handout
) -> None:
    token = csrf_token(patient.get(check_url(shared)).content.decode())
    response = patient.post(check_url(shared), {"csrfmiddlewaretoken": token, "q-x": "1"})
    assert response.status_code == 200
    assert "Choose an answer to at least one question" in response.content.decode()
    assert not handout.events.filter(kind=Kind.ANSWERED).exists()


def test_an_option_a_question_does_not_offer_is_not_an_answer(
    patient: Client, shared: NewShareLink, handout: Handout, clinic: ClinicProfile
) -> None:
    single = next(q for q in handout_questions(handout, clinic) if not q.multiple)
    answer(patient, shared, single.key, 7)
    answer(patient, shared, single.key, 0, 1)  # two answers to a question of one
    assert not CheckAnswer.objects.exists()


def test_the_check_page_reads_in_spanish_for_a_spanish_handout(
    clinician: User, issue: Issue
) -> None:
    load_shipped("bone-marrow-edema", ["es"])
    handout = issue(Article.objects.get(language="es"))
    link = create_share_link(handout, staff=clinician)
    client = patient_client()
    post_code(client, link.token, link.display_code, load_form(client, link.token))
    html = client.get(check_url(link)).content.decode()
    assert '<html lang="es">' in html
    assert "Compruebe lo que sabe" in html
    assert "correct" not in html.lower()


def test_the_patients_own_words_are_kept_never_logged_and_purged_with_their_name(
    patient: Client, shared: NewShareLink, handout: Handout, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    token = csrf_token(patient.get(check_url(shared)).content.decode())
    words = "Keep the boot on and call if my toes go cold."
    response = patient.post(check_url(shared), {"own_words": words, "csrfmiddlewaretoken": token})

    assert response.status_code == 302
    assert OwnWords.objects.get(handout=handout).text == words
    assert handout.events.filter(kind=Kind.OWN_WORDS).count() == 1
    assert words not in caplog.text

    purge_handout(handout, timezone.now())
    assert not OwnWords.objects.exists()
    assert handout.events.filter(kind=Kind.OWN_WORDS).exists()


# --- Staff -----------------------------------------------------------------------------------


def test_the_handouts_page_shows_how_each_question_went(
    client: Client,
    clinician: User,
    front_desk: User,
    editor: User,
    patient: Client,
    shared: NewShareLink,
    handout: Handout,
    clinic: ClinicProfile,
) -> None:
    first, second, *_rest = handout_questions(handout, clinic)
    answer(patient, shared, first.key, *sorted(first.right))
    answer(patient, shared, second.key, wrong_option(second))
    answer(patient, shared, second.key, wrong_option(second))

    for person in (clinician, front_desk):
        client.force_login(person)
        html = client.get(handout.get_absolute_url()).content.decode()
        assert "Understood on the first try" in html
        assert "Not understood yet (2 attempts)" in html
        assert "Worth a call" in html
        assert "Not answered yet" in html
        assert "Check question answered on a phone" in html
    client.force_login(editor)
    assert client.get(handout.get_absolute_url()).status_code == 403


def test_the_home_lists_patients_still_wrong_after_two_tries(
    client: Client,
    clinician: User,
    editor: User,
    patient: Client,
    shared: NewShareLink,
    handout: Handout,
    clinic: ClinicProfile,
) -> None:
    question = handout_questions(handout, clinic)[0]
    client.force_login(clinician)
    assert handout.patient_name not in client.get(reverse("home")).content.decode()

    answer(patient, shared, question.key, wrong_option(question))
    answer(patient, shared, question.key, wrong_option(question))
    html = client.get(reverse("home")).content.decode()
    assert "Patients to call about their handout" in html
    assert handout.get_absolute_url() in html

    client.force_login(editor)  # no access to handouts: no list
    assert "Patients to call" not in client.get(reverse("home")).content.decode()

    answer(patient, shared, question.key, *sorted(question.right))
    client.force_login(clinician)
    assert handout.get_absolute_url() not in client.get(reverse("home")).content.decode()


def test_the_home_lists_patients_with_a_link_who_answered_nothing_after_the_clinics_days(
    client: Client, clinician: User, handout: Handout, time_machine: TimeMachineFixture
) -> None:
    create_share_link(handout, staff=clinician, days=30)

    def listed_after(days: int) -> bool:
        time_machine.move_to(handout.issued_at + datetime.timedelta(days=days))
        client.force_login(clinician)  # a staff session does not last days
        return handout.get_absolute_url() in client.get(reverse("home")).content.decode()

    assert not listed_after(6)
    assert listed_after(8)
    clinic = ClinicProfile.load()
    clinic.teach_back_call_after_days = 10
    clinic.save()
    assert not listed_after(9)
    assert not listed_after(31)  # the link has ended: no answer is expected any more


# --- On paper --------------------------------------------------------------------------------


def test_the_printed_handout_has_a_check_yourself_box_with_pages_and_no_answers(
    handout: Handout, clinic: ClinicProfile
) -> None:
    text = pdf_text(present(handout.verified_pdf()))
    questions = handout_questions(handout, clinic)

    assert "Check yourself" in text
    for question in questions:
        assert question.text in text
    assert len(re.findall(r"\(page \d\)", text)) == len(questions)


# --- Visit packets ---------------------------------------------------------------------------

PACKET = ["ankle-sprain", "low-back-pain"]


@pytest.fixture
def packet(clinician: User, clinic: ClinicProfile) -> Handout:
    """A visit of two conditions, each with the builder's defaults."""
    conditions, visit = [], dict[str, object]()
    for slug in PACKET:
        load_shipped(slug, ["en"])
        article = Article.objects.published().get(condition__slug=slug, language="en")
        visit, chosen = split_choices(chosen_for(article))
        conditions.append(build_condition(article, chosen))
    handout, _created = issue_visit(
        conditions, visit, issued_by=clinician, issue_token=uuid.uuid4(), clinic=clinic
    )
    return handout


def test_a_packet_asks_about_each_condition_and_staff_see_how_it_went(
    client: Client, clinician: User, clinic: ClinicProfile, packet: Handout
) -> None:
    questions = handout_questions(packet, clinic)
    first, second = packet.condition_list
    names = [q.condition for q in questions]
    assert set(names) == {first.name, second.name}
    assert names == sorted(names, key=[first.name, second.name].index)  # grouped, in order
    for name in (first.name, second.name):
        assert 1 <= names.count(name) <= 5
    keys = [q.key for q in questions]
    assert len(set(keys)) == len(keys)
    later = [q for q in questions if q.condition == second.name]
    assert all(q.key.startswith("2:") for q in later)
    # Each question points to a part of the handout that is there: the second condition's own.
    html = reading_view(packet, clinic)
    for question in questions:
        assert f'id="{question.anchor}"' in html, question.key
    assert any(q.anchor.endswith("-2") for q in later)
    # One "When to get help" for the visit: asked about once, with the signs it prints.
    emergency = [q for q in questions if q.key.endswith("plan-emergency")]
    assert len(emergency) <= 1
    with translation.override("en"):
        merged = warning_signs(packet, "emergency")
    for question in emergency:
        assert {question.options[i] for i in question.right} <= set(merged)

    link = create_share_link(packet, staff=clinician)
    patient = patient_client()
    post_code(patient, link.token, link.display_code, load_form(patient, link.token))
    page = patient.get(check_url(link)).content.decode()
    assert f">{first.name}</h2>" in page and f">{second.name}</h2>" in page
    question = later[0]
    answer(patient, link, question.key, wrong_option(question))
    page = patient.get(check_url(link)).content.decode()
    assert f"#{question.anchor}" in page  # the second condition's part, to re-read
    answer(patient, link, question.key, *sorted(question.right))

    [result] = results(packet, [question])
    assert (result.understood, result.attempts) == (Understood.AFTER_REREADING, 2)
    assert list(CheckAnswer.objects.values_list("question_key", flat=True)) == [question.key] * 2
    client.force_login(clinician)
    html = client.get(packet.get_absolute_url()).content.decode()
    assert "Understood after re-reading (2 attempts)" in html
    assert html.count('class="teach-back-condition"') == 2


def test_the_printed_packet_groups_its_questions_under_each_condition(
    packet: Handout, clinic: ClinicProfile
) -> None:
    text = pdf_text(present(packet.verified_pdf()))
    box = text[text.index("Check yourself") :]
    first, second = packet.condition_list
    assert first.name in box and second.name in box
    assert box.index(first.name) < box.index(second.name)
    assert len(re.findall(r"\(page \d+\)", box)) == len(handout_questions(packet, clinic))
