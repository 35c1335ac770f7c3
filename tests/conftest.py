"""Shared personas and content for the whole suite."""

import datetime
import logging
import uuid
from collections.abc import Callable, Iterator

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, User
from django.test import Client
from django.utils import translation
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from pytest_django import Settings
from pytest_django.live_server_helper import LiveServer
from time_machine import TimeMachineFixture

from education.models import Article
from education.packs import load_shipped
from education.workflow import start_draft
from handouts.issuing import issue_handout
from handouts.models import Handout
from portal.models import ClinicProfile
from portal.roles import (
    ADMIN_SITE_ROLES,
    ADMINISTRATOR,
    CLINIC_LEAD,
    CLINICIAN,
    EDITOR,
    FRONT_DESK,
    REVIEWER,
    sync_roles,
)
from portal.time_limit import stop_idle_children
from tests.helpers import PASSWORD, default_choices, outside_network_blocked


@pytest.fixture(scope="session", autouse=True)
def _no_outside_network() -> Iterator[None]:
    """No test reaches another machine: a connection to anything but this one (loopback, Unix
    sockets) fails with NetworkBlocked. PostgreSQL, the live server and Chromium stay local."""
    with outside_network_blocked():
        yield


@pytest.fixture(autouse=True)
def _test_server_settings(settings: Settings) -> None:
    # Production uses WhiteNoise's manifest storage, which needs `collectstatic` first.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # The test client speaks plain HTTP; with DEBUG off every request would be redirected.
    settings.SECURE_SSL_REDIRECT = False
    # Hashing is not what these tests measure; the real hasher makes every persona cost
    # about a quarter of a second.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def live_server(_test_server_settings: None) -> Iterator[LiveServer]:
    """A live server per test (browser tests, FHIR clients), started after the test settings
    apply (the session-wide one builds its middleware first, and with DEBUG off that would
    redirect to HTTPS)."""
    server = LiveServer("localhost")
    yield server
    server.stop()


class StaffClient(Client):
    """force_login() as a real sign-in ends: with the second factor passed when the user has
    an authenticator (as editors and administrators must)."""

    def force_login(self, user: User, backend: str | None = None) -> None:
        super().force_login(user, backend)
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is not None:
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()


@pytest.fixture
def client() -> StaffClient:
    return StaffClient()


class _ErrorCollector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(autouse=True)
def _language_restored() -> Iterator[None]:
    """Every test starts and ends in the default language: a test that activates Spanish (or a
    view that does, outside a request) never leaves it active for the next test in its worker."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_render_children() -> None:
    """PDFs are drawn in kept child processes (portal.time_limit): each test starts with none,
    so the first render forks one that sees this test's settings, patches and clock."""
    stop_idle_children()


@pytest.fixture(autouse=True)
def _weasyprint_errors_fail_the_test(
    request: pytest.FixtureRequest,
) -> Iterator[_ErrorCollector]:
    """Missing alternative text or language, or a resource we meant to load but could not,
    is logged by WeasyPrint at ERROR: any such record fails the test that rendered it."""
    collector = _ErrorCollector()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collector)
    yield collector
    logger.removeHandler(collector)
    if collector.records and not request.node.get_closest_marker("weasyprint_errors_expected"):
        messages = "\n".join(record.getMessage() for record in collector.records)
        pytest.fail(f"WeasyPrint logged errors:\n{messages}")


@pytest.fixture
def roles(db: None) -> None:
    """The role groups. Data migrations create them, but tests that commit (browser tests,
    concurrency tests) flush the database afterwards; recreate them as the migration does."""
    if not Group.objects.exists():
        sync_roles(django_apps)


@pytest.fixture
def make_user(roles: None) -> Callable[..., User]:
    def make(username: str, role: str | None = None) -> User:
        user = get_user_model().objects.create_user(
            username=username,
            password=PASSWORD,
            first_name=username.title(),
        )
        if role:
            user.groups.add(Group.objects.get(name=role))
        if role in ADMIN_SITE_ROLES:  # everyone who works in the admin has an authenticator
            TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
        return user

    return make


@pytest.fixture
def editor(make_user: Callable[..., User]) -> User:
    return make_user("editor", EDITOR)


@pytest.fixture
def reviewer(make_user: Callable[..., User]) -> User:
    """A content editor with the reviewer flag: may approve and publish."""
    user = make_user("reviewer", EDITOR)
    user.groups.add(Group.objects.get(name=REVIEWER))
    return user


@pytest.fixture
def clinician(make_user: Callable[..., User]) -> User:
    return make_user("clinician", CLINICIAN)


@pytest.fixture
def front_desk(make_user: Callable[..., User]) -> User:
    return make_user("frontdesk", FRONT_DESK)


@pytest.fixture
def administrator(make_user: Callable[..., User]) -> User:
    return make_user("administrator", ADMINISTRATOR)


@pytest.fixture
def clinic_lead(make_user: Callable[..., User]) -> User:
    return make_user("lead", CLINIC_LEAD)


@pytest.fixture
def superuser(roles: None) -> User:
    """Made as `manage.py createsuperuser` makes one, with an authenticator set up."""
    root = get_user_model().objects.create_superuser("root", password=PASSWORD)
    TOTPDevice.objects.create(user=root, name="Authenticator app", confirmed=True)
    return root


@pytest.fixture
def outsider(make_user: Callable[..., User]) -> User:
    """Signed in, but holds no role."""
    return make_user("outsider")


@pytest.fixture
def personas(
    editor: User,
    clinician: User,
    front_desk: User,
    clinic_lead: User,
    administrator: User,
    outsider: User,
) -> dict[str, User]:
    return {
        "editor": editor,
        "clinician": clinician,
        "front_desk": front_desk,
        "clinic_lead": clinic_lead,
        "administrator": administrator,
        "outsider": outsider,
    }


@pytest.fixture
def sample_article(db: None) -> Article:
    load_shipped("bone-marrow-edema", ["en"])
    return Article.objects.get(condition__slug="bone-marrow-edema", language="en")


@pytest.fixture
def draft(sample_article: Article, editor: User) -> Article:
    """A new draft of the published sample article, as "Start a new draft" makes it."""
    return start_draft(sample_article, editor)


@pytest.fixture
def clinic(db: None) -> ClinicProfile:
    profile = ClinicProfile.load()
    profile.name = "Riverside Sports Clinic"
    profile.address = "12 River Road\nSpringfield"
    profile.phone = "+1 555 0100"
    profile.after_hours_phone = "+1 555 0199"
    profile.save()
    return profile


@pytest.fixture
def visit_day(time_machine: TimeMachineFixture) -> TimeMachineFixture:
    """The day of the visit the shared test data describes (2 February 2027). The builder
    accepts dates only near today, so tests that post it travel to that day first."""
    time_machine.move_to(datetime.datetime(2027, 2, 2, 9, tzinfo=datetime.UTC))
    return time_machine


@pytest.fixture
def issue(clinician: User, clinic: ClinicProfile) -> Callable[..., Handout]:
    def issue_for(article: Article, **overrides: object) -> Handout:
        handout, _created = issue_handout(
            article,
            default_choices(article, **overrides),
            issued_by=clinician,
            issue_token=uuid.uuid4(),
            clinic=clinic,
        )
        return handout

    return issue_for


@pytest.fixture
def handout(sample_article: Article, issue: Callable[..., Handout]) -> Handout:
    return issue(sample_article)
