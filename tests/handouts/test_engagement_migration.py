"""What reached each handout's patient is stored, one row per handout (HandoutEngagement):
migration handouts 0019 fills it from the events recorded before it, and record_event keeps
it as events come. The dashboard counts the same before and after, and the same as the
events say handout by handout."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from benchmarks.scale import build_handouts
from education.models import Article
from handouts.events import record_event
from handouts.models import DeliveryWay, Handout, HandoutEngagement, HandoutEvent
from reports.dashboard import build_dashboard
from reports.forms import PeriodForm, with_default_period
from tests.reports.test_dashboard import expected_figures

BEFORE = [("handouts", "0018_visit_conditions")]
# Forward to the newest: the reports read tables added after 0019 too (teach-back answers).
AFTER = [("handouts", "0020_teach_back_answers")]
Kind = HandoutEvent.Kind
FIELDS = ("handout_id", "delivery", "link_created", "downloaded", "first_opened_at")


def migrate(targets: list[tuple[str, str]]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def year_of_figures() -> tuple[object, dict[str, list[list[str]]]]:
    today = timezone.localdate()
    start = (today - datetime.timedelta(weeks=52)).isoformat()
    form = PeriodForm(with_default_period({"start": start}, today))
    assert form.is_valid()
    dashboard = build_dashboard(form.period())
    tables = {slug: [*t.rows, t.total or []] for slug, t in dashboard.tables.items()}
    return dashboard.total, tables


@pytest.mark.django_db(transaction=True)
def test_the_migration_states_every_handout_from_the_events_recorded_before_it(
    clinician: User, sample_article: Article
) -> None:
    build_handouts(80)  # handouts and events, as the code before the migration wrote them
    kept = set(HandoutEngagement.objects.values_list(*FIELDS))
    total, tables = year_of_figures()
    events = HandoutEvent.objects.count()

    migrate(BEFORE)  # the table is gone: only handouts and their events are left
    migrate(AFTER)

    assert set(HandoutEngagement.objects.values_list(*FIELDS)) == kept
    assert HandoutEngagement.objects.count() == Handout.objects.count() == 80
    assert HandoutEvent.objects.count() == events
    assert year_of_figures() == (total, tables)
    oracle = expected_figures(Handout.objects.prefetch_related("events"))
    assert {name: getattr(total, name) for name in oracle} == oracle
    ways = set(HandoutEngagement.objects.values_list("delivery", flat=True))
    assert ways == {DeliveryWay.EMAIL, DeliveryWay.LINK, DeliveryWay.PRINT_ONLY}


@pytest.mark.django_db
def test_record_event_keeps_the_handouts_engagement(handout: Handout) -> None:
    issued = HandoutEngagement.objects.get(handout=handout)  # made at issue
    assert (issued.issued_at, issued.issued_by_id, issued.language) == (
        handout.issued_at,
        handout.issued_by_id,
        handout.language,
    )
    assert issued.delivery == DeliveryWay.PRINT_ONLY and issued.first_opened_at is None

    record_event(handout, Kind.LINK_CREATED)
    record_event(handout, Kind.CODE_ACCEPTED)
    first_open = HandoutEvent.objects.get(kind=Kind.CODE_ACCEPTED).at
    record_event(handout, Kind.CODE_ACCEPTED)  # a later open is not the first
    record_event(handout, Kind.EMAIL_FAILED)  # email wins over the link, sent or not

    engagement = HandoutEngagement.objects.get(handout=handout)
    assert engagement.delivery == DeliveryWay.EMAIL
    assert engagement.link_created and not engagement.downloaded
    assert engagement.first_opened_at == first_open

    record_event(handout, Kind.PATIENT_DOWNLOADED)
    engagement.refresh_from_db()
    assert engagement.downloaded
