"""The demo seeders of `manage.py seed_demo`: a registry each app fills from its `AppConfig.ready`.

The accounts app makes the people (`register_demo_people`); every other app with demo data adds
`seed(log, people)` with `register_demo_seeder("meetups", seed, after=("hackathons",))`, naming
the seeders whose rows it builds on. An app that must change how the whole seeding runs (the
notifications app withholds e-mails to the made-up people) registers a context manager with
`register_demo_context`.
"""

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import ContextManager

from django.db import transaction


@dataclass(frozen=True)
class DemoSeeder:
    name: str
    seed: Callable  # seed(log, people)
    after: tuple[str, ...]


_people: list[Callable] = []  # seed(log) -> {"organisers": [...], "members": [...], ...}
_seeders: dict[str, DemoSeeder] = {}
_contexts: dict[str, Callable[[], ContextManager]] = {}


def register_demo_people(seed: Callable) -> None:
    _people[:] = [seed]


def register_demo_seeder(name: str, seed: Callable, *, after: tuple[str, ...] = ()) -> None:
    _seeders[name] = DemoSeeder(name, seed, tuple(after))


def register_demo_context(name: str, context: Callable[[], ContextManager]) -> None:
    _contexts[name] = context


def seeders_in_order() -> list[DemoSeeder]:
    """Every seeder after the ones it names (registration order otherwise); a cycle is an error."""
    ordered, placed = [], set()
    waiting = list(_seeders.values())
    while waiting:
        ready = [seeder for seeder in waiting if all(name in placed or name not in _seeders for name in seeder.after)]
        if not ready:
            raise ValueError(f"demo seeders wait for each other: {sorted(seeder.name for seeder in waiting)}")
        ordered.append(ready[0])
        placed.add(ready[0].name)
        waiting.remove(ready[0])
    return ordered


def demo_seed(log: Callable[[str], None]) -> None:
    """Make the people, then run every seeder in order, in one transaction that every registered
    context encloses (so it still holds while on-commit hooks run)."""
    with contextlib.ExitStack() as stack:
        for context in _contexts.values():
            stack.enter_context(context())
        stack.enter_context(transaction.atomic())
        people = _people[0](log)
        for seeder in seeders_in_order():
            seeder.seed(log, people)
