"""Open Source AI Community: Django project package."""

from community.celery import app as celery_app

__all__ = ["celery_app"]
