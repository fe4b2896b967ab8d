"""The server process's heap is frozen once it is warm (apps/core/heap.py)."""

import gc
from unittest import mock

from django.core.signals import request_finished

from apps.core.heap import freeze_heap_after


def test_the_heap_is_frozen_after_each_given_number_of_requests(client):
    assert gc.get_freeze_count() == 0
    freezes_after = []
    receiver = freeze_heap_after([5, 3])
    try:
        with mock.patch("apps.core.heap.gc.freeze", wraps=gc.freeze) as freeze:
            for _ in range(10):
                client.get("/healthz")
                freezes_after.append(freeze.call_count)
        assert freezes_after == [0, 0, 1, 1, 2, 2, 2, 2, 2, 2]
        assert gc.get_freeze_count() > 10_000  # the modules and what the requests built
    finally:
        request_finished.disconnect(receiver)
        gc.unfreeze()


def test_freezing_is_off_in_this_test_process_and_on_by_default_in_servers(settings):
    from community.settings import base

    assert settings.GC_FREEZE_AFTER_REQUESTS == []
    assert base.GC_FREEZE_AFTER_REQUESTS == [1000, 10000, 100000]
