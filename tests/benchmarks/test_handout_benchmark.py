"""make bench's builder figures (benchmarks.handouts.time_builder_gets): its query count is
the builder's, as a capture around one GET counts it. Never its timings."""

import pytest
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from benchmarks.handouts import SAMPLE_SLUG, set_up, time_builder_gets

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("roles")]


def test_the_builder_gets_count_the_builders_queries(client, settings) -> None:
    settings.ALLOWED_HOSTS = ["testserver"]
    fixture = set_up()
    client.force_login(fixture.clinician)
    url = reverse("handouts:new", args=[SAMPLE_SLUG, fixture.article.language])
    client.get(url)
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    builder_queries = len(queries)

    result = time_builder_gets(fixture, 2)

    assert result.queries == builder_queries > 0
    assert len(result.gets_ms) == len(result.cpu_ms) == 2
