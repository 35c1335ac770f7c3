"""Work every staff page does, done once: templates compiled once per process, the user's
roles and permissions read once per request."""

from typing import cast

import pytest
from django.db import connection
from django.template import engines
from django.template.backends.django import DjangoTemplates
from django.template.loaders.cached import Loader as CachedLoader
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_templates_are_compiled_once_per_process() -> None:
    loaders = cast(DjangoTemplates, engines["django"]).engine.template_loaders
    assert [type(loader) for loader in loaders] == [CachedLoader]


@pytest.mark.parametrize("persona", ["clinician", "editor", "administrator"])
def test_a_page_reads_the_users_roles_and_permissions_once(
    client: Client, persona: str, request: pytest.FixtureRequest
) -> None:
    """The two-factor rule, the header's admin link and the view each ask what the user may
    do; the database is asked once."""
    user = request.getfixturevalue(persona)
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home")).status_code == 200
    group_reads = [q["sql"] for q in queries.captured_queries if '"auth_user_groups"' in q["sql"]]
    # Django's own permission lookup (one query through the groups) and the admin-role check.
    assert len(group_reads) == 2, group_reads
