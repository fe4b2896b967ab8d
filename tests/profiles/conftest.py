import pytest


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded avatars land in a temporary folder, never in var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
