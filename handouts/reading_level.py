"""How hard a whole handout is to read: the same measures editors see for an article, over
everything the patient reads (plan, help, tables, background), shown in the builder's preview.
The letterhead, the patient's details and the pictograms' alternative text are not prose and
are left out."""

import re

from education.readability import MIN_PATIENT_INFLESZ, Readability, measure, plain_text

# Handout-wide targets (issue: SMOG 7 and Flesch-Kincaid grade 6 at most).
MAX_HANDOUT_GRADE = 6.0
MAX_HANDOUT_SMOG = 7.0
NOT_PROSE = re.compile(
    r'<header class="letterhead">.*?</header>|<div class="patient-details">.*?</div>'
    r"|<svg.*?</svg>|<nav.*?</nav>",
    re.DOTALL,
)


def handout_reading_level(content_html: str, language: str) -> Readability:
    """`content_html` as handouts.pdf.render.handout_content_html renders it."""
    return measure(plain_text(NOT_PROSE.sub("", content_html)), language)


def within_targets(level: Readability) -> bool:
    if level.inflesz is not None:
        return level.inflesz >= MIN_PATIENT_INFLESZ
    if level.smog is None:
        return level.grade <= MAX_HANDOUT_GRADE
    return level.grade <= MAX_HANDOUT_GRADE and level.smog <= MAX_HANDOUT_SMOG
