"""The handout builder: a clinician's personal choices for one patient."""

import datetime
import unicodedata
import uuid
from typing import Any, cast

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Field, Fieldset, Layout, Row
from django import forms
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from education.models import (
    MAX_REST_WEEKS,
    MAX_THERAPY_WEEKS,
    MAX_TIMES_PER_WEEK,
    MIN_REST_WEEKS,
    MIN_THERAPY_WEEKS,
    MIN_TIMES_PER_WEEK,
    WeightBearing,
)
from education.snapshot import Snapshot, TherapySnapshot
from handouts.models import MAX_NOTE_LENGTH, MAX_PATIENT_NAME_LENGTH, MAX_RECORD_NUMBER_LENGTH
from handouts.pdf.fonts import validate_printable
from handouts.sharing import DEFAULT_EXPIRY_DAYS, MAX_EXPIRY_DAYS, MIN_EXPIRY_DAYS
from portal.dates import plain_date
from portal.models import ClinicProfile, PaperSize, language_choices
from portal.widgets import NativeDateInput

# Zero-width joiner and non-joiner: format characters that Persian and Indic names need.
NAME_JOINERS = frozenset("\u200c\u200d")

# Every date the builder accepts (visit, follow-up) lies in this window around today: wide
# enough for a visit written up late or a follow-up booked well ahead, narrow enough to catch
# a mistyped year, and it keeps every date the handout computes from them (the end of rest,
# the week-by-week plan) far inside the calendar.
DAYS_BEFORE_TODAY = 365
DAYS_AFTER_TODAY = 2 * 365


def accepted_dates() -> tuple[datetime.date, datetime.date]:
    """The first and last date the builder accepts, from today in the clinic's time zone."""
    today = timezone.localdate()
    return (
        today - datetime.timedelta(days=DAYS_BEFORE_TODAY),
        today + datetime.timedelta(days=DAYS_AFTER_TODAY),
    )


def validate_printable_name(value: str) -> None:
    if any(
        unicodedata.category(ch) in {"Cc", "Cf", "Co", "Cs"} and ch not in NAME_JOINERS
        for ch in value
    ):
        raise forms.ValidationError(gettext("The name contains characters that cannot be printed."))
    if not any(unicodedata.category(ch).startswith("L") for ch in value):
        raise forms.ValidationError(gettext("Enter the patient's name using letters."))


class PrintedTextField(forms.CharField):
    """Text printed on the handout as typed: composed (NFC), so an accent typed as a separate
    mark prints as the one letter the fonts have, and refused, naming the character, when no
    handout font can print it."""

    default_validators = [validate_printable]

    def to_python(self, value: Any) -> str:
        value = super().to_python(value)
        return unicodedata.normalize("NFC", value) if value else value


def therapy_field(key: str, part: str) -> str:
    """The builder's field name for one part of a therapy's row: "include", "times_per_week"
    or "weeks"."""
    return f"{key}-{part}"


def default_choices(snapshot: Snapshot, clinic: ClinicProfile, *, patient_name: str = "") -> dict:
    """The builder's defaults for a snapshot, as Handout field values: the article's rest
    guidance, every therapy at its default frequency, the tips and sections it selects by
    default, today's visit, the clinic's paper size, no follow-up or note."""
    rest = snapshot["rest_guidance"]
    return {
        "patient_name": patient_name,
        "record_number": "",
        "visit_date": timezone.localdate(),
        "rest_weeks": rest["default_weeks"],
        "crutches": rest["crutches_advised"],
        "weight_bearing": rest["weight_bearing"],
        "therapy_plan": [
            {"key": t["key"], "times_per_week": t["times_per_week"], "weeks": t["weeks"]}
            for t in snapshot["therapies"]
        ],
        "prevention_tip_keys": [
            t["key"] for t in snapshot["prevention_tips"] if t["selected_by_default"]
        ],
        "background_section_keys": [
            s["key"] for s in snapshot["sections"] if s.get("printed_by_default", True)
        ],
        "follow_up_date": None,
        "clinician_note": "",
        "note_language": "",
        "paper_size": clinic.default_paper_size,
        "large_print": False,
    }


class HandoutForm(forms.Form):
    """Built for one article snapshot: its therapies and prevention tips become fields."""

    issue_token = forms.UUIDField(widget=forms.HiddenInput)
    # The handout this one updates (handouts.reissue); the view checks it again on submit.
    replaces = forms.UUIDField(widget=forms.HiddenInput, required=False)
    patient_name = PrintedTextField(
        label=_("Patient's name, as it should be printed"),
        max_length=MAX_PATIENT_NAME_LENGTH,
        validators=[validate_printable_name],
        error_messages={"required": _("Enter the patient's name as it should be printed.")},
    )
    record_number = PrintedTextField(
        label=_("Record number"), max_length=MAX_RECORD_NUMBER_LENGTH, required=False
    )
    visit_date = forms.DateField(label=_("Visit date"), widget=NativeDateInput())
    rest_weeks = forms.IntegerField(
        label=_("Rest (weeks)"),
        min_value=MIN_REST_WEEKS,
        max_value=MAX_REST_WEEKS,
        # Error messages and help text: set in __init__, with the numbers.
    )
    weight_bearing = forms.ChoiceField(
        label=_("Weight on the injured part during rest"),
        choices=WeightBearing.choices,
        help_text=_("With 0 rest weeks, limits last until you tell the patient otherwise."),
    )
    crutches = forms.BooleanField(label=_("Crutches during rest"), required=False)
    prevention_tips = forms.MultipleChoiceField(
        label=_("Tips to print"), required=False, widget=forms.CheckboxSelectMultiple
    )
    background_sections = forms.MultipleChoiceField(
        label=_("General information to print"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Printed after the patient's plan, under “More to know”, with a line saying "
            "the plan comes first."
        ),
    )
    follow_up_date = forms.DateField(
        label=_("Follow-up visit"), required=False, widget=NativeDateInput()
    )
    clinician_note = PrintedTextField(
        label=_("A note from you (printed as written)"),
        required=False,
        max_length=MAX_NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        # Set in __init__: the number is formatted for the language of the request.
    )
    note_language = forms.ChoiceField(
        label=_("Language of your note"),
        choices=language_choices,
        required=False,
        help_text=_("Screen readers read the note in this language."),
    )
    paper_size = forms.ChoiceField(label=_("Paper size"), choices=PaperSize.choices)
    large_print = forms.BooleanField(label=_("Large print (16 pt text)"), required=False)

    def __init__(
        self, *args: Any, snapshot: Snapshot, clinic: ClinicProfile, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.snapshot = snapshot
        self.therapies = snapshot["therapies"]
        defaults = default_choices(snapshot, clinic)
        self.initial = {
            "issue_token": uuid.uuid4(),
            "visit_date": defaults["visit_date"],
            "rest_weeks": defaults["rest_weeks"],
            "crutches": defaults["crutches"],
            "weight_bearing": defaults["weight_bearing"],
            "prevention_tips": defaults["prevention_tip_keys"],
            "background_sections": defaults["background_section_keys"],
            "paper_size": defaults["paper_size"],
            # Clinicians most often write in the language they work in.
            "note_language": translation.get_language(),
            **self.initial,
        }
        self.fields["clinician_note"].help_text = ngettext(
            "Plain text, up to %(count)s character.",
            "Plain text, up to %(count)s characters.",
            MAX_NOTE_LENGTH,
        ) % {"count": number_format(MAX_NOTE_LENGTH, force_grouping=True)}
        self._state_rest_limits()
        self._state_date_limits()
        cast(forms.MultipleChoiceField, self.fields["prevention_tips"]).choices = [
            (tip["key"], tip["text"]) for tip in snapshot["prevention_tips"]
        ]
        cast(forms.MultipleChoiceField, self.fields["background_sections"]).choices = [
            (section["key"], section["heading"]) for section in snapshot["sections"]
        ]
        if not clinic.use_record_numbers:
            del self.fields["record_number"]
        for therapy in self.therapies:
            self._add_therapy_fields(therapy)
        self.helper = self._layout()

    def _state_rest_limits(self) -> None:
        limits = {"min": MIN_REST_WEEKS, "max": MAX_REST_WEEKS}
        rest = self.fields["rest_weeks"]
        out_of_range = gettext("Rest can be %(min)d to %(max)d weeks.") % limits
        rest.error_messages = {
            **rest.error_messages,
            "min_value": out_of_range,
            "max_value": out_of_range,
        }
        rest.help_text = (
            gettext(
                "%(min)d to %(max)d. The handout says to rest for that long, with no sport, "
                "running or heavy lifting, and prints the date rest ends. 0: no set period "
                "of rest."
            )
            % limits
        )

    def _state_date_limits(self) -> None:
        """The browser's date picker offers only accepted dates; the server checks them."""
        self.accepted_dates = accepted_dates()
        first, last = (day.isoformat() for day in self.accepted_dates)
        for name in ("visit_date", "follow_up_date"):
            self.fields[name].widget.attrs.update({"min": first, "max": last})

    def _within_accepted_dates(self, value: datetime.date | None) -> datetime.date | None:
        first, last = self.accepted_dates
        if value is not None and not first <= value <= last:
            raise forms.ValidationError(
                gettext("Enter a date from %(first)s to %(last)s.")
                % {"first": plain_date(first), "last": plain_date(last)},
                code="outside_accepted_dates",
            )
        return value

    def _add_therapy_fields(self, therapy: TherapySnapshot) -> None:
        key = therapy["key"]
        self.fields[therapy_field(key, "include")] = forms.BooleanField(
            label=therapy["name"],
            required=False,
            initial=True,
            help_text=therapy["instructions"],
        )
        self.fields[therapy_field(key, "times_per_week")] = forms.IntegerField(
            label=_("Times a week"),
            min_value=MIN_TIMES_PER_WEEK,
            max_value=MAX_TIMES_PER_WEEK,
            required=False,
            initial=therapy["times_per_week"],
        )
        self.fields[therapy_field(key, "weeks")] = forms.IntegerField(
            label=_("For how many weeks"),
            min_value=MIN_THERAPY_WEEKS,
            max_value=MAX_THERAPY_WEEKS,
            required=False,
            initial=therapy["weeks"],
        )

    def _layout(self) -> FormHelper:
        helper = FormHelper()
        helper.form_tag = False
        therapy_rows = [
            Row(
                Column(Field(therapy_field(t["key"], "include")), css_class="col-12 col-md-6"),
                Column(therapy_field(t["key"], "times_per_week"), css_class="col-6 col-md-3"),
                Column(therapy_field(t["key"], "weeks"), css_class="col-6 col-md-3"),
                css_class="border-bottom pt-2 mb-2",
            )
            for t in self.therapies
        ]
        patient = ["patient_name", "record_number", "visit_date"]
        warning_signs = gettext(
            "The warning signs from the article are always printed in a "
            "“When to get help” box, with the clinic's phone and emergency "
            "numbers."
        )
        helper.layout = Layout(
            "issue_token",
            "replaces",
            Fieldset(gettext("Patient"), *[name for name in patient if name in self.fields]),
            Fieldset(
                gettext("Rest"),
                Row(
                    Column("rest_weeks", css_class="col-sm-4"),
                    Column("weight_bearing", css_class="col-sm-8"),
                ),
                "crutches",
            ),
            Fieldset(gettext("Physiotherapy plan"), *therapy_rows) if therapy_rows else HTML(""),
            Fieldset(gettext("Prevention advice"), "prevention_tips"),
            HTML(f'<p class="form-text">{warning_signs}</p>'),
            Fieldset(
                gettext("Follow-up and note"), "follow_up_date", "clinician_note", "note_language"
            ),
            Fieldset(gettext("Background"), "background_sections"),
            Fieldset(
                gettext("Printing"),
                Row(
                    Column("paper_size", css_class="col-sm-4"),
                    Column("large_print", css_class="col-sm-8 pt-sm-4"),
                ),
            ),
        )
        return helper

    def clean_patient_name(self) -> str:
        return " ".join(self.cleaned_data["patient_name"].split())

    def clean_visit_date(self) -> datetime.date | None:
        return self._within_accepted_dates(self.cleaned_data["visit_date"])

    def clean_follow_up_date(self) -> datetime.date | None:
        return self._within_accepted_dates(self.cleaned_data["follow_up_date"])

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        visit, follow_up = cleaned.get("visit_date"), cleaned.get("follow_up_date")
        if visit and follow_up and follow_up < visit:
            self.add_error(
                "follow_up_date", gettext("The follow-up cannot be before the visit date.")
            )
        for therapy in self.therapies:
            key = therapy["key"]
            if not cleaned.get(therapy_field(key, "include")):
                continue
            missing = [
                ("times_per_week", gettext("Say how often, or untick %(therapy)s.")),
                ("weeks", gettext("Say for how long, or untick %(therapy)s.")),
            ]
            for part, message in missing:
                name = therapy_field(key, part)
                if cleaned.get(name) is None and name not in self.errors:
                    self.add_error(name, message % {"therapy": therapy["name"]})
        return cleaned

    def handout_choices(self) -> dict:
        """The validated choices, as Handout field values."""
        data = self.cleaned_data
        return {
            "patient_name": data["patient_name"],
            "record_number": data.get("record_number", ""),
            "visit_date": data["visit_date"],
            "rest_weeks": data["rest_weeks"],
            "crutches": data["crutches"],
            "weight_bearing": data["weight_bearing"],
            "therapy_plan": [
                {
                    "key": t["key"],
                    "times_per_week": data[therapy_field(t["key"], "times_per_week")],
                    "weeks": data[therapy_field(t["key"], "weeks")],
                }
                for t in self.therapies
                if data.get(therapy_field(t["key"], "include"))
            ],
            "prevention_tip_keys": list(data["prevention_tips"]),
            "background_section_keys": list(data["background_sections"]),
            "follow_up_date": data.get("follow_up_date"),
            "clinician_note": data["clinician_note"].strip(),
            "note_language": data["note_language"],
            "paper_size": data["paper_size"],
            "large_print": data["large_print"],
        }


class HandoutFilterForm(forms.Form):
    # Typed, not picked from a list: a clinic's library has thousands of conditions, and
    # clinicians think of the condition, not of which version or language they printed.
    condition = forms.CharField(
        label=_("Condition"),
        required=False,
        max_length=200,
        help_text=_("Name, synonym or code."),
    )
    issued_from = forms.DateField(label=_("Issued from"), required=False, widget=NativeDateInput())
    issued_to = forms.DateField(label=_("Issued to"), required=False, widget=NativeDateInput())
    patient = forms.CharField(
        label=_("Patient name"), required=False, max_length=MAX_PATIENT_NAME_LENGTH
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Row(
                Column("patient", css_class="col-12 col-md-3"),
                Column("condition", css_class="col-12 col-md-3"),
                Column("issued_from", css_class="col-6 col-md-3"),
                Column("issued_to", css_class="col-6 col-md-3"),
            )
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        start, end = cleaned.get("issued_from"), cleaned.get("issued_to")
        if start and end and end < start:
            self.add_error("issued_to", gettext("The end date is before the start date."))
        return cleaned


class ChangedHandoutFilterForm(forms.Form):
    mine = forms.BooleanField(label=_("Only handouts I issued"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class ShareLinkForm(forms.Form):
    days = forms.IntegerField(
        label=_("Link works for (days)"),
        min_value=MIN_EXPIRY_DAYS,
        max_value=MAX_EXPIRY_DAYS,
        initial=DEFAULT_EXPIRY_DAYS,  # help_text: set in __init__, with the number
    )
    email = forms.EmailField(
        label=_("Patient's email (optional)"),
        required=False,
        help_text=_("Only the link is sent: no name, condition or code. The address is not kept."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["days"].help_text = ngettext(
            "%(min)d to %(max)d day.", "%(min)d to %(max)d days.", MAX_EXPIRY_DAYS
        ) % {"min": MIN_EXPIRY_DAYS, "max": MAX_EXPIRY_DAYS}
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Row(Column("days", css_class="col-sm-4"), Column("email", css_class="col-sm-8"))
        )


class AccessSlipForm(forms.Form):
    """The link and code, posted back from the page that showed them once, to print the slip.
    The server keeps neither, so only the person who saw them can print it."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    code = forms.CharField(widget=forms.HiddenInput, max_length=16)
