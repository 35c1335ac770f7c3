"""The contradiction rules as data: one book per language, equal in coverage, checked when
loaded; run over an article's printed parts against every choice its plan offer allows."""

import dataclasses
import json
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.utils import translation

from education.models import Article, PreventionTip, Therapy, WarningSign
from education.plan_blocks import PlanOffer, Site
from education.plan_rules import (
    BOOKS,
    PrintedPart,
    article_conflicts,
    check_book,
    has_rules,
    offer_conflicts,
)
from education.plan_rules.book import Rule
from education.workflow import start_draft
from tests.helpers import REVIEWED_CONFLICTS, shipped_language

PACKS = sorted((Path(__file__).parents[2] / "education" / "content_packs").glob("*.json"))


def pack_offer(name: str) -> PlanOffer:
    pack = json.loads((PACKS[0].parent / f"{name}.json").read_text())
    return PlanOffer.from_json(pack["articles"]["en"]["plan"])


def test_every_english_rule_has_a_spanish_counterpart_by_name_for_the_same_choice() -> None:
    english = {rule.name: rule for rule in BOOKS["en"].rules}
    spanish = {rule.name: rule for rule in BOOKS["es"].rules}
    assert english.keys() == spanish.keys()
    for name, rule in english.items():
        assert (spanish[name].when, spanish[name].where) == (rule.when, rule.where), name
    for book in BOOKS.values():
        assert book.site_words.keys() == set(Site), book.language
        assert book.parts.keys() == BOOKS["en"].parts.keys(), book.language


def test_the_rules_cover_every_value_of_every_block() -> None:
    covered: dict[str, set[str]] = {}
    for rule in BOOKS["en"].rules:
        for fact, value in rule.when.items():
            values = value if isinstance(value, tuple) else (value,)
            covered.setdefault(fact, set()).update(str(v) for v in values)
    assert covered == {
        "activity": {"rest", "relative", "active"},
        "rest": {"set", "none"},
        "leg_load": {"none", "partial", "as_tolerated", "full"},
        "arm_load": {"none", "light", "as_tolerated", "full"},
        "aid_present": {"crutches", "walking_boot", "brace", "splint", "sling"},
        "aid_absent": {"crutches", "walking_boot", "brace", "splint", "sling"},
        "self_care_present": {"cold", "heat", "raise"},
        "physiotherapy": {"True", "False"},
        "back_to": {"step", "date"},
        "follow_up": {"True", "False"},
    }


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (Rule("typo", {"leg_lod": "none"}, "x"), "no fact 'leg_lod'"),
        (Rule("typo", {"leg_load": "nothing"}, "x"), "leg_load is never {'nothing'}"),
        (Rule("typo", {"aid_absent": "wheelchair"}, "x"), "aid_absent is never"),
        (Rule("typo", {}, "x", where="rest box"), "no place 'rest box'"),
    ],
)
def test_a_rule_that_could_never_apply_is_refused_when_the_book_is_loaded(
    rule: Rule, message: str
) -> None:
    book = dataclasses.replace(BOOKS["en"], rules=(*BOOKS["en"].rules, rule))
    with pytest.raises(ValueError, match=message):
        check_book(book)


# --- Article text -----------------------------------------------------------------------------


@pytest.fixture
def spanish_draft(db: None, editor: User) -> Article:
    return start_draft(shipped_language("bone-marrow-edema", "es"), editor)


def test_the_sample_articles_contradict_no_plan_they_offer(
    sample_article: Article, spanish_draft: Article
) -> None:
    assert article_conflicts(sample_article) == []
    assert article_conflicts(spanish_draft) == []


@pytest.mark.parametrize(
    ("language", "part", "text", "rule", "choice"),
    [
        (
            "en",
            "warning_sign",
            "You cannot put any weight on your foot.",
            "no weight, yet told weight is fine",
            "No weight on the leg",
        ),
        (
            "es",
            "warning_sign",
            "Ya no puede apoyar nada de peso en el pie.",
            "no weight, yet told weight is fine",
            "No weight on the leg",
        ),
        (
            "en",
            "therapy",
            "Stand on the injured foot for 30 seconds.",
            "no weight, yet told weight is fine",
            "No weight on the leg",
        ),
        (
            "en",
            "tip",
            "Use crutches whenever you go out.",
            "no crutches, yet told to use them",
            "Crutches: no",
        ),
        ("es", "tip", "Use muletas al salir.", "no crutches, yet told to use them", "Crutches: no"),
        (
            "en",
            "tip",
            "Rest your leg for 2 weeks.",
            "no rest, yet a rest period",
            "No set period of rest",
        ),
        (
            "es",
            "tip",
            "Descanse durante 2 semanas.",
            "no rest, yet a rest period",
            "No set period of rest",
        ),
        (
            "en",
            "tip",
            "Keep playing your sport.",
            "rest from sport, yet told to carry on",
            "Rest from sport and heavy work for a set time",
        ),
        (
            "es",
            "therapy",
            "Si le duele, no necesita fisioterapia.",
            "physiotherapy, yet told none is needed",
            "Physiotherapy: yes",
        ),
    ],
)
def test_a_contradiction_planted_in_a_drafts_text_is_found_against_the_choice_it_offers(
    draft: Article,
    spanish_draft: Article,
    language: str,
    part: str,
    text: str,
    rule: str,
    choice: str,
) -> None:
    article = draft if language == "en" else spanish_draft
    match part:
        case "warning_sign":
            WarningSign.objects.create(article=article, text=text, urgency="emergency", position=99)
            label = "Warning sign 8"
        case "therapy":
            Therapy.objects.create(article=article, name="Planted", instructions=text, position=9)
            label = "Therapy “Planted”"
        case _tip:
            PreventionTip.objects.create(article=article, text=text, position=9)
            label = "Prevention tip 6"
    with translation.override("en"):
        found = article_conflicts(Article.objects.get(pk=article.pk))
    assert {(c.part, c.text) for c in found} == {(label, text)}
    # A phrase may contradict more than one choice ("nada de peso": full weight too).
    (conflict,) = [c for c in found if c.rule == rule]
    assert conflict.choice == choice and conflict.found.lower() in text.lower()


# Blocks the sample's offer lacks, planted in the text of an article offering them.
@pytest.mark.parametrize(
    ("pack", "english", "spanish", "rule"),
    [
        ("low-back-pain", "Stay in bed until it eases.", "Quédese en la cama hasta que mejore.",
         "keeping active, yet told to stay in bed"),
        ("neck-pain", "Avoid all movement for a day.", "Evite todo movimiento un día.",
         "staying active, yet told to stop all activity"),
        ("tennis-elbow", "Use your arm normally.", "Use el brazo con normalidad.",
         "arm at rest, yet told to use it"),
        ("tennis-elbow", "Lift nothing heavier than a cup.",
         "No levante nada más pesado que una taza.", "arm at rest, yet told to use it"),
        ("tennis-elbow", "Do not use your elbow.", "No use el codo.",
         "light use of the arm, yet told otherwise"),
        ("tennis-elbow", "Keep your arm in a sling.", "Lleve el brazo en un cabestrillo.",
         "no sling, yet told to use it"),
        ("tennis-elbow", "You do not need a brace.", "No necesita una codera.",
         "brace, yet told not to need it"),
        ("ankle-sprain", "Wear your walking boot.", "Lleve su bota ortopédica.",
         "no walking boot, yet told to use it"),
        ("plantar-heel-pain", "Wear the splint at night.", "Use la férula de noche.",
         "no splint, yet told to use it"),
        ("ankle-sprain", "Avoid ice.", "Evite el hielo.", "cold chosen, yet told to avoid it"),
        ("low-back-pain", "Avoid heat.", "Evite el calor.", "heat chosen, yet told to avoid it"),
        ("metatarsal-stress-fracture", "Do not raise your foot.", "No eleve el pie.",
         "raising chosen, yet told not to"),
        ("neck-pain", "Go back to work after 2 weeks.", "Vuelva al trabajo después de 2 semanas.",
         "back when the care team says, yet a set time"),
        ("neck-pain", "Go back to work when your care team says.",
         "Vuelva al trabajo cuando su equipo de salud lo diga.",
         "back on a date, yet told to wait for the care team"),
    ],
)  # fmt: skip
@pytest.mark.parametrize("language", ["en", "es"])
def test_a_contradiction_is_found_for_every_block_an_article_offers(
    pack: str, english: str, spanish: str, rule: str, language: str
) -> None:
    text = english if language == "en" else spanish
    found = offer_conflicts([PrintedPart("Planted", text)], pack_offer(pack), language)
    # A phrase may contradict several of the choices offered ("use your arm normally": no
    # use, light use and use as pain allows); the one planted for is among them.
    assert rule in [conflict.rule for conflict in found]


@pytest.mark.parametrize(
    ("pack", "text"),
    [
        ("tennis-elbow", "Keep weight off your foot."),  # no leg to put weight on
        ("low-back-pain", "Use your arm normally."),  # no arm load offered
        ("metatarsal-stress-fracture", "Stay in bed for a day."),  # only rest is offered
        ("tennis-elbow", "Avoid heat."),  # heat is never chosen
        ("low-back-pain", "Do not raise your leg."),  # raising is never chosen
    ],
)
def test_a_phrase_is_no_conflict_where_the_article_offers_no_choice_it_contradicts(
    pack: str, text: str
) -> None:
    assert offer_conflicts([PrintedPart("Planted", text)], pack_offer(pack), "en") == []


def test_a_language_without_rules_finds_nothing_and_says_so() -> None:
    offer = pack_offer("ankle-sprain")
    assert offer_conflicts([PrintedPart("x", "Avoid ice.")], offer, "fr") == []
    assert not has_rules("fr") and has_rules("es")


@pytest.mark.parametrize("pack", PACKS, ids=lambda p: p.stem)
def test_the_shipped_packs_conflict_only_where_a_reviewer_must_say_why(pack: Path) -> None:
    """Those exercises contradict a plan of no weight on the leg, which the pack offers: the
    reviewer states why it is published anyway (a clinician leaves the exercise out)."""
    found = {}
    for language, article in json.loads(pack.read_text())["articles"].items():
        parts = [PrintedPart(t["key"], t["instructions"]) for t in article["therapies"]]
        parts += [PrintedPart(s["key"], s["text"]) for s in article["warning_signs"]]
        parts += [PrintedPart(t["key"], t["text"]) for t in article["prevention_tips"]]
        offer = PlanOffer.from_json(article["plan"])
        found[language] = [(c.rule, c.part) for c in offer_conflicts(parts, offer, language)]
    expected = REVIEWED_CONFLICTS.get(pack.stem, [])
    assert found == {"en": expected, "es": expected}
