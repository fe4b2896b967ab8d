"""Task base class shared by every task of the platform."""

from celery import Task
from django.db import transaction


class TransactionAwareTask(Task):
    """Defers enqueueing to the end of the current transaction.

    A task enqueued inside `transaction.atomic` would otherwise reach a worker
    before its rows are committed (or even though they are rolled back).
    """

    def apply_async(self, args=None, kwargs=None, **options):
        if transaction.get_connection().in_atomic_block:
            transaction.on_commit(
                lambda: super(TransactionAwareTask, self).apply_async(args, kwargs, **options)
            )
            return None
        return super().apply_async(args, kwargs, **options)
