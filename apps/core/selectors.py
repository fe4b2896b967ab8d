"""Reads shared by the home page and the public stats endpoint.

The home page's numbers are a registry: each app adds its counts from its `AppConfig.ready`
with `register_platform_numbers("hub", hub_numbers, topics=("hub",))`, so the ground floor
names no app above it.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

from apps.core.summaries import Summary


@dataclass(frozen=True)
class NumbersSource:
    numbers: Callable[[], dict]  # the app's counts, one query per table
    topics: tuple[str, ...]  # summary topics whose writes change them (apps.core.summaries)


_number_sources: dict[str, NumbersSource] = {}


def register_platform_numbers(name: str, numbers: Callable[[], dict], *, topics: tuple[str, ...] = ()) -> None:
    _number_sources[name] = NumbersSource(numbers, tuple(topics))


def platform_numbers() -> dict:
    """The home page's numbers, shared through the cache until one of their tables changes.

    `computed_at` says when: the page shows it rather than claiming the numbers are live."""
    topics = tuple(sorted({topic for source in _number_sources.values() for topic in source.topics}))
    return Summary("platform-numbers", topics).get(_platform_numbers)


def _platform_numbers() -> dict:
    """Counts as of now, from every registered source."""
    numbers = {}
    for source in _number_sources.values():
        numbers.update(source.numbers())
    return {**numbers, "computed_at": timezone.now()}
