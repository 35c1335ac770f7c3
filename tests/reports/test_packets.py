"""A visit's packet holds one to three conditions: the dashboard counts it once in each of
its conditions' rows, and once in every other table."""

import datetime

from django.contrib.auth.models import User
from django.utils import timezone

from benchmarks.scale import build_handouts
from education.models import Article
from education.packs import load_shipped
from handouts.models import HandoutCondition
from reports.engagement import GROUPINGS, Figures, figures_by

PACKETS = 12


def year() -> tuple[datetime.datetime, datetime.datetime]:
    now = timezone.now()
    return now - datetime.timedelta(weeks=53), now + datetime.timedelta(days=1)


def counted(figures: Figures) -> tuple[object, ...]:
    return (figures.issued, figures.links, figures.opened, figures.opened_72h, figures.downloaded)


def test_a_packet_counts_once_in_each_of_its_conditions_and_once_everywhere_else(
    clinician: User, sample_article: Article
) -> None:
    build_handouts(PACKETS)  # one condition each, with their events
    load_shipped("ankle-sprain", ["en"])
    second = Article.objects.get(condition__slug="ankle-sprain", language="en")
    firsts = list(HandoutCondition.objects.all())
    HandoutCondition.objects.bulk_create(
        HandoutCondition(
            handout_id=first.handout_id, position=1, article=second, snapshot=first.snapshot
        )
        for first in firsts
    )
    since, until = year()
    (total,) = figures_by(since, until, None)
    assert total.issued == PACKETS and total.opened > 0 and total.links > total.opened

    by_condition = figures_by(since, until, GROUPINGS["conditions"])

    assert {f.key: f.label for f in by_condition} == {
        sample_article.condition_id: sample_article.condition.name,
        second.condition_id: second.condition.name,
    }
    assert [counted(f) for f in by_condition] == [counted(total)] * 2
    assert [f.median_to_open for f in by_condition] == [total.median_to_open] * 2
    for slug, grouping in GROUPINGS.items():
        if slug != "conditions":
            groups = figures_by(since, until, grouping)
            assert sum(f.issued for f in groups) == PACKETS, slug
            assert sum(f.opened for f in groups) == total.opened, slug
