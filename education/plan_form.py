"""The article admin's "Patient's plan": an editor's form for the plan blocks a version offers.

It reads and writes a PlanOffer (education.plan_blocks), never the stored JSON: the offer's
own checks (PlanOffer.from_json) judge what is typed, and each error is shown next to the
field it names. Every field starts with "plan_", beside the article's own fields.
"""

import re
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from education.plan_blocks import (
    MAX_AID_WEEKS,
    MAX_PHYSIO_START_DAYS,
    MAX_REST_WEEKS,
    MAX_SELF_CARE_DAYS,
    MAX_SELF_CARE_MINUTES,
    MAX_TIMES_PER_DAY,
    MIN_AID_WEEKS,
    Activity,
    ActivityOffer,
    Aid,
    AidOffer,
    ArmLoad,
    BackToActivity,
    BackToOffer,
    BackToWhen,
    LegLoad,
    Limb,
    LoadOffer,
    PhysioStart,
    PhysiotherapyOffer,
    PlanError,
    PlanOffer,
    SelfCare,
    SelfCareOffer,
    Site,
    SiteOffer,
    choices_of,
    label,
)

# What an aid or a self-care kind starts at when an editor first offers it.
NEW_AID_WEEKS = 4
NEW_SELF_CARE = {"times": 3, "minutes": 15, "days": 3}


def _number(low: int, high: int, field_label: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=field_label,
        min_value=low,
        max_value=high,
        required=False,
        widget=forms.NumberInput(attrs={"class": "plan-number"}),
    )


def _ticks(choices: list[tuple[str, Any]], field_label: Any) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=field_label,
        choices=choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "plan-ticks"}),
    )


def _choice(choices: list[tuple[str, Any]], field_label: Any) -> forms.ChoiceField:
    return forms.ChoiceField(label=field_label, choices=choices, required=False)


def _tick(field_label: Any) -> forms.BooleanField:
    return forms.BooleanField(label=field_label, required=False)


NOT_OFFERED = [("", _("Not offered"))]


def plan_fields() -> dict[str, forms.Field]:
    """The form's fields, in the order the admin shows them (plan_fieldset)."""
    fields: dict[str, forms.Field] = {
        "plan_site": _tick(_("Offer a site")),
        "plan_site_sided": _tick(_("Left or right")),
        "plan_site_default": _choice(choices_of(Site), _("Default site")),
        "plan_site_sites": _ticks(choices_of(Site), _("Sites")),
        "plan_activity": _ticks(choices_of(Activity), _("Activities offered")),
        "plan_activity_default": _choice(choices_of(Activity), _("Default activity")),
        "plan_activity_rest_weeks": _number(0, MAX_REST_WEEKS, _("Default rest (weeks)")),
        "plan_load": _choice(NOT_OFFERED + choices_of(Limb), _("Load")),
        "plan_load_leg": _choice(choices_of(LegLoad), _("Default for a leg")),
        "plan_load_arm": _choice(choices_of(ArmLoad), _("Default for an arm")),
    }
    for aid in Aid:
        fields[f"plan_aid_{aid}"] = _tick(label(aid))
        fields[f"plan_aid_{aid}_weeks"] = _number(MIN_AID_WEEKS, MAX_AID_WEEKS, _("weeks"))
        fields[f"plan_aid_{aid}_selected"] = _tick(_("selected by default"))
    for care in SelfCare:
        fields[f"plan_care_{care}"] = _tick(label(care))
        fields[f"plan_care_{care}_times"] = _number(1, MAX_TIMES_PER_DAY, _("times a day"))
        fields[f"plan_care_{care}_minutes"] = _number(1, MAX_SELF_CARE_MINUTES, _("minutes"))
        fields[f"plan_care_{care}_days"] = _number(1, MAX_SELF_CARE_DAYS, _("days"))
        fields[f"plan_care_{care}_selected"] = _tick(_("selected by default"))
    fields["plan_physio"] = _choice(
        NOT_OFFERED + choices_of(PhysioStart), _("Physiotherapy starts")
    )
    fields["plan_physio_days"] = _number(0, MAX_PHYSIO_START_DAYS, _("Days after the visit"))
    fields["plan_back_to"] = _ticks(choices_of(BackToActivity), _("Back to"))
    fields["plan_back_to_default"] = _choice(choices_of(BackToWhen), _("Default"))
    return fields


def plan_fieldset() -> list[str | tuple[str, ...]]:
    """The admin's rows: one block, or one aid or self-care kind, a row."""
    return [
        ("plan_site", "plan_site_sided", "plan_site_default"),
        "plan_site_sites",
        ("plan_activity", "plan_activity_default", "plan_activity_rest_weeks"),
        ("plan_load", "plan_load_leg", "plan_load_arm"),
        *((f"plan_aid_{a}", f"plan_aid_{a}_weeks", f"plan_aid_{a}_selected") for a in Aid),
        *(
            tuple(f"plan_care_{c}{end}" for end in ("", "_times", "_minutes", "_days", "_selected"))
            for c in SelfCare
        ),
        ("plan_physio", "plan_physio_days"),
        ("plan_back_to", "plan_back_to_default"),
    ]


def initial_from(offer: PlanOffer) -> dict[str, Any]:
    """The form's values for `offer`; blocks it lacks start unticked, at sensible numbers."""
    site, activity, load = offer.site, offer.activity, offer.load
    initial: dict[str, Any] = {
        "plan_site": site is not None,
        "plan_site_sided": site.sided if site else True,
        "plan_site_default": site.default if site else "",
        "plan_site_sites": list(site.sites) if site else [],
        "plan_activity": list(activity.offered) if activity else [],
        "plan_activity_default": activity.default if activity else "",
        "plan_activity_rest_weeks": activity.rest_weeks if activity else 0,
        "plan_load": load.limb if load else "",
        "plan_load_leg": load.default if load and load.limb == Limb.LEG else LegLoad.FULL,
        "plan_load_arm": load.default if load and load.limb == Limb.ARM else ArmLoad.FULL,
        "plan_physio": offer.physiotherapy.start if offer.physiotherapy else "",
        "plan_physio_days": offer.physiotherapy.start_after_days if offer.physiotherapy else 0,
        "plan_back_to": list(offer.back_to.activities) if offer.back_to else [],
        "plan_back_to_default": offer.back_to.default if offer.back_to else BackToWhen.STEP,
    }
    aids = {a.kind: a for a in offer.aids}
    for kind in Aid:
        aid = aids.get(kind)
        initial[f"plan_aid_{kind}"] = aid is not None
        initial[f"plan_aid_{kind}_weeks"] = aid.weeks if aid else NEW_AID_WEEKS
        initial[f"plan_aid_{kind}_selected"] = aid.selected if aid else False
    cares = {c.kind: c for c in offer.self_care}
    for care_kind in SelfCare:
        care = cares.get(care_kind)
        name = f"plan_care_{care_kind}"
        initial[name] = care is not None
        initial[f"{name}_times"] = care.times_per_day if care else NEW_SELF_CARE["times"]
        initial[f"{name}_minutes"] = care.minutes if care else NEW_SELF_CARE["minutes"]
        initial[f"{name}_days"] = care.days if care else NEW_SELF_CARE["days"]
        initial[f"{name}_selected"] = care.selected if care else False
    return initial


class MissingValue(Exception):
    """A value an offered block needs was left empty."""

    def __init__(self, field: str) -> None:
        self.field = field


def offer_from(data: dict[str, Any]) -> PlanOffer:
    """The offer a valid form's cleaned data describes, unchecked (check it with checked())."""

    def needed(name: str) -> Any:
        value = data.get(name)
        if value in (None, ""):
            raise MissingValue(name)
        return value

    site = None
    if data.get("plan_site"):
        sites = tuple(Site(s) for s in data.get("plan_site_sites") or [])
        site = SiteOffer(sites, Site(needed("plan_site_default")), bool(data["plan_site_sided"]))
    activity = None
    if data.get("plan_activity"):
        activity = ActivityOffer(
            tuple(Activity(a) for a in data["plan_activity"]),
            Activity(needed("plan_activity_default")),
            data.get("plan_activity_rest_weeks") or 0,
        )
    load = None
    if data.get("plan_load"):
        limb = Limb(data["plan_load"])
        default = (
            LegLoad(needed("plan_load_leg"))
            if limb == Limb.LEG
            else ArmLoad(needed("plan_load_arm"))
        )
        load = LoadOffer(limb, default)
    aids = tuple(
        AidOffer(kind, needed(f"plan_aid_{kind}_weeks"), bool(data[f"plan_aid_{kind}_selected"]))
        for kind in Aid
        if data.get(f"plan_aid_{kind}")
    )
    self_care = tuple(
        SelfCareOffer(
            kind,
            needed(f"plan_care_{kind}_times"),
            needed(f"plan_care_{kind}_minutes"),
            needed(f"plan_care_{kind}_days"),
            bool(data[f"plan_care_{kind}_selected"]),
        )
        for kind in SelfCare
        if data.get(f"plan_care_{kind}")
    )
    physiotherapy = None
    if data.get("plan_physio"):
        start = PhysioStart(data["plan_physio"])
        days = needed("plan_physio_days") if start == PhysioStart.AT_VISIT else 0
        physiotherapy = PhysiotherapyOffer(start, days)
    back_to = None
    if data.get("plan_back_to"):
        back_to = BackToOffer(
            tuple(BackToActivity(a) for a in data["plan_back_to"]),
            BackToWhen(needed("plan_back_to_default")),
        )
    return PlanOffer(site, activity, load, aids, self_care, physiotherapy, back_to)


def checked(offer: PlanOffer) -> PlanOffer:
    """The offer as PlanOffer reads it back: every one of its checks run (PlanError)."""
    return PlanOffer.from_json(offer.to_json())


# The field each part of an offer is typed in, by its path in the offer ("site.default").
FIELD_OF_PATH = {
    "site": "plan_site",
    "site.sites": "plan_site_sites",
    "site.default": "plan_site_default",
    "activity": "plan_activity",
    "activity.default": "plan_activity_default",
    "activity.rest_weeks": "plan_activity_rest_weeks",
    "load": "plan_load",
    "physiotherapy": "plan_physio",
    "physiotherapy.start_after_days": "plan_physio_days",
    "back_to": "plan_back_to",
    "back_to.default": "plan_back_to_default",
}
LIST_ITEM = re.compile(r"^(aids|self_care)\[(\d+)\]\.?(\w*)")
ITEM_FIELD_ENDS = {
    "weeks": "_weeks",
    "times_per_day": "_times",
    "minutes": "_minutes",
    "days": "_days",
}


def field_of(error: PlanError, offer: PlanOffer) -> str | None:
    """The form field an offer's error names ("plan.aids[0].kind" -> "plan_aid_crutches"), or
    None for the form as a whole."""
    path = error.path.removeprefix("plan").lstrip(".")
    item = LIST_ITEM.match(path)
    if item:
        name, index, field = item.groups()
        if name == "aids":
            return f"plan_aid_{offer.aids[int(index)].kind}" + ITEM_FIELD_ENDS.get(field, "")
        return f"plan_care_{offer.self_care[int(index)].kind}" + ITEM_FIELD_ENDS.get(field, "")
    parts = re.sub(r"\[\d+\]", "", path).split(".")
    for length in range(len(parts), 0, -1):
        field = FIELD_OF_PATH.get(".".join(parts[:length]))
        if field:
            return field
    return None


class PlanOfferForm(forms.Form):
    """The plan fields, for a form of their own or mixed into an article's ModelForm (then
    the offer typed is set on its instance's plan, which Article.clean() checks again)."""

    locals().update(plan_fields())

    # A model field this form edits without a form field of that name.
    edits_model_fields = frozenset({"plan"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        try:
            offer = instance.plan_offer() if instance is not None else PlanOffer()
        except PlanError:
            offer = PlanOffer()  # a stored plan that does not fit: the editor starts over
        for name, value in initial_from(offer).items():
            self.initial.setdefault(name, value)
        self.offer: PlanOffer | None = None

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        if any(name in self.errors for name in plan_fields()):
            return cleaned
        try:
            offer = offer_from(self.cleaned_data)
        except MissingValue as missing:
            self.add_error(missing.field, gettext("Give a value for what is offered."))
            return cleaned
        try:
            self.offer = checked(offer)
        except PlanError as error:
            self.add_error(field_of(error, offer), error.message)
            return cleaned
        if instance := getattr(self, "instance", None):
            instance.plan = self.offer.to_json()
        return cleaned
