"""Dates written the way the page's or handout's language writes them ("Tuesday 16 March 2027",
"martes 16 de marzo de 2027"; "16 Mar", "16 mar"). Day and month names come from Django's
translations, in the language active when the date is formatted. Staff pages and handouts
both use these (templates through the `dates` library), so a date reads the same everywhere.
"""

import datetime

from django.utils import translation
from django.utils.dateformat import format as format_date

# Spanish writes "de" between day, month and year, and month names in lower case, abbreviated
# too ("7 dic"): Django's "M" capitalises the abbreviation ("Dic"), "b" does not.
LONG_DATE_FORMATS = {"en": "l j F Y", "es": r"l j \d\e F \d\e Y"}
PLAIN_DATE_FORMATS = {"en": "j F Y", "es": r"j \d\e F \d\e Y"}
PLAIN_DATETIME_FORMATS = {"en": "j F Y, H:i", "es": r"j \d\e F \d\e Y, H:i"}
SHORT_DATE_FORMATS = {"en": "j M", "es": "j b"}
SHORT_DATE_WITH_YEAR_FORMATS = {"en": "j M Y", "es": "j b Y"}
SHORT_DATETIME_FORMATS = {"en": "j M Y, H:i", "es": "j b Y, H:i"}


def _format(value: datetime.date | str | None, formats: dict[str, str]) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        value = datetime.date.fromisoformat(value)
    language = (translation.get_language() or "en").split("-")[0]
    return format_date(value, formats.get(language, formats["en"]))


def long_date(value: datetime.date | str | None) -> str:
    """ "Tuesday 16 March 2027"."""
    return _format(value, LONG_DATE_FORMATS)


def plain_date(value: datetime.date | str | None) -> str:
    """ "16 March 2027"."""
    return _format(value, PLAIN_DATE_FORMATS)


def plain_datetime(value: datetime.datetime | None) -> str:
    """ "16 March 2027, 14:30", in the time zone the value is in."""
    return _format(value, PLAIN_DATETIME_FORMATS)


def short_date(value: datetime.date | str | None, with_year: bool = False) -> str:
    """ "16 Mar"; with the year ("16 Mar 2027") where dates of more than one year sit together."""
    return _format(value, SHORT_DATE_WITH_YEAR_FORMATS if with_year else SHORT_DATE_FORMATS)


def short_datetime(value: datetime.datetime | None) -> str:
    """ "16 Mar 2027, 14:30", in the time zone the value is in."""
    return _format(value, SHORT_DATETIME_FORMATS)
