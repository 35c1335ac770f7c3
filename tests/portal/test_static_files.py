from pathlib import Path

import pytest
from django.core.management import call_command
from pytest_django import Settings


@pytest.mark.django_db
def test_collectstatic_gathers_bootstrap_and_portal_assets_for_whitenoise(
    settings: Settings, tmp_path: Path
) -> None:
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    assert (tmp_path / "bootstrap" / "css" / "bootstrap.min.css").exists()
    assert (tmp_path / "portal" / "site.css").exists()
    assert (tmp_path / "staticfiles.json").exists()  # the manifest WhiteNoise serves from
    assert list(tmp_path.glob("portal/site.*.css.gz"))  # pre-compressed, hashed copies
