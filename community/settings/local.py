"""Developer and demo settings: DEBUG on unless told otherwise."""

import os

os.environ.setdefault("DEBUG", "true")

from community.settings.base import *  # noqa: E402,F403
