"""The blocks of a patient's plan: what an article version offers, and what a clinician chose.

An article offers only the blocks that fit its condition (a back has no weight-bearing, an
elbow no crutches), each with typed defaults; a clinician's choices stay inside that offer.
Both are plain frozen dataclasses serialised to JSON with a format version: the offer is
stored with the article version (and so in snapshots and content packs), the choices with the
handout. Neither holds a sentence: handouts fill approved sentence templates from these values
in the handout's language, so nothing an editor types can reach the plan.

Follow-up and "When to get help" are in every plan and need no block here.
"""

import datetime
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any, Self

from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

PLAN_FORMAT = 1

MIN_REST_WEEKS, MAX_REST_WEEKS = 0, 52  # 0: no set period of rest
MIN_AID_WEEKS, MAX_AID_WEEKS = 1, 52
MAX_TIMES_PER_DAY = 12
MAX_SELF_CARE_MINUTES = 60
MAX_SELF_CARE_DAYS = 90
MAX_PHYSIO_START_DAYS = 365


class Activity(StrEnum):
    REST = "rest"  # no sport or heavy work for a set number of weeks
    RELATIVE = "relative"  # daily activities yes, sport and heavy work no
    ACTIVE = "active"  # keep moving, no bed rest


class Limb(StrEnum):
    LEG = "leg"
    ARM = "arm"


class LegLoad(StrEnum):
    NONE = "none"
    PARTIAL = "partial"
    AS_TOLERATED = "as_tolerated"
    FULL = "full"


class ArmLoad(StrEnum):
    NONE = "none"  # rest the arm (in a sling, if one is given)
    LIGHT = "light"  # light daily tasks, lift nothing heavier than a cup
    AS_TOLERATED = "as_tolerated"
    FULL = "full"


class Aid(StrEnum):
    CRUTCHES = "crutches"
    WALKING_BOOT = "walking_boot"
    BRACE = "brace"
    SPLINT = "splint"
    SLING = "sling"


class SelfCare(StrEnum):
    COLD = "cold"
    HEAT = "heat"
    RAISE = "raise"


class Side(StrEnum):
    LEFT = "left"
    RIGHT = "right"
    BOTH = "both"


class PhysioStart(StrEnum):
    AT_VISIT = "at_visit"  # a number of days after the visit
    AFTER_REST = "after_rest"  # the day after rest ends


class BackToActivity(StrEnum):
    WORK = "work"
    SCHOOL = "school"
    SPORT = "sport"


class BackToWhen(StrEnum):
    STEP = "step"  # when the care team says
    DATE = "date"  # on a date the clinician chooses


class Site(StrEnum):
    FOOT = "foot"
    HEEL = "heel"
    ANKLE = "ankle"
    ACHILLES_TENDON = "achilles_tendon"
    SHIN = "shin"
    KNEE = "knee"
    THIGH = "thigh"
    HIP = "hip"
    LOWER_BACK = "lower_back"
    NECK = "neck"
    SHOULDER = "shoulder"
    ELBOW = "elbow"
    FOREARM = "forearm"
    WRIST = "wrist"
    HAND = "hand"


LEG_SITES = frozenset(
    {Site.FOOT, Site.HEEL, Site.ANKLE, Site.ACHILLES_TENDON, Site.SHIN, Site.KNEE, Site.THIGH}
    | {Site.HIP}
)
ARM_SITES = frozenset({Site.SHOULDER, Site.ELBOW, Site.FOREARM, Site.WRIST, Site.HAND})
# Aids that only fit a leg, or only an arm.
LEG_AIDS = frozenset({Aid.CRUTCHES, Aid.WALKING_BOOT})
ARM_AIDS = frozenset({Aid.SLING})

# Labels for editors' and clinicians' choices (never printed in a patient's plan: the plan's
# sentences are templates of their own). Keyed by enum, then value: the two loads share values.
LABELS: dict[type[StrEnum], dict[str, Any]] = {
    Activity: {
        Activity.REST: _("Rest from sport and heavy work for a set time"),
        Activity.RELATIVE: _("Relative rest: daily activities yes, named activities no"),
        Activity.ACTIVE: _("Stay active: keep moving, no bed rest"),
    },
    LegLoad: {
        LegLoad.NONE: _("No weight on the leg"),
        LegLoad.PARTIAL: _("Some weight (partial)"),
        LegLoad.AS_TOLERATED: _("As much weight as pain allows"),
        LegLoad.FULL: _("Full weight"),
    },
    ArmLoad: {
        ArmLoad.NONE: _("Rest the arm: do not use it"),
        ArmLoad.LIGHT: _("Light use: nothing heavier than a cup"),
        ArmLoad.AS_TOLERATED: _("Use it as much as pain allows"),
        ArmLoad.FULL: _("Use it normally"),
    },
    Aid: {
        Aid.CRUTCHES: _("Crutches"),
        Aid.WALKING_BOOT: _("Walking boot"),
        Aid.BRACE: _("Brace"),
        Aid.SPLINT: _("Splint"),
        Aid.SLING: _("Sling"),
    },
    SelfCare: {
        SelfCare.COLD: _("Cold pack"),
        SelfCare.HEAT: _("Heat"),
        SelfCare.RAISE: _("Raising the injured part"),
    },
    Side: {
        Side.LEFT: pgettext_lazy("side of the body", "Left"),
        Side.RIGHT: pgettext_lazy("side of the body", "Right"),
        Side.BOTH: pgettext_lazy("side of the body", "Both sides"),
    },
    PhysioStart: {
        PhysioStart.AT_VISIT: _("A number of days after the visit"),
        PhysioStart.AFTER_REST: _("The day after rest ends"),
    },
    BackToActivity: {
        BackToActivity.WORK: _("Work"),
        BackToActivity.SCHOOL: _("School"),
        BackToActivity.SPORT: _("Sport"),
    },
    Limb: {
        Limb.LEG: _("Leg"),
        Limb.ARM: _("Arm"),
    },
    BackToWhen: {
        BackToWhen.STEP: _("When the care team says"),
        BackToWhen.DATE: _("On a date"),
    },
    Site: {
        Site.FOOT: _("Foot"),
        Site.HEEL: _("Heel"),
        Site.ANKLE: _("Ankle"),
        Site.ACHILLES_TENDON: _("Achilles tendon"),
        Site.SHIN: _("Shin"),
        Site.KNEE: _("Knee"),
        Site.THIGH: _("Thigh"),
        Site.HIP: _("Hip"),
        Site.LOWER_BACK: _("Lower back"),
        Site.NECK: _("Neck"),
        Site.SHOULDER: _("Shoulder"),
        Site.ELBOW: _("Elbow"),
        Site.FOREARM: _("Forearm"),
        Site.WRIST: _("Wrist"),
        Site.HAND: _("Hand"),
    },
}


def label(member: StrEnum) -> str:
    """A choice's label, in the active language."""
    return str(LABELS[type(member)][member])


def choices_of[E: StrEnum](
    kind: type[E], values: "tuple[E, ...] | None" = None
) -> list[tuple[str, Any]]:
    """(value, label) pairs for a form's choices, in the enum's order."""
    return [
        (member.value, LABELS[kind][member])
        for member in kind
        if values is None or member in values
    ]


class PlanError(ValueError):
    """A plan offer or choice that does not fit: `path` names the field, as in a content pack
    ("plan.aids[1].weeks"), and the message says what is allowed."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


# Reading JSON: each helper names the path it reads, so an error says where it is.


def _obj(data: object, path: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise PlanError(path, "must be an object")
    return data


def _enum[E: StrEnum](kind: type[E], value: object, path: str) -> E:
    try:
        return kind(str(value))
    except ValueError:
        allowed = ", ".join(member.value for member in kind)
        raise PlanError(path, f"must be one of: {allowed}") from None


def _int(value: object, path: str, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise PlanError(path, f"must be a whole number from {low} to {high}")
    return value


def _bool(value: object, path: str) -> bool:
    if not isinstance(value, bool):
        raise PlanError(path, "must be true or false")
    return value


def _list(value: object, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise PlanError(path, "must be a list")
    return value


def _unique[T](values: tuple[T, ...], path: str) -> tuple[T, ...]:
    if len(set(values)) != len(values):
        raise PlanError(path, "lists a value twice")
    return values


def _date(value: object, path: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise PlanError(path, "must be a date, YYYY-MM-DD") from None


# What an article offers.


@dataclass(frozen=True)
class SiteOffer:
    sites: tuple[Site, ...]
    default: Site
    sided: bool  # whether left / right / both applies

    @classmethod
    def from_json(cls, data: object, path: str) -> Self:
        data = _obj(data, path)
        sites = tuple(
            _enum(Site, s, f"{path}.sites[{i}]")
            for i, s in enumerate(_list(data.get("sites"), f"{path}.sites"))
        )
        if not sites:
            raise PlanError(f"{path}.sites", "must name at least one site")
        default = _enum(Site, data.get("default", sites[0]), f"{path}.default")
        if default not in sites:
            raise PlanError(f"{path}.default", "must be one of the sites offered")
        return cls(_unique(sites, f"{path}.sites"), default, _bool(data.get("sided"), path))

    def to_json(self) -> dict[str, Any]:
        return {
            "sites": [str(s) for s in self.sites],
            "default": str(self.default),
            "sided": self.sided,
        }


@dataclass(frozen=True)
class ActivityOffer:
    offered: tuple[Activity, ...]
    default: Activity
    rest_weeks: int = 0  # the default weeks when rest is chosen

    @classmethod
    def from_json(cls, data: object, path: str) -> Self:
        data = _obj(data, path)
        offered = tuple(
            _enum(Activity, a, f"{path}.offered[{i}]")
            for i, a in enumerate(_list(data.get("offered"), f"{path}.offered"))
        )
        if not offered:
            raise PlanError(f"{path}.offered", "must name at least one activity")
        default = _enum(Activity, data.get("default", offered[0]), f"{path}.default")
        if default not in offered:
            raise PlanError(f"{path}.default", "must be one of the activities offered")
        weeks = _int(data.get("rest_weeks", 0), f"{path}.rest_weeks", 0, MAX_REST_WEEKS)
        if default == Activity.REST and weeks < 1:
            # A clinician's rest needs at least a week (PlanChoices.problems): so does its default.
            raise PlanError(f"{path}.rest_weeks", "must be at least 1 when rest is the default")
        return cls(_unique(offered, f"{path}.offered"), default, weeks)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "offered": [str(a) for a in self.offered],
            "default": str(self.default),
        }
        if Activity.REST in self.offered:
            data["rest_weeks"] = self.rest_weeks
        return data


@dataclass(frozen=True)
class LoadOffer:
    limb: Limb
    default: LegLoad | ArmLoad

    @property
    def choices(self) -> type[LegLoad] | type[ArmLoad]:
        return LegLoad if self.limb == Limb.LEG else ArmLoad

    @classmethod
    def from_json(cls, data: object, path: str) -> Self:
        data = _obj(data, path)
        limb = _enum(Limb, data.get("limb"), f"{path}.limb")
        kind: type[LegLoad] | type[ArmLoad] = LegLoad if limb == Limb.LEG else ArmLoad
        return cls(limb, _enum(kind, data.get("default"), f"{path}.default"))

    def to_json(self) -> dict[str, Any]:
        return {"limb": str(self.limb), "default": str(self.default)}


@dataclass(frozen=True)
class AidOffer:
    kind: Aid
    weeks: int
    selected: bool

    @classmethod
    def from_json(cls, data: object, path: str) -> Self:
        data = _obj(data, path)
        return cls(
            _enum(Aid, data.get("kind"), f"{path}.kind"),
            _int(data.get("weeks"), f"{path}.weeks", MIN_AID_WEEKS, MAX_AID_WEEKS),
            _bool(data.get("selected", False), f"{path}.selected"),
        )

    def to_json(self) -> dict[str, Any]:
        return {"kind": str(self.kind), "weeks": self.weeks, "selected": self.selected}


@dataclass(frozen=True)
class SelfCareOffer:
    kind: SelfCare
    times_per_day: int
    minutes: int
    days: int
    selected: bool

    @classmethod
    def from_json(cls, data: object, path: str) -> Self:
        data = _obj(data, path)
        return cls(
            _enum(SelfCare, data.get("kind"), f"{path}.kind"),
            _int(data.get("times_per_day"), f"{path}.times_per_day", 1, MAX_TIMES_PER_DAY),
            _int(data.get("minutes"), f"{path}.minutes", 1, MAX_SELF_CARE_MINUTES),
            _int(data.get("days"), f"{path}.days", 1, MAX_SELF_CARE_DAYS),
            _bool(data.get("selected", False), f"{path}.selected"),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": str(self.kind),
            "times_per_day": self.times_per_day,
            "minutes": self.minutes,
            "days": self.days,
            "selected": self.selected,
        }


@dataclass(frozen=True)
class PhysiotherapyOffer:
    start: PhysioStart
    start_after_days: int = 0  # with AT_VISIT: days after the visit

    @classmethod
    def from_json(cls, data: object, path: str) -> Self:
        data = _obj(data, path)
        return cls(
            _enum(PhysioStart, data.get("start"), f"{path}.start"),
            _int(
                data.get("start_after_days", 0),
                f"{path}.start_after_days",
                0,
                MAX_PHYSIO_START_DAYS,
            ),
        )

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"start": str(self.start)}
        if self.start == PhysioStart.AT_VISIT:
            data["start_after_days"] = self.start_after_days
        return data


@dataclass(frozen=True)
class BackToOffer:
    activities: tuple[BackToActivity, ...]
    default: BackToWhen

    @classmethod
    def from_json(cls, data: object, path: str) -> Self:
        data = _obj(data, path)
        activities = tuple(
            _enum(BackToActivity, a, f"{path}.activities[{i}]")
            for i, a in enumerate(_list(data.get("activities"), f"{path}.activities"))
        )
        if not activities:
            raise PlanError(f"{path}.activities", "must name at least one activity")
        return cls(
            _unique(activities, f"{path}.activities"),
            _enum(BackToWhen, data.get("default", BackToWhen.STEP), f"{path}.default"),
        )

    def to_json(self) -> dict[str, Any]:
        return {"activities": [str(a) for a in self.activities], "default": str(self.default)}


@dataclass(frozen=True)
class PlanOffer:
    """The plan blocks an article version offers. A block that is None (or an empty list) is
    not offered, and a handout of that version never prints a word of it."""

    site: SiteOffer | None = None
    activity: ActivityOffer | None = None
    load: LoadOffer | None = None
    aids: tuple[AidOffer, ...] = ()
    self_care: tuple[SelfCareOffer, ...] = ()
    physiotherapy: PhysiotherapyOffer | None = None
    back_to: BackToOffer | None = None

    @classmethod
    def from_json(cls, data: object, path: str = "plan") -> Self:
        """Read and check an offer; raises PlanError naming the first field that is wrong."""
        data = _obj(data if data is not None else {}, path)
        unknown = set(data) - {f for f in cls.__dataclass_fields__} - {"format"}
        if unknown:
            raise PlanError(path, f"has no field {sorted(unknown)[0]!r}")

        def block[B](name: str, reader: Any) -> B | None:
            value = data.get(name)
            return None if value is None else reader(value, f"{path}.{name}")

        aids = tuple(
            AidOffer.from_json(a, f"{path}.aids[{i}]")
            for i, a in enumerate(_list(data.get("aids", []), f"{path}.aids"))
        )
        self_care = tuple(
            SelfCareOffer.from_json(s, f"{path}.self_care[{i}]")
            for i, s in enumerate(_list(data.get("self_care", []), f"{path}.self_care"))
        )
        offer = cls(
            site=block("site", SiteOffer.from_json),
            activity=block("activity", ActivityOffer.from_json),
            load=block("load", LoadOffer.from_json),
            aids=aids,
            self_care=self_care,
            physiotherapy=block("physiotherapy", PhysiotherapyOffer.from_json),
            back_to=block("back_to", BackToOffer.from_json),
        )
        offer.check(path)
        return offer

    def check(self, path: str = "plan") -> None:
        """Rules between blocks: no aid twice, no crutches for an arm, a site that fits the
        limb, physiotherapy after rest only when rest is offered."""
        _unique(tuple(a.kind for a in self.aids), f"{path}.aids")
        _unique(tuple(s.kind for s in self.self_care), f"{path}.self_care")
        limb = self.load.limb if self.load else None
        for i, aid in enumerate(self.aids):
            if aid.kind in LEG_AIDS and limb != Limb.LEG:
                raise PlanError(f"{path}.aids[{i}].kind", "needs a load block for a leg")
            if aid.kind in ARM_AIDS and limb != Limb.ARM:
                raise PlanError(f"{path}.aids[{i}].kind", "needs a load block for an arm")
        if self.site and limb:
            fitting = LEG_SITES if limb == Limb.LEG else ARM_SITES
            for i, site in enumerate(self.site.sites):
                if site not in fitting:
                    raise PlanError(f"{path}.site.sites[{i}]", f"is not part of the {limb}")
        if (
            self.physiotherapy
            and self.physiotherapy.start == PhysioStart.AFTER_REST
            and not (self.activity and Activity.REST in self.activity.offered)
        ):
            raise PlanError(f"{path}.physiotherapy.start", "after_rest needs rest to be offered")

    def to_json(self) -> dict[str, Any]:
        """Blocks not offered are left out, so adding a block later changes no older JSON."""
        data: dict[str, Any] = {"format": PLAN_FORMAT}
        for name in ("site", "activity", "load"):
            value = getattr(self, name)
            if value is not None:
                data[name] = value.to_json()
        if self.aids:
            data["aids"] = [a.to_json() for a in self.aids]
        if self.self_care:
            data["self_care"] = [s.to_json() for s in self.self_care]
        for name in ("physiotherapy", "back_to"):
            value = getattr(self, name)
            if value is not None:
                data[name] = value.to_json()
        return data


# What an offer says, in plain words, for editors and reviewers (the article's page, the review
# diff); never printed for a patient.

BLOCK_NAMES: dict[str, Any] = {
    "site": _("Site"),
    "activity": _("Activity"),
    "load": _("Load"),
    "aids": _("Aids"),
    "self_care": _("Self-care"),
    "physiotherapy": _("Physiotherapy start"),
    "back_to": _("Back to work, school and sport"),
}


def _listed(members: "tuple[StrEnum, ...]") -> str:
    return ", ".join(label(member) for member in members)


def describe_offer(offer: PlanOffer) -> dict[str, str]:
    """Each block the offer has, by its name (BLOCK_NAMES), in plain words."""
    words: dict[str, str] = {}
    if offer.site:
        words["site"] = gettext("%(sites)s; default %(default)s; %(sided)s") % {
            "sites": _listed(offer.site.sites),
            "default": label(offer.site.default),
            "sided": gettext("left or right") if offer.site.sided else gettext("no side"),
        }
    if offer.activity:
        default = label(offer.activity.default)
        if offer.activity.default == Activity.REST:
            default = ngettext(
                "%(choice)s, %(weeks)d week",
                "%(choice)s, %(weeks)d weeks",
                offer.activity.rest_weeks,
            ) % {"choice": default, "weeks": offer.activity.rest_weeks}
        words["activity"] = gettext("%(offered)s; default %(default)s") % {
            "offered": _listed(offer.activity.offered),
            "default": default,
        }
    if offer.load:
        words["load"] = gettext("%(limb)s; default %(default)s") % {
            "limb": label(offer.load.limb),
            "default": label(offer.load.default),
        }
    if offer.aids:
        words["aids"] = "; ".join(
            ngettext("%(aid)s, %(weeks)d week", "%(aid)s, %(weeks)d weeks", aid.weeks)
            % {"aid": label(aid.kind), "weeks": aid.weeks}
            + (gettext(", selected") if aid.selected else "")
            for aid in offer.aids
        )
    if offer.self_care:
        words["self_care"] = "; ".join(
            gettext("%(kind)s, %(times)d a day, %(minutes)d min, %(days)d days")
            % {
                "kind": label(care.kind),
                "times": care.times_per_day,
                "minutes": care.minutes,
                "days": care.days,
            }
            + (gettext(", selected") if care.selected else "")
            for care in offer.self_care
        )
    if offer.physiotherapy:
        start = offer.physiotherapy
        words["physiotherapy"] = (
            ngettext(
                "%(days)d day after the visit",
                "%(days)d days after the visit",
                start.start_after_days,
            )
            % {"days": start.start_after_days}
            if start.start == PhysioStart.AT_VISIT
            else label(start.start)
        )
    if offer.back_to:
        words["back_to"] = gettext("%(activities)s; default %(default)s") % {
            "activities": _listed(offer.back_to.activities),
            "default": label(offer.back_to.default),
        }
    return words


# What a clinician chose.


@dataclass(frozen=True)
class AidChoice:
    kind: Aid
    weeks: int | None  # None: until the care team says the patient can stop


@dataclass(frozen=True)
class SelfCareChoice:
    kind: SelfCare
    times_per_day: int
    minutes: int
    days: int


@dataclass(frozen=True)
class BackToChoice:
    when: BackToWhen
    date: datetime.date | None = None  # with DATE


@dataclass(frozen=True)
class PlanChoices:
    """One patient's plan, within an offer. A block the offer lacks is None (or empty) here
    too; a block offered but left out by the clinician is None as well, and prints nothing."""

    site: Site | None = None
    side: Side | None = None
    activity: Activity | None = None
    rest_weeks: int = 0  # with REST
    load: LegLoad | ArmLoad | None = None
    aids: tuple[AidChoice, ...] = ()
    self_care: tuple[SelfCareChoice, ...] = ()
    physio_start: datetime.date | None = None
    back_to: BackToChoice | None = None

    @classmethod
    def defaults(cls, offer: PlanOffer, visit_date: datetime.date) -> Self:
        """What the builder starts from: each offered block at the article's defaults."""
        activity = offer.activity.default if offer.activity else None
        rest_weeks = (
            offer.activity.rest_weeks if activity == Activity.REST and offer.activity else 0
        )
        choices = cls(
            site=offer.site.default if offer.site else None,
            side=None,  # the clinician says which side; there is no safe default
            activity=activity,
            rest_weeks=rest_weeks,
            load=offer.load.default if offer.load else None,
            aids=tuple(AidChoice(a.kind, a.weeks) for a in offer.aids if a.selected),
            self_care=tuple(
                SelfCareChoice(s.kind, s.times_per_day, s.minutes, s.days)
                for s in offer.self_care
                if s.selected
            ),
            back_to=BackToChoice(BackToWhen.STEP) if offer.back_to else None,
        )
        return replace(choices, physio_start=choices.default_physio_start(offer, visit_date))

    def rest_until(self, visit_date: datetime.date) -> datetime.date | None:
        """The last day of rest, or None without a set rest period."""
        if self.activity != Activity.REST or not self.rest_weeks:
            return None
        return visit_date + datetime.timedelta(weeks=self.rest_weeks) - datetime.timedelta(days=1)

    def default_physio_start(
        self, offer: PlanOffer, visit_date: datetime.date
    ) -> datetime.date | None:
        if not offer.physiotherapy:
            return None
        if offer.physiotherapy.start == PhysioStart.AFTER_REST:
            last_rest_day = self.rest_until(visit_date)
            if last_rest_day:
                return last_rest_day + datetime.timedelta(days=1)
            return visit_date
        return visit_date + datetime.timedelta(days=offer.physiotherapy.start_after_days)

    def problems(self, offer: PlanOffer) -> list[PlanError]:
        """Every choice outside the offer, each naming its field."""
        found: list[PlanError] = []

        def outside(path: str, message: str) -> None:
            found.append(PlanError(path, message))

        if self.site is not None and (not offer.site or self.site not in offer.site.sites):
            outside("site", "is not offered by this article")
        if self.side is not None and not (offer.site and offer.site.sided):
            outside("side", "does not apply to this article")
        if self.activity is not None and (
            not offer.activity or self.activity not in offer.activity.offered
        ):
            outside("activity", "is not offered by this article")
        if self.activity == Activity.REST and self.rest_weeks <= MIN_REST_WEEKS:
            outside("rest_weeks", "must be at least 1 with rest")
        if self.rest_weeks > MAX_REST_WEEKS:
            outside("rest_weeks", f"must be at most {MAX_REST_WEEKS}")
        if self.activity != Activity.REST and self.rest_weeks:
            outside("rest_weeks", "applies only with rest")
        if self.load is not None and (
            not offer.load or not isinstance(self.load, offer.load.choices)
        ):
            outside("load", "is not offered by this article")
        offered_aids = {a.kind for a in offer.aids}
        for i, aid in enumerate(self.aids):
            if aid.kind not in offered_aids:
                outside(f"aids[{i}]", "is not offered by this article")
            if aid.weeks is not None and not MIN_AID_WEEKS <= aid.weeks <= MAX_AID_WEEKS:
                outside(f"aids[{i}].weeks", f"must be from {MIN_AID_WEEKS} to {MAX_AID_WEEKS}")
        offered_care = {s.kind for s in offer.self_care}
        for i, care in enumerate(self.self_care):
            if care.kind not in offered_care:
                outside(f"self_care[{i}]", "is not offered by this article")
        if self.physio_start is not None and not offer.physiotherapy:
            outside("physio_start", "is not offered by this article")
        if self.back_to is not None:
            if not offer.back_to:
                outside("back_to", "is not offered by this article")
            elif self.back_to.when == BackToWhen.DATE and self.back_to.date is None:
                outside("back_to.date", "is needed when going back on a date")
        return found

    @classmethod
    def from_json(cls, data: object, path: str = "plan") -> Self:
        data = _obj(data if data is not None else {}, path)

        def maybe[E: StrEnum](kind: type[E], name: str) -> E | None:
            value = data.get(name)
            return None if value is None else _enum(kind, value, f"{path}.{name}")

        load_value = data.get("load")
        load: LegLoad | ArmLoad | None = None
        if load_value is not None:
            limb = _enum(Limb, data.get("limb"), f"{path}.limb")
            kind: type[LegLoad] | type[ArmLoad] = LegLoad if limb == Limb.LEG else ArmLoad
            load = _enum(kind, load_value, f"{path}.load")
        back_to = None
        if data.get("back_to") is not None:
            raw = _obj(data["back_to"], f"{path}.back_to")
            when = _enum(BackToWhen, raw.get("when"), f"{path}.back_to.when")
            day = raw.get("date")
            back_to = BackToChoice(when, _date(day, f"{path}.back_to.date") if day else None)
        physio = data.get("physio_start")
        return cls(
            site=maybe(Site, "site"),
            side=maybe(Side, "side"),
            activity=maybe(Activity, "activity"),
            rest_weeks=_int(data.get("rest_weeks", 0), f"{path}.rest_weeks", 0, MAX_REST_WEEKS),
            load=load,
            aids=tuple(
                AidChoice(
                    _enum(Aid, _obj(a, f"{path}.aids[{i}]").get("kind"), f"{path}.aids[{i}].kind"),
                    None
                    if a.get("weeks") is None
                    else _int(a["weeks"], f"{path}.aids[{i}].weeks", MIN_AID_WEEKS, MAX_AID_WEEKS),
                )
                for i, a in enumerate(_list(data.get("aids", []), f"{path}.aids"))
            ),
            self_care=tuple(
                SelfCareChoice(
                    _enum(SelfCare, _obj(s, f"{path}.self_care[{i}]").get("kind"), f"{path}.kind"),
                    _int(s.get("times_per_day"), f"{path}.times_per_day", 1, MAX_TIMES_PER_DAY),
                    _int(s.get("minutes"), f"{path}.minutes", 1, MAX_SELF_CARE_MINUTES),
                    _int(s.get("days"), f"{path}.days", 1, MAX_SELF_CARE_DAYS),
                )
                for i, s in enumerate(_list(data.get("self_care", []), f"{path}.self_care"))
            ),
            physio_start=_date(physio, f"{path}.physio_start") if physio else None,
            back_to=back_to,
        )

    def to_json(self) -> dict[str, Any]:
        """Only what was chosen, in a fixed order, so equal choices give equal JSON."""
        data: dict[str, Any] = {"format": PLAN_FORMAT}
        for name in ("site", "side", "activity"):
            value = getattr(self, name)
            if value is not None:
                data[name] = str(value)
        if self.activity == Activity.REST:
            data["rest_weeks"] = self.rest_weeks
        if self.load is not None:
            data["limb"] = str(Limb.LEG if isinstance(self.load, LegLoad) else Limb.ARM)
            data["load"] = str(self.load)
        if self.aids:
            data["aids"] = [{"kind": str(a.kind), "weeks": a.weeks} for a in self.aids]
        if self.self_care:
            data["self_care"] = [
                {
                    "kind": str(s.kind),
                    "times_per_day": s.times_per_day,
                    "minutes": s.minutes,
                    "days": s.days,
                }
                for s in self.self_care
            ]
        if self.physio_start is not None:
            data["physio_start"] = self.physio_start.isoformat()
        if self.back_to is not None:
            data["back_to"] = {"when": str(self.back_to.when)}
            if self.back_to.date is not None:
                data["back_to"]["date"] = self.back_to.date.isoformat()
        return data


# Handouts and articles from before plan blocks: rest guidance (weeks of rest, weight bearing,
# crutches) was the only plan there was, and always for a leg.


def offer_from_rest_guidance(rest: dict[str, Any] | None, has_therapies: bool) -> PlanOffer:
    """The offer an article's rest guidance (as a snapshot of format 1 holds it) made: rest or
    no set rest, the four leg loads, crutches, and physiotherapy from the day rest ends."""
    if rest is None:
        return PlanOffer(
            physiotherapy=PhysiotherapyOffer(PhysioStart.AT_VISIT) if has_therapies else None
        )
    weeks = int(rest.get("default_weeks", 0))
    return PlanOffer(
        activity=ActivityOffer(
            (Activity.REST, Activity.RELATIVE),
            Activity.REST if weeks else Activity.RELATIVE,
            weeks,
        ),
        load=LoadOffer(Limb.LEG, LegLoad(rest.get("weight_bearing", LegLoad.FULL))),
        aids=(
            AidOffer(Aid.CRUTCHES, max(weeks, MIN_AID_WEEKS), bool(rest.get("crutches_advised"))),
        ),
        physiotherapy=PhysiotherapyOffer(PhysioStart.AFTER_REST) if has_therapies else None,
    )


def choices_from_rest_columns(
    rest_weeks: int,
    weight_bearing: str,
    crutches: bool,
    has_therapies: bool,
    visit_date: datetime.date,
) -> PlanChoices:
    """What a handout issued before plan blocks chose, in today's terms: crutches for as long
    as the rest (or until the care team says, with no set rest), sessions from the day rest
    ends, as its plan printed them."""
    choices = PlanChoices(
        activity=Activity.REST if rest_weeks else Activity.RELATIVE,
        rest_weeks=rest_weeks,
        load=LegLoad(weight_bearing),
        aids=(AidChoice(Aid.CRUTCHES, rest_weeks or None),) if crutches else (),
    )
    if not has_therapies:
        return choices
    return replace(choices, physio_start=visit_date + datetime.timedelta(weeks=rest_weeks))
