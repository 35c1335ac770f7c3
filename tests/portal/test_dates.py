"""Dates read as each language writes them, on staff pages and on handouts alike."""

import datetime
import re
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from handouts.models import Handout
from portal.dates import long_date, plain_date, plain_datetime, short_date, short_datetime

DAY = datetime.date(2026, 12, 7)
# 14:30 in the portal's time zone, whatever it is.
MOMENT = timezone.make_aware(datetime.datetime(2026, 12, 7, 14, 30))


def in_language(language: str, function: Callable[..., str], *args: object) -> str:
    with translation.override(language):
        return function(*args)


def test_spanish_short_dates_keep_the_month_in_lower_case() -> None:
    assert in_language("es", short_date, DAY) == "7 dic"
    assert in_language("es", short_date, DAY, True) == "7 dic 2026"
    assert in_language("es", short_datetime, MOMENT) == "7 dic 2026, 14:30"


def test_spanish_long_dates_put_de_between_day_month_and_year() -> None:
    assert in_language("es", long_date, DAY) == "lunes 7 de diciembre de 2026"
    assert in_language("es", plain_date, DAY) == "7 de diciembre de 2026"
    assert in_language("es", plain_datetime, MOMENT) == "7 de diciembre de 2026, 14:30"


def test_english_dates_read_as_before() -> None:
    assert in_language("en", short_date, DAY) == "7 Dec"
    assert in_language("en", short_date, DAY, True) == "7 Dec 2026"
    assert in_language("en", short_datetime, MOMENT) == "7 Dec 2026, 14:30"
    assert in_language("en", long_date, DAY) == "Monday 7 December 2026"
    assert in_language("en", plain_date, DAY) == "7 December 2026"
    assert in_language("en", plain_datetime, MOMENT) == "7 December 2026, 14:30"


@pytest.mark.django_db
@pytest.mark.usefixtures("visit_day")
def test_staff_pages_in_spanish_write_dates_with_de_and_lower_case_months(
    client: Client, clinician: User, handout: Handout
) -> None:
    client.force_login(clinician)
    detail = client.get(handout.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "martes 2 de febrero de 2027" in detail  # the visit
    issued = in_language("es", plain_date, timezone.localdate(handout.issued_at))
    assert re.search(r"^\d+ de \w+ de \d{4}$", issued) and f"{issued}, " in detail
    listing = client.get(reverse("handouts:list"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "2 feb 2027" in listing and "2 Feb 2027" not in listing
