"""Pytest plugin, loaded with `-p` before pytest-django sets Django up.

The local Hub imitation must own HF_ENDPOINT before anything imports
huggingface_hub (it reads the variable at import time), and apps import it
while Django starts.
"""

from tests.hub.fake_hub import session_hub

session_hub()
