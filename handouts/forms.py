"""The handout builder: a clinician's personal choices for one patient."""

import datetime
import unicodedata
import uuid
from dataclasses import replace
from typing import Any, cast

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Layout, LayoutObject, Row
from django import forms
from django.forms.utils import ErrorDict
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from education.models import (
    MAX_THERAPY_WEEKS,
    MAX_TIMES_PER_WEEK,
    MIN_THERAPY_WEEKS,
    MIN_TIMES_PER_WEEK,
)
from education.plan_blocks import (
    MAX_AID_WEEKS,
    MAX_REST_WEEKS,
    MAX_SELF_CARE_DAYS,
    MAX_SELF_CARE_MINUTES,
    MAX_TIMES_PER_DAY,
    MIN_AID_WEEKS,
    Activity,
    AidChoice,
    BackToChoice,
    BackToWhen,
    Limb,
    PlanChoices,
    PlanOffer,
    SelfCareChoice,
    SelfCareOffer,
    Side,
    Site,
    choices_from_rest_columns,
    choices_of,
    label,
)
from education.snapshot import Snapshot, TherapySnapshot, plan_offer_of
from handouts.models import (
    CONDITION_CHOICES,
    MAX_NOTE_LENGTH,
    MAX_PATIENT_NAME_LENGTH,
    MAX_RECORD_NUMBER_LENGTH,
)
from handouts.pdf.fonts import validate_printable
from handouts.sharing import DEFAULT_EXPIRY_DAYS, MAX_EXPIRY_DAYS, MIN_EXPIRY_DAYS
from portal.dates import plain_date
from portal.form_renderer import FAST_WIDGETS
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


def rest_plan(
    snapshot: Snapshot,
    visit_date: datetime.date,
    *,
    rest_weeks: int,
    weight_bearing: str,
    crutches: bool,
) -> dict:
    """The plan (PlanChoices JSON) of the builder's rest fields: weeks of rest, weight on the
    leg, crutches during rest, with physiotherapy from the day rest ends."""
    return choices_from_rest_columns(
        rest_weeks, weight_bearing, crutches, bool(snapshot["therapies"]), visit_date
    ).to_json()


def default_choices(snapshot: Snapshot, clinic: ClinicProfile, *, patient_name: str = "") -> dict:
    """The builder's defaults for a snapshot, as Handout field values: the plan blocks the
    article offers at their defaults, every therapy at its default frequency, the tips and
    sections it selects by default, today's visit, the clinic's paper size, no follow-up or
    note."""
    visit_date = timezone.localdate()
    return {
        "patient_name": patient_name,
        "record_number": "",
        "visit_date": visit_date,
        "plan": PlanChoices.defaults(plan_offer_of(snapshot), visit_date).to_json(),
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


# --- The plan's blocks ------------------------------------------------------------------------
# One fieldset per block the article offers, named after the PlanChoices fields; a block it does
# not offer has no field. Each block is rendered through one cached template (PlanBlock).


def aid_field(kind: str, part: str = "") -> str:
    """The builder's field for an aid: "aid-brace" (chosen) and "aid-brace-weeks"."""
    return f"aid-{kind}-{part}" if part else f"aid-{kind}"


def care_field(kind: str, part: str = "") -> str:
    """The builder's field for self-care: "care-cold" and "care-cold-minutes" and so on."""
    return f"care-{kind}-{part}" if part else f"care-{kind}"


CARE_PARTS = (
    ("times_per_day", _("Times a day"), MAX_TIMES_PER_DAY),
    ("minutes", _("Minutes each time"), MAX_SELF_CARE_MINUTES),
    ("days", _("For how many days"), MAX_SELF_CARE_DAYS),
)


def plan_initial(offer: PlanOffer, choices: PlanChoices) -> dict[str, Any]:
    """The builder's initial values for a plan within `offer`: the inverse of plan_choices."""
    initial: dict[str, Any] = {
        "site": choices.site or "",
        "side": choices.side or "",
        "activity": choices.activity or "",
        "rest_weeks": choices.rest_weeks or (offer.activity.rest_weeks if offer.activity else 0),
        "load": choices.load or "",
        "physio_start": choices.physio_start,
        "back_to": choices.back_to.when if choices.back_to else "",
        "back_to_date": choices.back_to.date if choices.back_to else None,
    }
    aids = {aid.kind: aid for aid in choices.aids}
    for aid in offer.aids:
        chosen = aids.get(aid.kind)
        initial[aid_field(aid.kind)] = chosen is not None
        initial[aid_field(aid.kind, "weeks")] = chosen.weeks if chosen else aid.weeks
    cares = {care.kind: care for care in choices.self_care}
    for offered in offer.self_care:
        care: SelfCareChoice | SelfCareOffer = cares.get(offered.kind) or offered
        initial[care_field(offered.kind)] = offered.kind in cares
        for part, _label, _most in CARE_PARTS:
            initial[care_field(offered.kind, part)] = getattr(care, part)
    return initial


WIDGET_CLASSES = {
    "CheckboxInput": "form-check-input",
    "RadioSelect": "form-check-input",
    "CheckboxSelectMultiple": "form-check-input",
    "Select": "form-select",
}


# The builder's personal fields outside the plan: rendered by PlanBlock like the plan's, and
# carried over as they are when a handout is updated (handouts.reissue).
PERSONAL_FIELDS = (
    "patient_name",
    "record_number",
    "visit_date",
    "follow_up_date",
    "clinician_note",
    "note_language",
    "paper_size",
    "large_print",
)


def style_for_plan_block(field: forms.Field) -> None:
    """Bootstrap's class on the widget: PlanBlock's template renders widgets as they are."""
    widget = field.widget
    widget.attrs["class"] = WIDGET_CLASSES.get(type(widget).__name__, "form-control")


class PlanBlock(LayoutObject):
    """One block of the builder's fields, rendered through one template (cached by Django's
    template loader) rather than one crispy template per field: the builder is a hot page.
    Its widgets are drawn by the form's FastWidgetRenderer; Django adds their aria attributes
    (help text and error ids, aria-invalid)."""

    template = "handouts/includes/plan_block.html"

    def __init__(self, legend: str, rows: list[list[str]], help_text: str = "") -> None:
        self.legend, self.rows, self.help_text = legend, rows, help_text
        self.fields = [name for row in rows for name in row]

    def render(self, form: forms.BaseForm, context: Any, **kwargs: Any) -> SafeString:
        rows = [[self.cell(form[name]) for name in row if name in form.fields] for row in self.rows]
        return render_to_string(
            self.template,
            {"legend": self.legend, "rows": [row for row in rows if row], "help": self.help_text},
        )

    @staticmethod
    def cell(field: forms.BoundField) -> dict[str, Any]:
        """What the template shows of a field, each read once (template lookups are slow)."""
        errors = field.errors
        if errors:  # Bootstrap's red outline, as crispy's field templates add it
            attrs = field.field.widget.attrs
            attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
        kind = field.widget_type
        return {
            "field": field,
            "id": field.auto_id,
            "label": field.label,
            "help": field.help_text,
            "errors": errors,
            "checkbox": kind == "checkbox",
            # Radio buttons and checkbox lists: a labelled group, described as a whole.
            "group": ("radiogroup" if kind == "radioselect" else "group")
            if field.use_fieldset
            else "",
            "described_by": field.aria_describedby if field.use_fieldset else "",
        }


class HandoutForm(forms.Form):
    """Built for one article snapshot: its therapies and prevention tips become fields."""

    default_renderer = FAST_WIDGETS

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
        self.offer = plan_offer_of(snapshot)
        defaults = default_choices(snapshot, clinic)
        self.initial = {
            "issue_token": uuid.uuid4(),
            "visit_date": defaults["visit_date"],
            **plan_initial(self.offer, PlanChoices.from_json(defaults["plan"])),
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
        self._add_plan_fields()
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
        for name in (*PERSONAL_FIELDS, "prevention_tips", "background_sections"):
            if name in self.fields:
                style_for_plan_block(self.fields[name])
        self.helper = self._layout()

    def _state_rest_limits(self) -> None:
        limits = {"min": 1, "max": MAX_REST_WEEKS}
        rest = self.fields["rest_weeks"]
        out_of_range = gettext("Rest can be %(min)d to %(max)d weeks.") % limits
        rest.error_messages = {
            **rest.error_messages,
            "min_value": out_of_range,
            "max_value": out_of_range,
        }
        rest.help_text = (
            gettext(
                "%(min)d to %(max)d, with rest. The handout says to rest for that long, with no "
                "sport, running or heavy lifting, and prints the date rest ends."
            )
            % limits
        )

    def _state_date_limits(self) -> None:
        """The browser's date picker offers only accepted dates; the server checks them."""
        self.accepted_dates = accepted_dates()
        first, last = (day.isoformat() for day in self.accepted_dates)
        for name in ("visit_date", "follow_up_date", "physio_start", "back_to_date"):
            if name in self.fields:
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
        """A therapy's row, rendered by PlanBlock with the plan's blocks."""
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
        for part in ("include", "times_per_week", "weeks"):
            style_for_plan_block(self.fields[therapy_field(key, part)])

    def _layout(self) -> FormHelper:
        helper = FormHelper()
        helper.form_tag = False
        therapy_rows = [
            [therapy_field(t["key"], part) for part in ("include", "times_per_week", "weeks")]
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
            PlanBlock(gettext("Patient"), [[name] for name in patient]),
            *self._plan_blocks(),
            PlanBlock(gettext("Physiotherapy plan"), [["physio_start"], *therapy_rows])
            if therapy_rows
            else HTML(""),
            PlanBlock(gettext("Prevention advice"), [["prevention_tips"]]),
            HTML(f'<p class="form-text">{warning_signs}</p>'),
            PlanBlock(
                gettext("Follow-up and note"),
                [["follow_up_date"], ["clinician_note"], ["note_language"]],
            ),
            PlanBlock(gettext("Background"), [["background_sections"]]),
            PlanBlock(gettext("Printing"), [["paper_size", "large_print"]]),
        )
        return helper

    def show_without_checking(self) -> None:
        """Show what was posted without checking it (no errors): the builder re-shown after a
        condition was added to or removed from the packet, before the clinician is done."""
        self._errors = ErrorDict()
        self.cleaned_data = {}

    def cleaned_visit_date(self) -> datetime.date | None:
        """The visit's date, as cleaned (None when it is missing or wrong)."""
        value: datetime.date | None = self.cleaned_data.get("visit_date")
        return value

    def clean_patient_name(self) -> str:
        return " ".join(self.cleaned_data["patient_name"].split())

    def clean_visit_date(self) -> datetime.date | None:
        return self._within_accepted_dates(self.cleaned_data["visit_date"])

    def clean_follow_up_date(self) -> datetime.date | None:
        return self._within_accepted_dates(self.cleaned_data["follow_up_date"])

    def clean_physio_start(self) -> datetime.date | None:
        return self._within_accepted_dates(self.cleaned_data["physio_start"])

    def clean_back_to_date(self) -> datetime.date | None:
        return self._within_accepted_dates(self.cleaned_data["back_to_date"])

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        visit, follow_up = self.cleaned_visit_date(), cleaned.get("follow_up_date")
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
        self._clean_plan()
        return cleaned

    def _add_plan_fields(self) -> None:
        """A field per choice of each block the article offers, starting at its defaults."""
        offer, fields = self.offer, self.fields
        before = set(fields)
        if offer.site:
            # Blank names no site ("the injured part"), as every handout before sites did.
            fields["site"] = forms.ChoiceField(
                label=_("Where"),
                choices=[("", _("Not said")), *choices_of(Site, offer.site.sites)],
                required=False,
            )
            if offer.site.sided:
                fields["side"] = forms.ChoiceField(
                    label=_("Side"),
                    choices=[("", _("Not said")), *choices_of(Side)],
                    required=False,
                    help_text=_("Left blank, the handout names the place without a side."),
                )
        if offer.activity:
            fields["activity"] = forms.ChoiceField(
                label=_("Activity"),
                choices=choices_of(Activity, offer.activity.offered),
                widget=forms.RadioSelect,
            )
            if Activity.REST in offer.activity.offered:
                # 0 or blank is no rest period: clean() asks for weeks only when rest is chosen.
                fields["rest_weeks"] = forms.IntegerField(
                    label=_("Rest (weeks)"),
                    min_value=0,
                    max_value=MAX_REST_WEEKS,
                    required=False,
                )
                self._state_rest_limits()
        if offer.load:
            fields["load"] = forms.ChoiceField(
                label=_("Weight on the leg")
                if offer.load.limb == Limb.LEG
                else _("Use of the arm"),
                choices=choices_of(offer.load.choices),
                help_text=_("With rest, this holds until rest ends; without, until you say."),
            )
        for aid in offer.aids:
            fields[aid_field(aid.kind)] = forms.BooleanField(label=label(aid.kind), required=False)
            fields[aid_field(aid.kind, "weeks")] = forms.IntegerField(
                label=_("For how many weeks"),
                min_value=MIN_AID_WEEKS,
                max_value=MAX_AID_WEEKS,
                required=False,
                help_text=_("Blank: until the care team says."),
            )
        for care in offer.self_care:
            fields[care_field(care.kind)] = forms.BooleanField(
                label=label(care.kind), required=False
            )
            for part, part_label, most in CARE_PARTS:
                fields[care_field(care.kind, part)] = forms.IntegerField(
                    label=part_label, min_value=1, max_value=most, required=False
                )
        if offer.physiotherapy and self.therapies:
            fields["physio_start"] = forms.DateField(
                label=_("Physiotherapy starts on"),
                required=False,
                widget=NativeDateInput(),
                help_text=_("Blank: as the article suggests."),
            )
        if offer.back_to:
            fields["back_to"] = forms.ChoiceField(
                label=_("Back to work, school or sport"),
                choices=[("", _("Leave out")), *choices_of(BackToWhen)],
                required=False,
            )
            fields["back_to_date"] = forms.DateField(
                label=_("On"), required=False, widget=NativeDateInput()
            )
        for name in set(fields) - before:
            style_for_plan_block(fields[name])

    def _plan_blocks(self) -> list[LayoutObject]:
        offer = self.offer
        blocks: list[LayoutObject] = []
        if offer.site:
            blocks.append(PlanBlock(gettext("Where"), [["site", "side"]]))
        if offer.activity or offer.load:
            blocks.append(PlanBlock(gettext("Activity"), [["activity"], ["rest_weeks", "load"]]))
        if offer.aids:
            blocks.append(
                PlanBlock(
                    gettext("Aids"),
                    [[aid_field(a.kind), aid_field(a.kind, "weeks")] for a in offer.aids],
                )
            )
        if offer.self_care:
            blocks.append(
                PlanBlock(
                    gettext("Care at home"),
                    [
                        [care_field(c.kind)]
                        + [care_field(c.kind, part) for part, _label, _most in CARE_PARTS]
                        for c in offer.self_care
                    ],
                )
            )
        if offer.back_to:
            blocks.append(PlanBlock(gettext("Back to activities"), [["back_to", "back_to_date"]]))
        return blocks

    def plan_choices(self) -> PlanChoices:
        """The plan the cleaned fields describe (check it with .problems(self.offer))."""
        data, offer = self.cleaned_data, self.offer
        activity = Activity(data["activity"]) if data.get("activity") else None
        load_kind = offer.load.choices if offer.load else None
        back_to = None
        if data.get("back_to"):
            back_to = BackToChoice(BackToWhen(data["back_to"]), data.get("back_to_date"))
        visit = self.cleaned_visit_date() or timezone.localdate()
        choices = PlanChoices(
            site=Site(data["site"]) if data.get("site") else None,
            side=Side(data["side"]) if data.get("side") else None,
            activity=activity,
            rest_weeks=(data.get("rest_weeks") or 0) if activity == Activity.REST else 0,
            load=load_kind(data["load"]) if load_kind and data.get("load") else None,
            aids=tuple(
                AidChoice(aid.kind, data.get(aid_field(aid.kind, "weeks")))
                for aid in offer.aids
                if data.get(aid_field(aid.kind))
            ),
            self_care=tuple(
                SelfCareChoice(
                    care.kind,
                    *(data.get(care_field(care.kind, part)) or 0 for part, _l, _m in CARE_PARTS),
                )
                for care in offer.self_care
                if data.get(care_field(care.kind))
            ),
            back_to=back_to,
        )
        physio = data.get("physio_start") if self.chosen_therapy_keys() else None
        return replace(choices, physio_start=physio or choices.default_physio_start(offer, visit))

    def chosen_therapy_keys(self) -> list[str]:
        return [
            t["key"]
            for t in self.therapies
            if self.cleaned_data.get(therapy_field(t["key"], "include"))
        ]

    def _clean_plan(self) -> None:
        """Each missing or out-of-offer choice, on its own field."""
        data = self.cleaned_data
        resting = data.get("activity") == Activity.REST
        if resting and not data.get("rest_weeks") and "rest_weeks" not in self.errors:
            self.add_error(
                "rest_weeks",
                self.fields["rest_weeks"].error_messages["min_value"]
                if data.get("rest_weeks") == 0
                else gettext("Say for how many weeks, or choose another activity."),
            )
        for care in self.offer.self_care:
            if not data.get(care_field(care.kind)):
                continue
            for part, _label, _most in CARE_PARTS:
                name = care_field(care.kind, part)
                if data.get(name) is None and name not in self.errors:
                    self.add_error(
                        name,
                        gettext("Fill this in, or untick %(care)s.") % {"care": label(care.kind)},
                    )
        on_a_date = data.get("back_to") == BackToWhen.DATE
        if on_a_date and not data.get("back_to_date") and "back_to_date" not in self.errors:
            self.add_error(
                "back_to_date", gettext("Give the date, or choose “When the care team says”.")
            )
        visit, physio = self.cleaned_visit_date(), data.get("physio_start")
        if visit and physio and physio < visit:
            self.add_error("physio_start", gettext("Physiotherapy cannot start before the visit."))

    def handout_choices(self) -> dict:
        """The validated choices, as Handout field values."""
        data = self.cleaned_data
        return {
            "patient_name": data.get("patient_name", ""),
            "record_number": data.get("record_number", ""),
            "visit_date": self.cleaned_visit_date(),
            "plan": self.plan_choices().to_json(),
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
            "clinician_note": data.get("clinician_note", "").strip(),
            "note_language": data.get("note_language", ""),
            "paper_size": data.get("paper_size", ""),
            "large_print": data.get("large_print", False),
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


# The fields of the visit, which a packet's added conditions (ConditionForm) do not repeat.
VISIT_FIELDS = (
    "issue_token",
    "replaces",
    "patient_name",
    "record_number",
    "visit_date",
    "clinician_note",
    "note_language",
    "paper_size",
    "large_print",
)


def condition_prefix(slug: str) -> str:
    """The prefix of an added condition's fields: its slug, so that removing one condition
    leaves what was typed for the others where it was."""
    return f"c-{slug}"


class ConditionForm(HandoutForm):
    """A condition added to a visit's packet: its plan blocks, therapies, tips, background and
    follow-up, under its own prefix (condition_prefix). The visit's fields are HandoutForm's,
    on the packet's first condition; the visit's date comes from there (`visit`)."""

    def __init__(self, *args: Any, visit: HandoutForm, **kwargs: Any) -> None:
        self.visit = visit
        super().__init__(*args, **kwargs)
        for name in VISIT_FIELDS:
            self.fields.pop(name, None)
        self.helper = self._layout()

    def cleaned_visit_date(self) -> datetime.date | None:
        if not self.visit.is_bound:
            return None
        value: datetime.date | None = self.visit.cleaned_data.get("visit_date")
        return value

    def _layout(self) -> FormHelper:
        helper = FormHelper()
        helper.form_tag = False
        therapy_rows = [
            [therapy_field(t["key"], part) for part in ("include", "times_per_week", "weeks")]
            for t in self.therapies
        ]
        helper.layout = Layout(
            *self._plan_blocks(),
            PlanBlock(gettext("Physiotherapy plan"), [["physio_start"], *therapy_rows])
            if therapy_rows
            else HTML(""),
            PlanBlock(gettext("Prevention advice"), [["prevention_tips"]]),
            PlanBlock(gettext("Follow-up"), [["follow_up_date"]]),
            PlanBlock(gettext("Background"), [["background_sections"]]),
        )
        return helper

    def condition_choices(self) -> dict:
        """The validated choices of this condition, as HandoutCondition field values."""
        choices = self.handout_choices()
        return {name: choices[name] for name in CONDITION_CHOICES}
