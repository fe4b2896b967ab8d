"""Whole-table numbers (facet counts, home numbers, ledgers) computed once and shared.

A page must not run an aggregate over a whole table on every request. Each summary is
cached under a key that contains the current *generation* of every topic it reads
("profiles", "hub", "compute"…). A write to a topic moves its generation on, so the next
reader computes afresh: model saves and deletes do it through `invalidate_on_change`
(connected in each app's `ready()`), bulk writes that bypass signals (the Hub sync) call
`invalidate` themselves. A missed invalidation is bounded by the summary's timeout
(`SUMMARY_MAX_AGE`, documented in docs/operations.md).

The cache is a fast path only: when it fails (Redis down) the value is computed as if
nothing were cached, with a logged warning, and the page still renders.

Summaries that must never outlive a write (`database_generations=True`: the pages and API
answers cached for visitors, where a write can hide a profile) also put the topics'
generations kept in the database (`TopicGeneration`, bumped after each commit) into their
key, and never hand out the last value of an older key: a generation the cache could not
bump (Redis frozen or down) cannot leave a hidden profile on show when Redis answers again.

A summary that has been computed before is recomputed off the request (a thread of the
process, `SUMMARY_REFRESH_IN_BACKGROUND`) while readers get the last value: a 0.5 s
aggregate computed inside a request held every request queued behind that process's
one sync thread.
"""

from __future__ import annotations

import contextvars
import hashlib
import logging
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection as default_connection
from django.db import connections, transaction
from django.db.models.signals import post_delete, post_save
from django.utils import translation

from apps.core.cache import set_each_and_delete

logger = logging.getLogger(__name__)

# Saves that touch only these fields change no summary (a log-in stamps last_login).
# How long one caller may take to compute a summary before another tries too, and how long
# the others wait for it when there is no earlier value to give meanwhile.
_COMPUTE_LOCK_SECONDS = 30
_WAIT_SECONDS = 3

_IRRELEVANT_UPDATES = frozenset({"last_login"})
# One thread per process: refreshes queue behind each other instead of competing for the
# cores with the requests they are meant to spare.
_refresher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="summary-refresh")


def _topic_key(topic: str) -> str:
    return f"summary-topic:{topic}"


@dataclass(frozen=True)
class Summary:
    """One cached aggregate, recomputed when one of its `topics` is written.

    `in_background=False` for computations that need the request (rendered pages)."""

    name: str
    topics: tuple[str, ...]
    in_background: bool = True
    database_generations: bool = False

    def get(self, compute: Callable[[], Any], *parts, max_age: int | None = None) -> Any:
        """The cached value for these key parts (viewer tier, search…), else `compute()` stored.

        When the value is missing (a write moved a generation on, or it expired), one caller
        computes it while the others are given the last value computed for the same parts,
        or, when there is none, wait for it: 64 requests arriving together would otherwise
        all run the same 150 ms aggregate at once and queue behind each other for seconds.
        A `compute()` returning None is not stored."""
        timeout = max_age or settings.SUMMARY_MAX_AGE
        try:
            key = self.key(*parts)
            value = cache.get(key)
            if value is not None:
                return value
            latest = f"summary-latest:{self.name}:{key.rsplit(':', 1)[1]}"
            if not cache.add(f"{key}:computing", 1, timeout=_COMPUTE_LOCK_SECONDS):
                # The last value may predate a write: only summaries that may lag give it out.
                value = (not self.database_generations and cache.get(latest)) or _wait_for(key)
                if value is not None:
                    return value
            elif self.in_background and settings.SUMMARY_REFRESH_IN_BACKGROUND:
                value = cache.get(latest)
                if value is not None:
                    _refresher.submit(self._refresh, compute, key, latest, timeout, translation.get_language())
                    return value
        except Exception as exc:  # any cache failure: the page must still render
            logger.warning("Cache unavailable reading summary %s, computing it: %s", self.name, exc)
            return compute()
        value = compute()
        self._store(value, key, latest, timeout)
        return value

    def _store(self, value, key: str, latest: str, timeout: int) -> None:
        """One round trip: the value, the last value (for summaries that may hand it out
        while the next is computed) and the end of the computing lock."""
        try:
            if value is None:  # nothing to share now: neither may the last value be
                cache.delete_many([latest, f"{key}:computing"])
                return
            entries = [(key, value, timeout)]
            if not self.database_generations:  # never handed out for these (see `get`)
                entries.append((latest, value, timeout * 2))
            set_each_and_delete(cache, entries, [f"{key}:computing"])
        except Exception as exc:
            logger.warning("Cache unavailable storing summary %s: %s", self.name, exc)

    def _refresh(self, compute: Callable[[], Any], key: str, latest: str, timeout: int, language: str | None) -> None:
        try:
            with translation.override(language):
                value = compute()
        except Exception:
            logger.exception("Refreshing summary %s failed; its next reader tries again", self.name)
            cache.delete(f"{key}:computing")
            return
        finally:
            connections.close_all()  # this thread's connections go back to the pool
        self._store(value, key, latest, timeout)

    def key(self, *parts) -> str:
        """The cache key of these parts at the topics' current generations."""
        stamp = self._cache_stamp()
        if self.database_generations:
            stamp += ":" + _database_stamp(self.topics)
        digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
        return f"summary:{self.name}:{stamp}:{digest}"

    def _cache_stamp(self) -> str:
        keys = [_topic_key(topic) for topic in self.topics]
        generations = cache.get_many(keys)
        for key in keys:
            if key not in generations:
                # A generation that was evicted restarts from the clock, never from a
                # number an older cached value may still carry.
                cache.add(key, time.time_ns(), timeout=None)
                generations[key] = cache.get(key)
        return ".".join(str(generations[key]) for key in keys)


# The database generations a request has read (all topics: one row each, a small table), so
# that a page and the fragments inside it read them once. Emptied by every bump this request
# makes (a write of its own must show in what it reads next).
_generations_of_request: contextvars.ContextVar[dict | None] = contextvars.ContextVar("summary_generations", default=None)


class StampsPerRequestMiddleware:
    """Each request reads the topics' database generations at most once (unless it writes)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _generations_of_request.set({})
        try:
            return self.get_response(request)
        finally:
            _generations_of_request.reset(token)


def _database_stamp(topics: tuple[str, ...]) -> str:
    """The topics' generations kept in the database (one read per request)."""
    from apps.core.models import TopicGeneration

    read = _generations_of_request.get()
    if not read:
        # A fixed statement, run as it is: compiling it through the ORM cost more than running it.
        table = default_connection.ops.quote_name(TopicGeneration._meta.db_table)
        with default_connection.cursor() as cursor:
            cursor.execute(f"SELECT topic, generation FROM {table}")
            generations = dict(cursor.fetchall())
        if read is not None:
            read.update(generations, **{"": 0})  # "" marks the read done, even of an empty table
    else:
        generations = read
    return ".".join(str(generations.get(topic, 0)) for topic in topics)


def _bump_in_database(topic: str) -> None:
    """One more generation for `topic`, in its own statement (autocommit): the row is locked
    for that statement only, so writers of one topic never wait on each other's transactions."""
    from apps.core.models import TopicGeneration

    read = _generations_of_request.get()
    if read:
        read.clear()  # what this request wrote must show in what it reads next
    table = default_connection.ops.quote_name(TopicGeneration._meta.db_table)
    with default_connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (topic, generation) VALUES (%s, 1) "
            f"ON CONFLICT (topic) DO UPDATE SET generation = {table}.generation + 1",
            [topic],
        )


def _wait_for(key: str) -> Any:
    """The value another caller is computing, when it arrives within `_WAIT_SECONDS`."""
    deadline = time.monotonic() + _WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(0.02)
        value = cache.get(key)
        if value is not None:
            return value
    return None


def _bump(topic: str) -> None:
    key = _topic_key(topic)
    try:
        try:
            cache.incr(key)
        except ValueError:  # never read yet, or evicted
            cache.add(key, time.time_ns(), timeout=None)
    except Exception as exc:
        logger.warning("Cache unavailable invalidating summaries of %s: %s", topic, exc)


def invalidate(topic: str) -> None:
    """Every summary reading `topic` is recomputed by its next reader.

    Done now and again after the surrounding transaction commits: a reader between the two
    would otherwise cache what it read before the commit.
    """
    _bump(topic)
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        _bump_in_database(topic)
        return
    tag = f"summary:{topic}"
    if any(getattr(func, "summary_topic", None) == tag for _sids, func, _robust in connection.run_on_commit):
        return

    def after_commit():
        # The database first: it is what visitor caches check, whatever Redis does next.
        _bump_in_database(topic)
        _bump(topic)

    after_commit.summary_topic = tag
    transaction.on_commit(after_commit, robust=True)


def invalidate_on_change(topic: str, models: Iterable) -> None:
    """Saving or deleting any of these models invalidates the summaries of `topic`."""

    def on_change(sender, update_fields=None, **kwargs):
        if update_fields and frozenset(update_fields) <= _IRRELEVANT_UPDATES:
            return
        invalidate(topic)

    for model in models:
        uid = f"summaries:{topic}:{model._meta.label}"
        post_save.connect(on_change, sender=model, weak=False, dispatch_uid=f"{uid}:save")
        post_delete.connect(on_change, sender=model, weak=False, dispatch_uid=f"{uid}:delete")

