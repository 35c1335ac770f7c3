import argparse
import datetime
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from education.models import Article
from education.plan_blocks import (
    Activity,
    ArmLoad,
    BackToWhen,
    LegLoad,
    Limb,
    PlanOffer,
    Side,
    Site,
)
from education.plan_rules.packets import PacketPlan, packet_conflicts
from education.snapshot import Snapshot, build_snapshot, plan_offer_of
from handouts.forms import (
    CARE_PARTS,
    HandoutForm,
    aid_field,
    care_field,
    default_choices,
    therapy_field,
)
from handouts.issuing import (
    ClinicNotReady,
    build_condition,
    build_visit,
    require_clinic_ready,
    split_choices,
)
from handouts.models import MAX_CONDITIONS
from handouts.pdf.render import PdfRenderError, render_handout_pdf
from portal.models import ClinicProfile, PaperSize

USAGE_ERROR = 2
# The options given once for the whole visit; the others are each condition's.
VISIT_OPTIONS = (
    "language",
    "patient",
    "output",
    "visit_date",
    "note",
    "record_number",
    "clinician",
    "paper",
    "large_print",
)


class Command(BaseCommand):
    help = (
        "Render a handout PDF for a published article without saving a record (for scripts "
        "and benchmarks). Options left out take the article's defaults: the plan blocks it "
        "offers at their defaults, every therapy at its default frequency, the tips it "
        "selects by default, today's date and the clinic's paper size. The same rules as the "
        "staff builder apply; a bad value, a choice the article does not offer (the error "
        "names what it offers) or an unknown article exits with status 2. Use --list-options "
        "to see the article's plan blocks, therapies and tips. Several slugs make one visit's "
        "packet: `render_handout ankle-sprain --activity rest low-back-pain --tip 2 ...`; "
        "the options after a slug are that condition's, and the visit's (--patient, --output, "
        "--visit-date, --note ...) are given once, anywhere."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="The condition's slug, e.g. bone-marrow-edema.")
        add_options(parser)
        parser.add_argument(
            "more",
            nargs=argparse.REMAINDER,
            metavar="[SLUG [OPTIONS]] ...",
            help="More conditions of the same visit, for a packet of up to "
            f"{MAX_CONDITIONS}: each slug followed by its own plan options (--activity, "
            "--aid, --therapy, --tip, --follow-up ...). The visit's options (--patient, "
            "--output, --visit-date, --note, --paper ...) are given once, anywhere.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        segments = self._segments(options)
        if segments[0]["list_options"] or any(s["list_options"] for s in segments):
            for segment in segments:
                article = self._article(segment["slug"], segment["language"])
                if len(segments) > 1:
                    self.stdout.write(f"{segment['slug']}:")
                self._list_options(build_snapshot(article))
            return
        first = segments[0]
        if first["patient"] is None or first["output"] is None:
            raise CommandError("--patient and --output are required.", returncode=USAGE_ERROR)
        clinic = ClinicProfile.load()
        try:
            require_clinic_ready(clinic)
        except ClinicNotReady as error:
            raise CommandError(
                "Cannot render a handout: " + str(error), returncode=USAGE_ERROR
            ) from error
        conditions, plans = [], []
        visit: dict = {}
        for segment in segments:
            article = self._article(segment["slug"], segment["language"])
            snapshot = build_snapshot(article)
            form = HandoutForm(
                self._form_data(segment, snapshot, clinic), snapshot=snapshot, clinic=clinic
            )
            if not form.is_valid():
                problems = [
                    f"{name}: {' '.join(map(str, errors))}" for name, errors in form.errors.items()
                ]
                where = f" ({segment['slug']})" if len(segments) > 1 else ""
                raise CommandError(
                    f"Invalid handout{where}:\n  " + "\n  ".join(problems),
                    returncode=USAGE_ERROR,
                )
            visit, chosen = split_choices(form.handout_choices())
            conditions.append(build_condition(article, chosen, snapshot=snapshot))
            plans.append(
                PacketPlan(
                    snapshot["condition"]["name"],
                    form.plan_choices(),
                    form.offer,
                    form.cleaned_data["visit_date"],
                )
            )
        with translation.override("en"):
            contradictions = [str(conflict) for conflict in packet_conflicts(plans)]
        if contradictions:
            raise CommandError(
                "Choices that contradict each other:\n  " + "\n  ".join(contradictions),
                returncode=USAGE_ERROR,
            )
        handout = build_visit(conditions, visit, issued_by=None, issued_by_name=first["clinician"])
        try:
            pdf = render_handout_pdf(handout, clinic)
        except PdfRenderError as error:
            raise CommandError(str(error)) from error
        first["output"].write_bytes(pdf)
        self.stdout.write(f"Wrote {first['output']} ({len(pdf):,} bytes).")

    def _segments(self, options: dict) -> list[dict]:
        """The options of each condition, in order: the first slug's (with any options given
        before it), then each further slug's, with the visit's options (VISIT_OPTIONS) shared
        by all, whichever slug they follow."""
        parser = CommandParser(called_from_command_line=False, prog="render_handout")
        parser.add_argument("slug")
        add_options(parser)
        defaults = vars(parser.parse_args(["-"]))
        takes_value = {
            string
            for action in parser._actions
            if action.nargs != 0
            for string in action.option_strings
        }
        groups: list[list[str]] = []
        words = [options["slug"], *options["more"]]
        index = 0
        while index < len(words):
            word = words[index]
            if not word.startswith("-"):
                groups.append([word])
            else:
                groups[-1].append(word)
                if word in takes_value and index + 1 < len(words):
                    index += 1
                    groups[-1].append(words[index])
            index += 1
        if len(groups) > MAX_CONDITIONS:
            raise CommandError(
                f"A handout can hold at most {MAX_CONDITIONS} conditions.", returncode=USAGE_ERROR
            )
        segments = []
        for number, group in enumerate(groups):
            parsed = vars(parser.parse_args(group))
            if number == 0:  # options before the first slug are its own
                before = {k: v for k, v in options.items() if k in defaults and v != defaults[k]}
                parsed = before | {k: v for k, v in parsed.items() if v != defaults[k]}
                parsed = defaults | parsed | {"slug": options["slug"]}
            segments.append(parsed)
        slugs = [segment["slug"] for segment in segments]
        if len(set(slugs)) != len(slugs):
            raise CommandError("Each condition can be in a handout once.", returncode=USAGE_ERROR)
        for name in VISIT_OPTIONS:
            given = [s[name] for s in segments if s[name] != defaults[name]]
            if len({str(value) for value in given}) > 1:
                raise CommandError(
                    f"--{name.replace('_', '-')} is the visit's: give it once.",
                    returncode=USAGE_ERROR,
                )
            for segment in segments:
                segment[name] = given[0] if given else defaults[name]
        return segments

    def _article(self, slug: str, language: str) -> Article:
        article = (
            Article.objects.published().filter(condition__slug=slug, language=language).first()
        )
        if article is None:
            available = (
                ", ".join(
                    f"{a.condition.slug} ({a.language})"
                    for a in Article.objects.published().select_related("condition")
                )
                or "none"
            )
            raise CommandError(
                f"No published article for {slug!r} in language {language!r}. "
                f"Published: {available}.",
                returncode=USAGE_ERROR,
            )
        return article

    def _list_options(self, snapshot: Snapshot) -> None:
        offer = plan_offer_of(snapshot)
        self.stdout.write("Plan blocks:")
        for line in _offer_lines(offer):
            self.stdout.write(f"  {line}")
        self.stdout.write("Therapies (--therapy NAME[:TIMES_A_WEEK:WEEKS]):")
        for therapy in snapshot["therapies"]:
            self.stdout.write(
                f"  {therapy['name']} (default {therapy['times_per_week']} a "
                f"week for {therapy['weeks']} weeks)"
            )
        self.stdout.write("Prevention tips (--tip N):")
        for number, tip in enumerate(snapshot["prevention_tips"], start=1):
            default = " [default]" if tip["selected_by_default"] else ""
            self.stdout.write(f"  {number}. {tip['text']}{default}")
        self.stdout.write(
            "Background sections, printed under “More to know” (--section N, --no-background):"
        )
        for number, section in enumerate(snapshot["sections"], start=1):
            default = " [default]" if section.get("printed_by_default", True) else ""
            self.stdout.write(f"  {number}. {section['heading']}{default}")

    def _form_data(self, options: dict, snapshot: Snapshot, clinic: ClinicProfile) -> dict:
        """Builder form data: the options given, the article's defaults for the rest."""
        defaults = default_choices(snapshot, clinic)
        data = {
            **self._plan_fields(options, snapshot, clinic),
            "issue_token": str(uuid.uuid4()),
            "patient_name": options["patient"],
            "record_number": options["record_number"],
            "visit_date": options["visit_date"] or defaults["visit_date"].isoformat(),
            "prevention_tips": self._tip_keys(options["tip"], snapshot, defaults),
            "background_sections": self._section_keys(options, snapshot, defaults),
            "follow_up_date": options["follow_up"] or "",
            "clinician_note": options["note"],
            "paper_size": options["paper"] or defaults["paper_size"],
        }
        if options["large_print"]:
            data["large_print"] = "on"
        data |= self._therapy_fields(options, snapshot)
        return data

    def _plan_fields(self, options: dict, snapshot: Snapshot, clinic: ClinicProfile) -> dict:
        """The builder's plan fields: its defaults for the article, with the options given.
        An option the article does not offer is an error naming what it offers."""
        offer = plan_offer_of(snapshot)
        unbound = HandoutForm(snapshot=snapshot, clinic=clinic)
        names = [
            name for name in unbound.fields if name in PLAN_FIELDS or name[:4] in PLAN_PREFIXES
        ]
        data = {name: _posted(unbound[name].value()) for name in names}
        offered = {str(line) for line in _offer_lines(offer)}

        def refuse(option: str, what: str) -> CommandError:
            return CommandError(
                f"{option}: this article does not offer {what}. It offers: "
                + ("; ".join(sorted(offered)) or "no plan blocks")
                + ".",
                returncode=USAGE_ERROR,
            )

        if options["site"]:
            if not offer.site or options["site"] not in offer.site.sites:
                raise refuse("--site", options["site"])
            data["site"] = options["site"]
        if options["side"]:
            if not offer.site or not offer.site.sided:
                raise refuse("--side", "a side")
            data["side"] = options["side"]
        activity = options["activity"] or ("rest" if options["rest_weeks"] is not None else None)
        if activity:
            if not offer.activity or activity not in offer.activity.offered:
                raise refuse("--activity", activity)
            data["activity"] = activity
        if options["rest_weeks"] is not None:
            data["rest_weeks"] = str(options["rest_weeks"])
        if options["weight_bearing"]:
            if not offer.load or offer.load.limb != Limb.LEG:
                raise refuse("--weight-bearing", "weight bearing")
            data["load"] = options["weight_bearing"]
        if options["arm_use"]:
            if not offer.load or offer.load.limb != Limb.ARM:
                raise refuse("--arm-use", "arm use")
            data["load"] = options["arm_use"]
        aids = [] if options["no_aids"] else options["aid"]
        if options["crutches"] is not None:  # on or off, the other aids as they are
            kept = [str(a.kind) for a in offer.aids if data.get(aid_field(a.kind))]
            others = [a for a in (kept if aids is None else aids) if not a.startswith("crutches")]
            aids = others + (["crutches"] if options["crutches"] else [])
        if aids is not None:
            weeks = {str(a.kind): a.weeks for a in offer.aids}
            for aid in offer.aids:
                data.pop(aid_field(aid.kind), None)
            for spec in aids:
                kind, _colon, count = str(spec).partition(":")
                if kind not in weeks:
                    raise refuse("--aid", kind)
                data[aid_field(kind)] = "on"
                data[aid_field(kind, "weeks")] = "" if count == "0" else count or str(weeks[kind])
        cares = [] if options["no_self_care"] else options["self_care"]
        if cares is not None:
            doses = {str(care.kind): care for care in offer.self_care}
            for care in offer.self_care:
                data.pop(care_field(care.kind), None)
            for spec in cares:
                kind, *numbers = str(spec).split(":")
                if kind not in doses:
                    raise refuse("--self-care", kind)
                if numbers and len(numbers) != len(CARE_PARTS):
                    raise CommandError(
                        "Write --self-care as NAME or NAME:TIMES_A_DAY:MINUTES:DAYS, "
                        f"not {spec!r}.",
                        returncode=USAGE_ERROR,
                    )
                data[care_field(kind)] = "on"
                for (part, _label, _most), number in zip(
                    CARE_PARTS, numbers or [""] * len(CARE_PARTS), strict=True
                ):
                    data[care_field(kind, part)] = number or str(getattr(doses[kind], part))
        if options["physio_start"]:
            if "physio_start" not in data:
                raise refuse("--physio-start", "physiotherapy")
            data["physio_start"] = options["physio_start"]
        elif "physio_start" in data:
            # Blank: as the article suggests, from the visit date (the unbound form's initial
            # value counts from today, before a later --visit-date).
            data["physio_start"] = ""
        if options["back_to"]:
            if not offer.back_to:
                raise refuse("--back-to", "back to work, school or sport")
            when = options["back_to"]
            data["back_to_date"] = ""
            if when == "none":
                data["back_to"] = ""
            elif when == BackToWhen.STEP:
                data["back_to"] = str(BackToWhen.STEP)
            else:
                try:
                    datetime.date.fromisoformat(when)
                except ValueError:
                    raise CommandError(
                        f"--back-to: write step, a date (YYYY-MM-DD) or none, not {when!r}.",
                        returncode=USAGE_ERROR,
                    ) from None
                data["back_to"], data["back_to_date"] = str(BackToWhen.DATE), when
        return data

    def _tip_keys(self, numbers: list[int] | None, snapshot: Snapshot, defaults: dict) -> list[str]:
        if numbers is None:
            return defaults["prevention_tip_keys"]
        tips = snapshot["prevention_tips"]
        bad = [n for n in numbers if not 1 <= n <= len(tips)]
        if bad:
            raise CommandError(
                f"No prevention tip number {bad[0]}; the article has "
                f"{len(tips)} (see --list-options).",
                returncode=USAGE_ERROR,
            )
        return [tips[n - 1]["key"] for n in numbers]

    def _section_keys(self, options: dict, snapshot: Snapshot, defaults: dict) -> list[str]:
        if options["no_background"]:
            return []
        if options["section"] is None:
            return defaults["background_section_keys"]
        sections = snapshot["sections"]
        bad = [n for n in options["section"] if not 1 <= n <= len(sections)]
        if bad:
            raise CommandError(
                f"No section number {bad[0]}; the article has "
                f"{len(sections)} (see --list-options).",
                returncode=USAGE_ERROR,
            )
        return [sections[n - 1]["key"] for n in options["section"]]

    def _therapy_fields(self, options: dict, snapshot: Snapshot) -> dict:
        by_name = {t["name"].casefold(): t for t in snapshot["therapies"]}
        if options["no_therapies"]:
            chosen = {}
        elif options["therapy"] is None:
            chosen = {t["key"]: (t["times_per_week"], t["weeks"]) for t in by_name.values()}
        else:
            chosen = {}
            for spec in options["therapy"]:
                name, *numbers = spec.split(":")
                therapy = by_name.get(name.strip().casefold())
                if therapy is None:
                    raise CommandError(
                        f"Unknown therapy {name!r} (see --list-options).", returncode=USAGE_ERROR
                    )
                if numbers and len(numbers) != 2:
                    raise CommandError(
                        f"Write --therapy as NAME or NAME:TIMES_A_WEEK:WEEKS, not {spec!r}.",
                        returncode=USAGE_ERROR,
                    )
                times, weeks = numbers or (therapy["times_per_week"], therapy["weeks"])
                chosen[therapy["key"]] = (times, weeks)
        fields: dict[str, str] = {}
        for key, (times, weeks) in chosen.items():
            fields |= {
                therapy_field(key, "include"): "on",
                therapy_field(key, "times_per_week"): str(times),
                therapy_field(key, "weeks"): str(weeks),
            }
        return fields


def add_options(parser: CommandParser) -> None:
    """The options of render_handout besides the slugs: the visit's (VISIT_OPTIONS) and each
    condition's."""
    parser.add_argument("--language", default=settings.LANGUAGE_CODE)
    parser.add_argument("--patient", help="Name as it should be printed.")
    parser.add_argument("--output", type=Path, help="Where to write the PDF.")
    parser.add_argument("--visit-date", help="YYYY-MM-DD; default today.")
    parser.add_argument("--site", choices=[str(site) for site in Site])
    parser.add_argument("--side", choices=[str(side) for side in Side])
    parser.add_argument("--activity", choices=[str(activity) for activity in Activity])
    parser.add_argument("--rest-weeks", type=int, help="With --activity rest (implied).")
    parser.add_argument("--weight-bearing", choices=[str(load) for load in LegLoad])
    parser.add_argument(
        "--arm-use",
        choices=[str(load) for load in ArmLoad],
        help="How much to use or lift with the arm, for an article about an arm.",
    )
    parser.add_argument(
        "--aid",
        action="append",
        metavar="NAME[:WEEKS]",
        help="An aid to use (repeat for more; default: the article's); WEEKS: the "
        "article's default if left out, 0 for until the care team says.",
    )
    parser.add_argument("--no-aids", action="store_true", help="No aid at all.")
    parser.add_argument("--crutches", action="store_true", default=None)
    parser.add_argument("--no-crutches", dest="crutches", action="store_false")
    parser.add_argument(
        "--self-care",
        action="append",
        metavar="NAME[:TIMES_A_DAY:MINUTES:DAYS]",
        help="Cold, heat or raising the limb (repeat for more; default: the article's), "
        "how often a day, for how many minutes each time and for how many days; the "
        "article's doses if left out.",
    )
    parser.add_argument("--no-self-care", action="store_true", help="No self-care at all.")
    parser.add_argument("--physio-start", help="YYYY-MM-DD; default as the article says.")
    parser.add_argument(
        "--back-to",
        metavar="step|YYYY-MM-DD|none",
        help="Back to work, school or sport (those the article names): when the care team "
        "says (step), on a date, or not printed (none). Default: the article's.",
    )
    parser.add_argument(
        "--therapy",
        action="append",
        metavar="NAME[:TIMES_A_WEEK:WEEKS]",
        help="A therapy to include (repeat for more); default: all, at their defaults.",
    )
    parser.add_argument("--no-therapies", action="store_true")
    parser.add_argument(
        "--tip",
        action="append",
        type=int,
        metavar="N",
        help="Number of a prevention tip (see --list-options); repeatable.",
    )
    parser.add_argument(
        "--section",
        action="append",
        type=int,
        metavar="N",
        help="Number of an article section to print as background, under “More to know” "
        "(see --list-options); repeatable. Default: the sections the article prints by "
        "default.",
    )
    parser.add_argument(
        "--no-background",
        action="store_true",
        help="Print no article sections, only the patient's plan.",
    )
    parser.add_argument("--follow-up", help="YYYY-MM-DD")
    parser.add_argument("--note", default="", help="The clinician's note (plain text).")
    parser.add_argument("--record-number", default="")
    parser.add_argument("--clinician", default="", help="Name printed as the clinician.")
    parser.add_argument("--paper", choices=PaperSize.values)
    parser.add_argument("--large-print", action="store_true")
    parser.add_argument(
        "--list-options",
        action="store_true",
        help="List the article's plan blocks, therapies and tips, and exit.",
    )


PLAN_FIELDS = {
    "site",
    "side",
    "activity",
    "rest_weeks",
    "load",
    "physio_start",
    "back_to",
    "back_to_date",
}
PLAN_PREFIXES = {"aid-", "care"}


def _posted(value: object) -> object:
    """A field's initial value as a browser posts it."""
    if value is True:
        return "on"
    if value is False or value is None:
        return ""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _offer_lines(offer: PlanOffer) -> list[str]:
    """The plan blocks an article offers, as the command's options name them, with their
    defaults."""
    lines = []
    if offer.site:
        sides = " (--side left, right or both)" if offer.site.sided else ""
        lines.append(f"--site {', '.join(offer.site.sites)}{sides}")
    if offer.activity:
        rest = (
            f"; --rest-weeks N with rest (default {offer.activity.rest_weeks})"
            if Activity.REST in offer.activity.offered
            else ""
        )
        lines.append(
            f"--activity {', '.join(offer.activity.offered)} "
            f"(default {offer.activity.default}{rest})"
        )
    if offer.load:
        option = "--weight-bearing" if offer.load.limb == Limb.LEG else "--arm-use"
        lines.append(f"{option} {', '.join(offer.load.choices)} (default {offer.load.default})")
    if offer.aids:
        lines.append(
            f"--aid {', '.join(f'{a.kind}:{a.weeks}' for a in offer.aids)} (NAME:WEEKS; "
            f"default {_default_list(a.kind for a in offer.aids if a.selected)}; --no-aids)"
        )
    if offer.self_care:
        doses = ", ".join(
            f"{s.kind}:{s.times_per_day}:{s.minutes}:{s.days}" for s in offer.self_care
        )
        chosen = _default_list(s.kind for s in offer.self_care if s.selected)
        lines.append(
            f"--self-care {doses} (NAME:TIMES_A_DAY:MINUTES:DAYS; default {chosen}; --no-self-care)"
        )
    if offer.physiotherapy:
        lines.append("--physio-start YYYY-MM-DD")
    if offer.back_to:
        lines.append(
            f"--back-to step, YYYY-MM-DD or none (back to "
            f"{', '.join(offer.back_to.activities)}; default {offer.back_to.default})"
        )
    return lines


def _default_list(kinds: Iterable[str]) -> str:
    return ", ".join(kinds) or "none"
