"""Keep the garbage collector's full passes short in a long-running server process.

A process's first requests build what then lives as long as it does (URL resolvers, views,
templates, translation catalogues, serializers): some 200,000 objects on top of what the
imports made. CPython's full collections walk every one of them; under load one came every
few seconds and stopped the process for 130–200 ms, which was the p99 of every page, the
floor's included (docs/benchmarks.md). Moving what is alive once the process is warm into
the permanent generation (`gc.freeze`) cuts a full collection to about 10 ms.

Later freezes take in what rarer pages built. What a freeze holds is never collected, so
there are few of them, each after a full collection: only the requests in flight at that
moment are kept for good.
"""

import gc
import itertools
import logging

from django.core.signals import request_finished

logger = logging.getLogger(__name__)


def freeze_heap_after(request_counts):
    """Freeze the heap when this process has finished each of `request_counts` requests.

    Returns the signal receiver (connected; disconnect it to stop)."""
    pending = sorted(set(request_counts))
    finished = itertools.count(1)

    def freeze_when_warm(sender, **kwargs):
        count = next(finished)
        if pending and count >= pending[0]:
            pending.pop(0)
            gc.collect()
            gc.freeze()
            logger.info("heap frozen after %s requests: %s objects", count, gc.get_freeze_count())

    if pending:
        request_finished.connect(freeze_when_warm, weak=False)
    return freeze_when_warm
