"""python manage.py render_handout: a PDF without a record, for scripts and benchmarks."""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from time_machine import TimeMachineFixture

from education.models import Article
from education.packs import load_shipped
from handouts.models import Handout
from portal.models import ClinicProfile
from tests.helpers import pdf_text

pytestmark = pytest.mark.django_db


@pytest.mark.usefixtures("visit_day")  # the data describes a visit on 2 February 2027
def test_renders_a_handout_without_saving_a_record(
    sample_article: Article, clinic: ClinicProfile, tmp_path: Path
) -> None:
    output = tmp_path / "out.pdf"
    call_command(
        "render_handout",
        "bone-marrow-edema",
        "--language",
        "en",
        "--patient",
        "Zoë Núñez",
        "--rest-weeks",
        "6",
        "--visit-date",
        "2027-02-02",
        "--output",
        str(output),
    )
    text = pdf_text(output.read_bytes())
    assert "Zoë Núñez" in text
    assert "for 6 weeks, until Monday 15 March 2027" in text
    for therapy in sample_article.therapies.all():  # all therapies by default
        assert therapy.name in text
    assert Handout.objects.count() == 0


def test_options_choose_therapies_tips_paper_and_large_print(
    sample_article: Article, clinic: ClinicProfile, tmp_path: Path
) -> None:
    output = tmp_path / "out.pdf"
    call_command(
        "render_handout",
        "bone-marrow-edema",
        "--patient",
        "Ann",
        "--output",
        str(output),
        "--therapy",
        "heat treatment:5:3",
        "--tip",
        "4",
        "--paper",
        "letter",
        "--large-print",
        "--no-crutches",
        "--note",
        "Rest well.",
    )
    text = pdf_text(output.read_bytes())
    assert "Heat treatment 5 times a week 3 weeks" in text
    assert "Magnet treatment" not in text
    assert "Train with a coach or trainer if you do very hard training." in text
    assert "Do not push your body harder" not in text
    assert "Use crutches" not in text
    assert "Rest well." in text


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["unknown-condition", "--patient", "A"], "No published article for 'unknown-condition'"),
        (["bone-marrow-edema", "--language", "es", "--patient", "A"], "in language 'es'"),
        (
            ["bone-marrow-edema", "--patient", "A", "--rest-weeks", "60"],
            "rest_weeks: Rest can be 1 to 52 weeks.",
        ),
        (["bone-marrow-edema", "--patient", ""], "patient_name: Enter the patient's name"),
        (
            ["bone-marrow-edema", "--patient", "A", "--visit-date", "2027-13-01"],
            "visit_date: Enter a valid date.",
        ),
        (
            # The visit is today, 2 February 2027 (visit_day).
            ["bone-marrow-edema", "--patient", "A", "--follow-up", "2027-02-01"],
            "The follow-up cannot be before the visit date.",
        ),
        (
            ["bone-marrow-edema", "--patient", "A", "--visit-date", "9999-12-31"],
            "visit_date: Enter a date from 2 February 2026 to 1 February 2029.",
        ),
        (["bone-marrow-edema", "--patient", "A", "--therapy", "Yoga"], "Unknown therapy 'Yoga'"),
        (
            ["bone-marrow-edema", "--patient", "A", "--therapy", "Heat treatment:3"],
            "NAME:TIMES_A_WEEK:WEEKS",
        ),
        (["bone-marrow-edema", "--patient", "A", "--tip", "9"], "No prevention tip number 9"),
        (["bone-marrow-edema", "--patient", "A", "--section", "99"], "No section number 99"),
        (
            ["bone-marrow-edema", "--patient", "Ann \U00013000"],
            "patient_name: “\U00013000” (EGYPTIAN HIEROGLYPH A001) cannot be printed",
        ),
        (
            ["bone-marrow-edema", "--patient", "A", "--note", "n" * 1001],
            "clinician_note: Ensure this value has at most 1000 characters",
        ),
        (
            ["bone-marrow-edema", "--patient", "A", "--activity", "active"],
            "--activity: this article does not offer active. It offers: ",
        ),
        (
            ["bone-marrow-edema", "--patient", "A", "--activity", "active"],
            "--activity rest, relative",
        ),
        (
            ["bone-marrow-edema", "--patient", "A", "--site", "elbow"],
            "--site: this article does not offer elbow. It offers: ",
        ),
        (
            ["bone-marrow-edema", "--patient", "A", "--aid", "sling"],
            "--aid: this article does not offer sling. It offers: ",
        ),
        (
            ["bone-marrow-edema", "--patient", "A", "--self-care", "cold"],
            "--self-care: this article does not offer cold.",
        ),
        (
            ["bone-marrow-edema", "--patient", "A", "--arm-use", "light"],
            "--arm-use: this article does not offer arm use. It offers: ",
        ),
        (
            ["bone-marrow-edema", "--patient", "A", "--arm-use", "light"],
            "--weight-bearing none, partial, as_tolerated, full (default partial)",
        ),
        (
            ["bone-marrow-edema", "--patient", "A", "--back-to", "step"],
            "--back-to: this article does not offer back to work, school or sport.",
        ),
        (
            ["tennis-elbow", "--patient", "A", "--weight-bearing", "full"],
            "--weight-bearing: this article does not offer weight bearing. It offers: ",
        ),
        (
            ["tennis-elbow", "--patient", "A", "--self-care", "heat"],
            "--self-care: this article does not offer heat. It offers: ",
        ),
        (
            ["tennis-elbow", "--patient", "A", "--self-care", "heat"],
            "--self-care cold:3:10:7",
        ),
        (
            ["tennis-elbow", "--patient", "A", "--self-care", "cold:2:10"],
            "Write --self-care as NAME or NAME:TIMES_A_DAY:MINUTES:DAYS, not 'cold:2:10'.",
        ),
        (
            ["tennis-elbow", "--patient", "A", "--self-care", "cold:2:999:3"],
            "care-cold-minutes: Ensure this value is less than or equal to",
        ),
        (
            ["tennis-elbow", "--patient", "A", "--back-to", "soon"],
            "--back-to: write step, a date (YYYY-MM-DD) or none, not 'soon'.",
        ),
        (
            ["tennis-elbow", "--patient", "A", "--back-to", "2030-01-01"],
            "back_to_date: Enter a date from",
        ),
    ],
)
@pytest.mark.usefixtures("visit_day")
def test_bad_input_gives_a_clear_error_and_exit_status_2(
    sample_article: Article,
    clinic: ClinicProfile,
    tmp_path: Path,
    arguments: list[str],
    message: str,
) -> None:
    if arguments[0] == "tennis-elbow":
        load_shipped("tennis-elbow", ["en"])
    output = tmp_path / "out.pdf"
    with pytest.raises(CommandError) as error:
        call_command("render_handout", *arguments, "--output", str(output))
    assert message in str(error.value)
    assert error.value.returncode == 2
    assert not output.exists()


def test_list_options_names_therapies_and_numbered_tips(
    sample_article: Article, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("render_handout", "bone-marrow-edema", "--list-options")
    out = capsys.readouterr().out
    assert "Exercise in water (default 2 a week for 6 weeks)" in out
    assert "4. Train with a coach or trainer if you do very hard training." in out
    assert "1. What is bone marrow edema? [default]" in out


def test_sections_choose_the_background_and_no_background_leaves_only_the_plan(
    sample_article: Article, clinic: ClinicProfile, tmp_path: Path
) -> None:
    sections = list(sample_article.sections.all())
    output = tmp_path / "out.pdf"
    call_command(
        "render_handout",
        "bone-marrow-edema",
        "--patient",
        "Ann",
        "--output",
        str(output),
        "--section",
        "3",
    )
    text = pdf_text(output.read_bytes())
    assert sections[2].display_heading in text
    assert sections[0].display_heading not in text
    call_command(
        "render_handout",
        "bone-marrow-edema",
        "--patient",
        "Ann",
        "--output",
        str(output),
        "--no-background",
    )
    text = pdf_text(output.read_bytes())
    assert "More to know" not in text
    assert "Your plan" in text


def test_a_clinic_profile_without_a_phone_exits_with_status_2(
    sample_article: Article, db: None, tmp_path: Path
) -> None:
    output = tmp_path / "out.pdf"
    with pytest.raises(CommandError) as error:
        call_command(
            "render_handout", "bone-marrow-edema", "--patient", "Ann", "--output", str(output)
        )
    assert "no phone number" in str(error.value)
    assert error.value.returncode == 2
    assert not output.exists()


def test_list_options_names_the_plan_blocks_the_article_offers(
    sample_article: Article, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("render_handout", "bone-marrow-edema", "--list-options")
    out = capsys.readouterr().out
    blocks = out[out.index("Plan blocks:") : out.index("Therapies")]
    assert "--activity rest, relative" in blocks
    assert "--weight-bearing none, partial, as_tolerated, full" in blocks
    assert "--aid crutches:" in blocks
    assert "--physio-start YYYY-MM-DD" in blocks
    assert "--site knee, heel, foot, ankle, hip (--side left, right or both)" in blocks
    assert "--self-care" not in blocks


@pytest.mark.usefixtures("visit_day")
def test_plan_options_choose_the_activity_aids_and_physiotherapy_start(
    sample_article: Article, clinic: ClinicProfile, tmp_path: Path
) -> None:
    output = tmp_path / "out.pdf"
    call_command(
        "render_handout",
        "bone-marrow-edema",
        "--patient",
        "Ann",
        "--visit-date",
        "2027-02-02",
        "--activity",
        "relative",
        "--weight-bearing",
        "full",
        "--aid",
        "crutches:0",
        "--physio-start",
        "2027-02-09",
        "--output",
        str(output),
    )
    text = pdf_text(output.read_bytes())
    assert "Keep up your daily activities" in text
    assert "Rest the injured part" not in text
    assert "for balance, until your care team says you can stop" in text
    assert "Sessions start on Tuesday 9 February 2027." in text


@pytest.mark.usefixtures("visit_day")
def test_several_slugs_make_one_packet_each_with_its_own_options(clinic, tmp_path):
    from education.packs import load_shipped

    for slug in ["ankle-sprain", "low-back-pain", "knee-osteoarthritis"]:
        load_shipped(slug)
    output = tmp_path / "packet.pdf"
    call_command(
        "render_handout",
        "ankle-sprain",
        "--activity",
        "rest",
        "--rest-weeks",
        "3",
        "--patient",
        "Ana Demo",
        "low-back-pain",
        "--no-therapies",
        "--follow-up",
        "2027-03-01",
        "knee-osteoarthritis",
        "--side",
        "left",
        "--visit-date",
        "2027-02-02",
        "--output",
        str(output),
    )
    text = pdf_text(output.read_bytes())
    assert "Ana Demo" in text
    assert "Your plan: Ankle sprain" in text and "Your plan: Low back pain" in text
    assert "Rest your ankle for 3 weeks, until Monday 22 February 2027" in text
    assert "Your follow-up visit is on Monday 1 March 2027." in text
    assert "your left knee" in text
    assert Handout.objects.count() == 0


@pytest.mark.usefixtures("visit_day")
def test_a_packet_refuses_choices_that_contradict_and_repeated_slugs(clinic, tmp_path):
    from education.packs import load_shipped

    for slug in ["ankle-sprain", "low-back-pain"]:
        load_shipped(slug)
    output = tmp_path / "packet.pdf"
    common = ["--patient", "Ana", "--visit-date", "2027-02-02", "--output", str(output)]
    with pytest.raises(CommandError, match="Ankle sprain says no sport during rest"):
        call_command(
            "render_handout",
            "ankle-sprain",
            "--rest-weeks",
            "6",
            "low-back-pain",
            "--back-to",
            "2027-02-20",
            *common,
        )
    with pytest.raises(CommandError, match="once"):
        call_command("render_handout", "ankle-sprain", "ankle-sprain", *common)
    with pytest.raises(CommandError, match="--patient is the visit's"):
        call_command("render_handout", "ankle-sprain", *common, "low-back-pain", "--patient", "Bo")
    assert not output.exists()


def test_list_options_shows_every_block_with_its_option_and_defaults(db, capsys) -> None:
    load_shipped("tennis-elbow", ["en"])
    call_command("render_handout", "tennis-elbow", "--list-options")
    out = capsys.readouterr().out
    blocks = out[out.index("Plan blocks:") : out.index("Therapies")]
    assert "--site elbow (--side left, right or both)" in blocks
    assert "--activity relative, active (default relative)" in blocks
    assert "--arm-use none, light, as_tolerated, full (default as_tolerated)" in blocks
    assert "--aid brace:6 (NAME:WEEKS; default none; --no-aids)" in blocks
    assert "--self-care cold:3:10:7 (NAME:TIMES_A_DAY:MINUTES:DAYS; default cold;" in blocks
    assert "--physio-start YYYY-MM-DD" in blocks
    assert "--back-to step, YYYY-MM-DD or none (back to work, sport; default step)" in blocks
    assert "--weight-bearing" not in blocks


@pytest.mark.usefixtures("visit_day")
def test_arm_use_self_care_doses_and_a_date_back_to_work_and_sport(db, clinic, tmp_path) -> None:
    load_shipped("tennis-elbow", ["en"])
    output = tmp_path / "out.pdf"
    call_command(
        "render_handout",
        "tennis-elbow",
        "--patient",
        "Ann",
        "--visit-date",
        "2027-02-02",
        "--side",
        "right",
        "--arm-use",
        "light",
        "--self-care",
        "cold:2:12:5",
        "--aid",
        "brace",
        "--back-to",
        "2027-03-01",
        "--output",
        str(output),
    )
    text = " ".join(pdf_text(output.read_bytes()).split())
    assert "Use your right elbow only for light daily tasks" in text
    assert "2 times a day, for 12 minutes each time" in text
    assert "for the next 5 days" in text
    assert "You can go back to work on Monday 1 March 2027." in text
    assert "You can go back to sport on Monday 1 March 2027." in text
    assert "Wear the brace" in text


@pytest.mark.usefixtures("visit_day")
def test_back_to_a_step_or_left_out_and_no_self_care_or_aids(db, clinic, tmp_path) -> None:
    load_shipped("ankle-sprain", ["en"])
    step, none = tmp_path / "step.pdf", tmp_path / "none.pdf"
    common = ["ankle-sprain", "--patient", "Ann", "--visit-date", "2027-02-02"]
    call_command(
        "render_handout", *common, "--back-to", "step", "--self-care", "raise", "--output", step
    )
    call_command(
        "render_handout",
        *common,
        "--back-to",
        "none",
        "--no-self-care",
        "--no-aids",
        "--output",
        none,
    )
    stepped = " ".join(pdf_text(step.read_bytes()).split())
    assert "Go back to sport when your care team says you can." in stepped
    # Raising at the article's doses, and no cold pack: --self-care names all that is kept.
    assert "above the level of your heart 3 times a day, for 20 minutes" in stepped
    assert "Put a cold pack on" not in stepped
    left_out = " ".join(pdf_text(none.read_bytes()).split())
    assert "Go back to" not in left_out and "You can go back" not in left_out
    assert "above the level of your heart" not in left_out
    assert "Wear the brace" in stepped and "Wear the brace" not in left_out


def test_a_later_visit_date_moves_the_default_physiotherapy_start_with_it(
    visit_day: TimeMachineFixture, sample_article: Article, clinic: ClinicProfile, tmp_path: Path
) -> None:
    # Today is 2 February 2027; the visit is a month later and no --physio-start is given.
    output = tmp_path / "later.pdf"
    call_command(
        "render_handout",
        "bone-marrow-edema",
        "--patient",
        "Ana",
        "--visit-date",
        "2027-03-02",
        "--output",
        str(output),
    )
    text = " ".join(pdf_text(output.read_bytes()).split())
    assert "2 March 2027" in text
    assert "February 2027" not in text.split("Your physiotherapy")[-1]
