"""purge_handouts: personal data goes after the retention period; the record stays."""

import datetime
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from pytest_django import Settings
from time_machine import TimeMachineFixture

from education.models import Article
from handouts.models import Handout, HandoutEvent, HandoutPdf, ShareLink
from handouts.sharing import create_share_link

pytestmark = pytest.mark.django_db
Kind = HandoutEvent.Kind


def at(time_machine: TimeMachineFixture, year: int, month: int, day: int, hour: int) -> None:
    time_machine.move_to(datetime.datetime(year, month, day, hour, tzinfo=datetime.UTC))


@pytest.fixture
def old_and_new(
    time_machine: TimeMachineFixture,
    sample_article: Article,
    issue: Callable[..., Handout],
    clinician: User,
    settings: Settings,
) -> tuple[Handout, Handout, Handout]:
    settings.HANDOUT_RETENTION_DAYS = 90
    at(time_machine, 2027, 1, 1, 9)
    old = issue(
        sample_article, patient_name="Old Patient", record_number="R-1", clinician_note="Old note"
    )
    linked = issue(sample_article, patient_name="Linked Patient")
    create_share_link(linked, staff=clinician, days=60)  # expires 2 March 2027
    at(time_machine, 2027, 3, 15, 9)
    new = issue(sample_article, patient_name="New Patient")
    return old, linked, new


def test_dry_run_lists_what_would_be_purged_and_changes_nothing(
    old_and_new: tuple[Handout, Handout, Handout],
    time_machine: TimeMachineFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    old, linked, _new = old_and_new
    at(time_machine, 2027, 4, 2, 9)  # 91 days after 1 January
    call_command("purge_handouts", "--dry-run")
    out = capsys.readouterr().out
    assert str(old.public_id) in out
    assert str(linked.public_id) not in out  # its link expired less than 90 days ago
    assert "Dry run: 1 handout(s) past 90 days would be purged. Nothing was changed." in out
    assert "Old Patient" not in out
    assert Handout.objects.filter(purged_at__isnull=False).count() == 0


def test_purge_removes_personal_data_and_keeps_the_record(
    old_and_new: tuple[Handout, Handout, Handout],
    time_machine: TimeMachineFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    old, linked, new = old_and_new
    at(time_machine, 2027, 4, 2, 9)
    call_command("purge_handouts")
    assert "Purged 1 handout(s) past 90 days; removed 0 patient link(s)." in (
        capsys.readouterr().out
    )
    old.refresh_from_db()
    assert (old.patient_name, old.record_number, old.clinician_note) == ("", "", "")
    assert old.pdf_sha256 == "" and old.patient_name_search == ""
    assert not HandoutPdf.objects.filter(handout=old).exists()
    assert old.purged_at == datetime.datetime(2027, 4, 2, 9, tzinfo=datetime.UTC)
    assert (
        old.condition_list[0].snapshot["version"]
        and old.condition_list[0].article_id
        and old.visit_date
    )
    assert list(old.events.values_list("kind", flat=True)) == [Kind.ISSUED, Kind.PURGED]
    linked.refresh_from_db()
    new.refresh_from_db()
    assert linked.patient_name == "Linked Patient" and new.patient_name == "New Patient"


def test_retention_counts_from_the_later_of_issue_and_link_expiry(
    old_and_new: tuple[Handout, Handout, Handout],
    time_machine: TimeMachineFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _old, linked, _new = old_and_new
    at(time_machine, 2027, 6, 1, 9)  # the link expired 2 March, 91 days ago
    call_command("purge_handouts")
    assert "Purged 2 handout(s)" in capsys.readouterr().out
    linked.refresh_from_db()
    assert linked.purged_at and linked.patient_name == ""
    assert ShareLink.objects.count() == 0
    assert HandoutEvent.objects.filter(
        handout=linked, kind=Kind.LINK_CREATED, share_link__isnull=True
    ).exists()
    call_command("purge_handouts")
    assert "Purged 0 handout(s)" in capsys.readouterr().out  # running again changes nothing


def test_purged_handouts_show_what_remains_and_serve_no_pdf(
    old_and_new: tuple[Handout, Handout, Handout],
    time_machine: TimeMachineFixture,
    client: Client,
    front_desk: User,
) -> None:
    old, _linked, _new = old_and_new
    at(time_machine, 2027, 4, 2, 9)
    call_command("purge_handouts")
    client.force_login(front_desk)
    page = client.get(old.get_absolute_url()).content.decode()
    assert "removed on 2 April 2027 at the end of the retention period" in page
    assert "Personal data removed at the end of the retention period" in page
    download = client.get(reverse("handouts:pdf", args=[old.public_id]))
    assert download.status_code == 302
    assert download["Location"] == old.get_absolute_url()
