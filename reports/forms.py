import datetime
from dataclasses import dataclass
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.widgets import NativeDateInput

DEFAULT_WEEKS = 12
# A line of more weeks than this no longer reads on a phone, and its queries grow with it.
MAX_WEEKS = 106


@dataclass(frozen=True)
class Period:
    """From the first day to the last, both included, in the clinic's time zone."""

    first_day: datetime.date
    last_day: datetime.date

    @property
    def since(self) -> datetime.datetime:
        """Midnight at the start of the first day."""
        return _midnight(self.first_day)

    @property
    def until(self) -> datetime.datetime:
        """Midnight at the end of the last day."""
        return _midnight(self.last_day + datetime.timedelta(days=1))


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def default_period(today: datetime.date) -> Period:
    """The last DEFAULT_WEEKS weeks, this one included: from a Monday to today."""
    monday = today - datetime.timedelta(days=today.weekday())
    return Period(monday - datetime.timedelta(weeks=DEFAULT_WEEKS - 1), today)


def with_default_period(data: Any, today: datetime.date) -> dict[str, Any]:
    """The submitted dates, with the default period's in place of any left out, so the form
    shows the period the page reports on."""
    default = default_period(today)
    return {
        "start": data.get("start") or default.first_day.isoformat(),
        "end": data.get("end") or default.last_day.isoformat(),
    }


class PeriodForm(forms.Form):
    """The period of a report, sent by GET (it holds no patient data), so a report's address
    can be bookmarked and shared."""

    start = forms.DateField(label=_("From"), required=False, widget=NativeDateInput())
    end = forms.DateField(label=_("To"), required=False, widget=NativeDateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Row(
                Column("start", css_class="col-6 col-md-3"),
                Column("end", css_class="col-6 col-md-3"),
            )
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        default = default_period(timezone.localdate())
        start = cleaned.get("start") or default.first_day
        end = cleaned.get("end") or default.last_day
        if "start" in self.errors or "end" in self.errors:
            return cleaned
        if end < start:
            self.add_error("end", gettext("The end date is before the start date."))
        elif (end - start).days > MAX_WEEKS * 7:
            self.add_error(
                "end",
                gettext("Choose a period of at most %(weeks)d weeks.") % {"weeks": MAX_WEEKS},
            )
        cleaned["period"] = Period(start, end)
        return cleaned

    def period(self) -> Period:
        """The chosen period; call after is_valid()."""
        period: Period = self.cleaned_data["period"]
        return period
