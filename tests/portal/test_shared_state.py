"""What must hold across worker processes (sessions, sign-in lockouts, patient-link limits)
lives in the database: the portal needs no cache server, and its cache is each process's own."""

from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse

from portal.sessions import end_sessions_of

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def test_a_session_ended_in_the_database_ends_at_the_next_request(client, clinician):
    """As another worker process would see it: no cached copy keeps the session alive."""
    client.force_login(clinician)
    assert client.get(reverse("home")).status_code == 200
    assert end_sessions_of(clinician) == 1
    assert not Session.objects.exists()
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_no_code_keeps_state_in_the_cache():
    """The cache is local to each worker process: a limit or lockout kept there would not
    hold across workers."""
    for app in ["portal", "education", "handouts"]:
        for path in (ROOT / app).rglob("*.py"):
            source = path.read_text(encoding="utf-8")
            assert "from django.core.cache" not in source, path
            assert "cache_page" not in source, path
