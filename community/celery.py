"""The Celery application; tasks live in `workers/`, schedules in `workers/schedule.py`."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "community.settings.local")

app = Celery("community", task_cls="workers.base:TransactionAwareTask")
app.config_from_object("django.conf:settings", namespace="CELERY")


@app.on_after_finalize.connect
def _install_beat_schedule(sender, **kwargs):
    from workers.schedule import BEAT_SCHEDULE

    sender.conf.beat_schedule = BEAT_SCHEDULE
