"""How services hand work to a worker: by task name, after commit.

Services never import `workers/` (workers import services, never the reverse: see
docs/architecture.md, "Floors"). They name the task instead, and this module sends it
once the surrounding transaction commits; a task of a rolled-back change is never sent.
"""

from celery import current_app
from django.db import transaction


def enqueue_on_commit(name: str, *args, **kwargs) -> None:
    """Send task `name` with these arguments once the current transaction commits.

    A broker that is down is logged and dropped (`robust=True`): the rows stay and the
    periodic sweeps send the work later, so the request that changed them still succeeds.
    """
    transaction.on_commit(lambda: enqueue_now(name, *args, **kwargs), robust=True)


def enqueue_now(name: str, *args, **kwargs) -> None:
    """Send task `name` now; with tasks run in process (`make run`) run it here instead.

    `send_task` ignores `task_always_eager`, so the embedded stack looks the task up among
    those the Celery app imported (`CELERY_IMPORTS`) and applies it in this process.
    """
    if current_app.conf.task_always_eager:
        current_app.loader.import_default_modules()
        current_app.tasks[name].apply(args=args, kwargs=kwargs)
        return
    current_app.send_task(name, args=args, kwargs=kwargs)


def broker_reachable(timeout: float) -> str | None:
    """The readiness check of the task queue: raises when the broker cannot be reached."""
    if current_app.conf.task_always_eager:
        return "embedded (tasks run in process)"
    with current_app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=1, timeout=timeout)
    return None
