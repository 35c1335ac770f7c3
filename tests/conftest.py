"""Shared personas and content for the whole suite."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from education.models import Article
from education.samples import SAMPLE_DIR, load_sample_file
from portal.roles import ADMIN_SITE_ROLES, ADMINISTRATOR, CLINICIAN, EDITOR, FRONT_DESK

PASSWORD = "correct horse battery staple 42"


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # Production uses WhiteNoise's manifest storage, which needs `collectstatic` first.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def make_user(db):
    def make(username: str, role: str | None = None):
        user = get_user_model().objects.create_user(
            username=username,
            password=PASSWORD,
            first_name=username.title(),
            is_staff=role in ADMIN_SITE_ROLES,
        )
        if role:
            user.groups.add(Group.objects.get(name=role))
        return user

    return make


@pytest.fixture
def editor(make_user):
    return make_user("editor", EDITOR)


@pytest.fixture
def clinician(make_user):
    return make_user("clinician", CLINICIAN)


@pytest.fixture
def front_desk(make_user):
    return make_user("frontdesk", FRONT_DESK)


@pytest.fixture
def administrator(make_user):
    return make_user("administrator", ADMINISTRATOR)


@pytest.fixture
def outsider(make_user):
    """Signed in, but holds no role."""
    return make_user("outsider")


@pytest.fixture
def personas(editor, clinician, front_desk, administrator, outsider):
    return {
        "editor": editor,
        "clinician": clinician,
        "front_desk": front_desk,
        "administrator": administrator,
        "outsider": outsider,
    }


@pytest.fixture
def sample_article(db) -> Article:
    load_sample_file(SAMPLE_DIR / "bone-marrow-edema.en.json")
    return Article.objects.get(condition__slug="bone-marrow-edema", language="en")
