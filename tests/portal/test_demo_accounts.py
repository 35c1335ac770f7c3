from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from pytest_django import Settings

from portal.demo import ensure_demo_accounts

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_one_demo_account_per_role_with_a_printed_password(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    settings.DEBUG = True
    call_command("create_demo_accounts")
    out = capsys.readouterr().out
    users = get_user_model().objects.order_by("username")
    roles = [(u.username, sorted(u.groups.values_list("name", flat=True))) for u in users]
    assert roles == [
        ("admin", ["Administrator"]),
        ("clinician", ["Clinician"]),
        ("editor", ["Content editor"]),
        ("frontdesk", ["Front desk"]),
        ("lead", ["Clinic lead"]),
        ("reviewer", ["Content editor", "Content reviewer"]),
    ]
    line = next(line for line in out.splitlines() if line.strip().startswith("clinician"))
    password = line.split("password:")[1].strip()
    assert get_user_model().objects.get(username="clinician").check_password(password)
    assert "http://127.0.0.1:8000/" in out
    assert "docs/using.md" in out and (ROOT / "docs" / "using.md").exists()


@pytest.mark.django_db
def test_running_the_demo_setup_twice_changes_nothing(settings: Settings) -> None:
    first = ensure_demo_accounts()
    hashes = dict(get_user_model().objects.values_list("username", "password"))
    second = ensure_demo_accounts()
    assert all(account.password for account in first)
    assert not any(account.password for account in second)
    assert dict(get_user_model().objects.values_list("username", "password")) == hashes
    assert get_user_model().objects.count() == 6


@pytest.mark.django_db
def test_demo_accounts_are_refused_when_debug_is_off(settings: Settings) -> None:
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG=1"):
        call_command("create_demo_accounts")
    assert get_user_model().objects.count() == 0
