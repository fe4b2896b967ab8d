"""Reads for "My community" (/me/): what a member has going on across the platform.

A registry: each app adds what it holds about the member from its `AppConfig.ready` with
`register_my_community_source("meetups", meetups_part)`, one query per source whatever the
member's history, so the page stays constant-time and the ground floor names no app.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.utils import timezone

HORIZON_DAYS = 60


@dataclass
class Deadline:
    when: datetime | date
    label: str
    title: str
    url: str


@dataclass
class MyCommunityPart:
    """One app's share of the page: what its template section reads, its deadlines, its things to do."""

    context: dict
    deadlines: list[Deadline] = field(default_factory=list)
    to_do: int = 0


# source(*, user, now, horizon) -> MyCommunityPart; `horizon` ends the deadlines worth showing
MyCommunitySource = Callable[..., MyCommunityPart]
_sources: dict[str, MyCommunitySource] = {}


def register_my_community_source(name: str, source: MyCommunitySource) -> None:
    _sources[name] = source


def _day(moment) -> date:
    return timezone.localdate(moment) if isinstance(moment, datetime) else moment


def my_community(*, user) -> dict:
    """Everything the page shows, with the deadlines of the next two months merged in date order."""
    now = timezone.now()
    horizon = now + timedelta(days=HORIZON_DAYS)
    context, deadlines, to_do = {}, [], 0
    for source in _sources.values():
        part = source(user=user, now=now, horizon=horizon)
        context.update(part.context)
        deadlines.extend(part.deadlines)
        to_do += part.to_do
    deadlines.sort(key=lambda deadline: _day(deadline.when))
    return {**context, "deadlines": deadlines, "to_do": to_do}
