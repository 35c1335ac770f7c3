"""content_report: one line per article version, and a --strict run that fails only on what
needs fixing: a published article overdue for review (or never reviewed), or above the
clinic's maximum reading grade with no override on record."""

import datetime
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from time_machine import TimeMachineFixture

from education.models import REVIEW_SOON_DAYS, Article, Section
from education.workflow import publish, start_draft, submit_for_review
from portal.models import ClinicProfile

pytestmark = pytest.mark.django_db

HARD = (
    "Osteonecrosis, characterised by irreversible devitalisation of trabecular osteocytes, "
    "necessitates multidisciplinary consideration of decompressive interventions."
)


def set_max_grade(grade: int) -> None:
    profile = ClinicProfile.load()
    profile.max_reading_grade = grade
    profile.save()


def strict_run(capsys: pytest.CaptureFixture[str]) -> tuple[str | int | None, str]:
    try:
        call_command("content_report", "--strict")
    except SystemExit as exit_info:
        return exit_info.code, capsys.readouterr().out
    return 0, capsys.readouterr().out


def test_content_report_lists_articles_with_their_version_and_strict_fails_on_grade_or_overdue(
    approve: Callable[..., Article],
    capsys: pytest.CaptureFixture[str],
    time_machine: TimeMachineFixture,
) -> None:
    time_machine.move_to(datetime.datetime(2027, 3, 1, tzinfo=datetime.UTC))
    approve(next_review_due=datetime.date(2027, 5, 1))
    code, out = strict_run(capsys)
    assert code == 0
    assert "Bone marrow edema | en | published | version 2 | grade" in out
    assert "2 article(s); 0 published article(s) need attention" in out

    set_max_grade(2)
    code, out = strict_run(capsys)
    assert code == 1
    assert "ABOVE GRADE 2" in out
    assert "1 published article(s) need attention" in out

    set_max_grade(8)
    time_machine.move_to(datetime.datetime(2027, 6, 1, tzinfo=datetime.UTC))
    code, out = strict_run(capsys)
    assert code == 1
    assert "REVIEW OVERDUE" in out
    call_command("content_report")  # without --strict it only reports


def test_a_published_article_never_reviewed_is_overdue_and_fails_the_strict_run(
    sample_article: Article, capsys: pytest.CaptureFixture[str]
) -> None:
    assert sample_article.last_reviewed_on is None and sample_article.needs_clinical_review
    code, out = strict_run(capsys)
    assert code == 1
    assert "| published | version 1 | grade" in out
    assert "review never reviewed | REVIEW OVERDUE" in out


def test_strict_run_accepts_an_article_published_above_the_maximum_with_a_recorded_override(
    sample_article: Article,
    draft: Article,
    editor: User,
    reviewer: User,
    capsys: pytest.CaptureFixture[str],
) -> None:
    set_max_grade(2)
    submit_for_review(draft, editor)
    published = publish(draft, reviewer, override_reason="Medical terms the patient must know.")
    assert published.grade_override_reason

    code, out = strict_run(capsys)

    assert code == 0
    assert "| published | version 2 | grade" in out
    assert "above grade 2, override recorded" in out
    assert "ABOVE GRADE" not in out
    assert "| archived | version 1 |" in out  # the replaced version is listed, never judged
    assert (
        "0 published article(s) need attention; 1 published above grade 2 with a "
        "recorded override." in out
    )


def test_strict_run_fails_above_the_maximum_when_no_override_was_recorded(
    sample_article: Article, capsys: pytest.CaptureFixture[str]
) -> None:
    assert sample_article.grade_override_reason == ""
    set_max_grade(2)
    code, out = strict_run(capsys)
    assert code == 1
    assert "ABOVE GRADE 2" in out and "override recorded" not in out


def test_published_versions_are_judged_by_the_grade_recorded_when_they_were_published(
    sample_article: Article, capsys: pytest.CaptureFixture[str]
) -> None:
    # A recorded grade no text gives: written past the model's guard, as only a database
    # administrator could.
    Article._base_manager.filter(pk=sample_article.pk).update(published_grade=12.5)
    code, out = strict_run(capsys)
    assert code == 1
    assert "| version 1 | grade 12.5 |" in out and "ABOVE GRADE 8" in out


def test_drafts_are_measured_now_and_reported_but_never_fail_the_strict_run(
    approve: Callable[..., Article], editor: User, capsys: pytest.CaptureFixture[str]
) -> None:
    live = approve()
    draft = start_draft(live, editor)
    Section.objects.create(article=draft, kind="other", body=HARD * 20)
    spanish = Article.objects.create(
        condition=live.condition,
        language="es",
        title="Borrador",
        summary="Texto.",
        state="draft",
    )
    Section.objects.create(article=spanish, kind="overview", body=HARD)
    set_max_grade(8)

    code, out = strict_run(capsys)

    assert code == 0
    assert "| en | draft | from version 2 |" in out
    assert "| es | draft | new |" in out


def test_reviews_due_within_the_portals_due_soon_window_are_shown_as_due(
    approve: Callable[..., Article],
    capsys: pytest.CaptureFixture[str],
    time_machine: TimeMachineFixture,
) -> None:
    time_machine.move_to(datetime.datetime(2027, 6, 1, tzinfo=datetime.UTC))
    last_day = datetime.date(2027, 6, 1) + datetime.timedelta(REVIEW_SOON_DAYS)
    approve(next_review_due=last_day)
    code, out = strict_run(capsys)
    assert code == 0
    assert "review due 2027-07-31" in out

    approve(next_review_due=last_day + datetime.timedelta(days=1))
    assert "review next 2027-08-01" in strict_run(capsys)[1]
