"""Production settings for a live ASGI server started by a test: static files served
from the source folders (tests never run collectstatic) and plain HTTP on loopback."""

from community.settings.production import *  # noqa: F403
from community.settings.production import STORAGES

STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
SECURE_SSL_REDIRECT = False
