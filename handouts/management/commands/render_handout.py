import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from education.models import Article, WeightBearing
from education.snapshot import Snapshot, build_snapshot
from handouts.forms import HandoutForm, default_choices, therapy_field
from handouts.issuing import ClinicNotReady, build_handout, require_clinic_ready
from handouts.pdf.render import PdfRenderError, render_handout_pdf
from portal.models import ClinicProfile, PaperSize

USAGE_ERROR = 2


class Command(BaseCommand):
    help = (
        "Render a handout PDF for a published article without saving a record (for scripts "
        "and benchmarks). Options left out take the article's defaults: its rest guidance, "
        "every therapy at its default frequency, the tips it selects by default, today's "
        "date and the clinic's paper size. The same rules as the staff builder apply; a bad "
        "value or an unknown article exits with status 2. Use --list-options to see the "
        "article's therapies and tips."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="The condition's slug, e.g. bone-marrow-edema.")
        parser.add_argument("--language", default=settings.LANGUAGE_CODE)
        parser.add_argument("--patient", help="Name as it should be printed.")
        parser.add_argument("--output", type=Path, help="Where to write the PDF.")
        parser.add_argument("--visit-date", help="YYYY-MM-DD; default today.")
        parser.add_argument("--rest-weeks", type=int)
        parser.add_argument("--crutches", action="store_true", default=None)
        parser.add_argument("--no-crutches", dest="crutches", action="store_false")
        parser.add_argument("--weight-bearing", choices=WeightBearing.values)
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
            help="List the article's therapies and tips, and exit.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        article = self._article(options["slug"], options["language"])
        snapshot = build_snapshot(article)
        if options["list_options"]:
            self._list_options(snapshot)
            return
        if options["patient"] is None or options["output"] is None:
            raise CommandError("--patient and --output are required.", returncode=USAGE_ERROR)
        clinic = ClinicProfile.load()
        try:
            require_clinic_ready(clinic)
        except ClinicNotReady as error:
            raise CommandError(
                "Cannot render a handout: " + str(error), returncode=USAGE_ERROR
            ) from error
        form = HandoutForm(
            self._form_data(options, snapshot, clinic), snapshot=snapshot, clinic=clinic
        )
        if not form.is_valid():
            problems = [
                f"{name}: {' '.join(map(str, errors))}" for name, errors in form.errors.items()
            ]
            raise CommandError(
                "Invalid handout:\n  " + "\n  ".join(problems), returncode=USAGE_ERROR
            )
        handout = build_handout(
            article,
            form.handout_choices(),
            issued_by=None,
            issued_by_name=options["clinician"],
            snapshot=snapshot,
        )
        try:
            pdf = render_handout_pdf(handout, clinic)
        except PdfRenderError as error:
            raise CommandError(str(error)) from error
        options["output"].write_bytes(pdf)
        self.stdout.write(f"Wrote {options['output']} ({len(pdf):,} bytes).")

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
            "issue_token": str(uuid.uuid4()),
            "patient_name": options["patient"],
            "record_number": options["record_number"],
            "visit_date": options["visit_date"] or defaults["visit_date"].isoformat(),
            "rest_weeks": _given(options["rest_weeks"], defaults["rest_weeks"]),
            "weight_bearing": options["weight_bearing"] or defaults["weight_bearing"],
            "prevention_tips": self._tip_keys(options["tip"], snapshot, defaults),
            "background_sections": self._section_keys(options, snapshot, defaults),
            "follow_up_date": options["follow_up"] or "",
            "clinician_note": options["note"],
            "paper_size": options["paper"] or defaults["paper_size"],
        }
        if _given(options["crutches"], defaults["crutches"]):
            data["crutches"] = "on"
        if options["large_print"]:
            data["large_print"] = "on"
        data |= self._therapy_fields(options, snapshot)
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


def _given[T](value: T | None, default: T) -> T:
    return default if value is None else value
