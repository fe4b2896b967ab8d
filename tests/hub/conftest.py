"""The Hub imitation of the session (started by the root conftest) for each test, reset."""

import pytest

from tests.hub.fake_hub import session_hub


@pytest.fixture
def fake_hub(settings):
    hub = session_hub()
    settings.HF_ENDPOINT = hub.url
    settings.HF_TOKEN = ""
    hub.reset()
    yield hub
    hub.reset()
