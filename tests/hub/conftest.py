"""The Hub imitation runs for the whole session; HF_ENDPOINT points at it before import."""

import os

from tests.hub.fake_hub import FakeHub

FAKE_HUB = FakeHub()
# Set before anything imports huggingface_hub, which reads HF_ENDPOINT at import time.
os.environ["HF_ENDPOINT"] = FAKE_HUB.url

import pytest  # noqa: E402


@pytest.fixture
def fake_hub(settings):
    settings.HF_ENDPOINT = FAKE_HUB.url
    settings.HF_TOKEN = ""
    FAKE_HUB.reset()
    yield FAKE_HUB
    FAKE_HUB.reset()
