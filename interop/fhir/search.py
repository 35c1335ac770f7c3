"""Reading a DocumentReference search: the parameters we support, checked, as filters.

Unknown parameters are refused (400) rather than ignored: a client that believes it asked
for one patient's deliveries must not silently receive everyone's.
"""

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.db import models
from django.utils import timezone

from handouts.models import Handout

DEFAULT_COUNT = 20
MAX_COUNT = 100
CURSOR = "_cursor"

# FHIR's date search: an optional prefix, then a date as precise as the client likes.
DATE_VALUE = re.compile(r"^(eq|ne|gt|lt|ge|le|sa|eb)?(\d{4}(-\d{2}(-\d{2}(T.+)?)?)?)$")
PREFIXES = {"eq", "gt", "lt", "ge", "le"}
# Parameters that change only how the answer is written, which we always write as JSON.
FORMAT_PARAMETERS = {"_format"}
FHIR_JSON_FORMATS = {"json", "application/json", "application/fhir+json"}


class BadSearch(ValueError):
    """The search names a parameter we do not support, or gives one a value we cannot read.
    The message names the parameter, never its value (which may be a record number)."""


@dataclass
class Search:
    record_number: tuple[str, str] | None = None  # (system or "", value)
    issued: list[tuple[str, datetime.datetime, datetime.datetime]] = field(default_factory=list)
    last_updated: list[tuple[str, datetime.datetime, datetime.datetime]] = field(
        default_factory=list
    )
    count: int = DEFAULT_COUNT
    cursor: str = ""

    def apply(self, deliveries: models.QuerySet[Handout]) -> models.QuerySet[Handout]:
        if self.record_number is not None:
            system, value = self.record_number
            if system and system != settings.FHIR_RECORD_NUMBER_SYSTEM:
                return deliveries.none()
            deliveries = deliveries.filter(record_number=value).exclude(record_number="")
        for prefix, start, end in self.issued:
            deliveries = deliveries.filter(_date_filter("issued_at", prefix, start, end))
        for prefix, start, end in self.last_updated:
            deliveries = deliveries.filter(_date_filter("last_updated", prefix, start, end))
        return deliveries


def read_search(params: Mapping[str, list[str]]) -> Search:
    search = Search()
    for name, values in params.items():
        if name in FORMAT_PARAMETERS:
            if any(value not in FHIR_JSON_FORMATS for value in values):
                raise BadSearch(f"{name}: only JSON is served.")
        elif name == "patient.identifier":
            search.record_number = _token(name, _single(name, values))
        elif name == "date":
            search.issued = [_date(name, value) for value in values]
        elif name == "_lastUpdated":
            search.last_updated = [_date(name, value) for value in values]
        elif name == "_count":
            search.count = _count(name, _single(name, values))
        elif name == CURSOR:
            search.cursor = _single(name, values)
        else:
            raise BadSearch(f"{name}: this search parameter is not supported.")
    return search


def _single(name: str, values: list[str]) -> str:
    if len(values) != 1:
        raise BadSearch(f"{name}: give it once.")
    return values[0]


def _token(name: str, value: str) -> tuple[str, str]:
    system, bar, code = value.rpartition("|")
    if not code.strip():
        raise BadSearch(f"{name}: give an identifier, as value or system|value.")
    return (system if bar else "", code.strip())


def _count(name: str, value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= MAX_COUNT:
        raise BadSearch(f"{name}: a whole number from 1 to {MAX_COUNT}.")
    return int(value)


def _date(name: str, value: str) -> tuple[str, datetime.datetime, datetime.datetime]:
    """The prefix and the range of time the value stands for: 2027 is the whole year, a day
    the whole day in the clinic's time zone, an instant a single moment."""
    match = DATE_VALUE.match(value.strip())
    prefix = (match[1] or "eq") if match else ""
    if not match or prefix not in PREFIXES:
        raise BadSearch(f"{name}: use a date like ge2027-02-01 (prefixes eq, gt, lt, ge, le).")
    text = match[2]
    try:
        if "T" in text:
            moment = datetime.datetime.fromisoformat(text)
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment)
            return prefix, moment, moment + _precision(text)
        parts = [int(part) for part in text.split("-")]
        first = datetime.date(
            parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1
        )
    except ValueError:
        raise BadSearch(f"{name}: not a date.") from None
    if len(parts) == 3:
        after = first + datetime.timedelta(days=1)
    elif len(parts) == 2:
        after = (first + datetime.timedelta(days=32)).replace(day=1)
    else:
        after = first.replace(year=first.year + 1)
    return prefix, _midnight(first), _midnight(after)


def _precision(text: str) -> datetime.timedelta:
    """How long an instant written this way lasts: 10:00 the whole minute, 10:00:00 the
    whole second, 10:00:00.5 to the microsecond."""
    time = re.split(r"[Z+-]", text.partition("T")[2])[0]
    if "." in time:
        return datetime.timedelta(microseconds=1)
    if time.count(":") == 2:
        return datetime.timedelta(seconds=1)
    return datetime.timedelta(minutes=1)


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _date_filter(
    field_name: str, prefix: str, start: datetime.datetime, end: datetime.datetime
) -> models.Q:
    """FHIR's prefixes over the range [start, end) a value stands for."""
    return {
        "eq": models.Q(**{f"{field_name}__gte": start, f"{field_name}__lt": end}),
        "ge": models.Q(**{f"{field_name}__gte": start}),
        "gt": models.Q(**{f"{field_name}__gte": end}),
        "le": models.Q(**{f"{field_name}__lt": end}),
        "lt": models.Q(**{f"{field_name}__lt": start}),
    }[prefix]
