"""WSGI entry point, for tools that do not speak ASGI (the platform itself runs on ASGI)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "community.settings.local")

application = get_wsgi_application()
