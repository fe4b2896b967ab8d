"""Extension point: other apps add a section to a talent profile page (e.g. a speaker's talks).

An app registers a function once, in its AppConfig.ready():

    register_profile_section("meetups", talks_section)

`fn(*, profile, viewer)` returns a `ProfileSection` (or None to show nothing), using
one query for most profiles (it runs on every view of one), and only with what `viewer` may see.
"""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ProfileLink:
    label: str
    url: str
    detail: str = ""


@dataclass(frozen=True)
class ProfileSection:
    title: str
    links: list[ProfileLink] = field(default_factory=list)


_sources: dict[str, Callable[..., ProfileSection | None]] = {}


def register_profile_section(name: str, source: Callable[..., ProfileSection | None]) -> None:
    _sources[name] = source


def profile_sections(*, profile, viewer) -> list[ProfileSection]:
    sections = (_sources[name](profile=profile, viewer=viewer) for name in sorted(_sources))
    return [section for section in sections if section is not None and section.links]
