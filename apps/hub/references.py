"""Extension point: other apps tell the repository page who refers to a Hub repository.

An app registers a function once, in its AppConfig.ready():

    from apps.hub.references import RepositoryReference, register_reference_source

    def submissions_for(*, kind, repo_id):
        return [RepositoryReference(section=_("Hackathon submissions"), label=s.title,
                                    url=s.get_absolute_url()) for s in ...]

    register_reference_source("hackathons", submissions_for)

Sources must only return what any visitor may see, and use one query each.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class RepositoryReference:
    section: str  # e.g. "Profiles", "Hackathon submissions", "Compute grants"
    label: str
    url: str


ReferenceSource = Callable[..., Iterable[RepositoryReference]]
_sources: dict[str, ReferenceSource] = {}


def register_reference_source(name: str, source: ReferenceSource) -> None:
    """Register (or replace) the source called `name`; idempotent across reloads."""
    _sources[name] = source


def unregister_reference_source(name: str) -> None:
    _sources.pop(name, None)


def registered_reference_sources() -> list[str]:
    """Names of the registered sources (each costs the repository page one query)."""
    return sorted(_sources)


def repository_references(*, kind: str, repo_id: str) -> dict[str, list[RepositoryReference]]:
    """Every registered reference to one repository, grouped by section."""
    grouped: dict[str, list[RepositoryReference]] = {}
    for name in sorted(_sources):
        for reference in _sources[name](kind=kind, repo_id=repo_id):
            grouped.setdefault(str(reference.section), []).append(reference)
    return grouped
