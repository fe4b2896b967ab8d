"""Parts of signed-in pages that are the same for everyone who sees the same thing.

A member's page costs tens of milliseconds of templates and queries, most of it in parts
that do not depend on who asks (a list, its facets): the talent list of one search is the
same for every member whose own profile is listed. Such a part is wrapped in
`{% shared_fragment fragment %}…{% endshared_fragment %}` and rendered once as a summary
(`apps.core.summaries`) of the topics it shows: a write to one of them makes the next
reader render it afresh, nothing is older than `SUMMARY_MAX_AGE`, and with the cache down
it is rendered for each request. The queries behind the part run only when it is
rendered: views pass them as lazy values (`once`), computed on first use.
"""

from dataclasses import dataclass

from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language

from apps.core.summaries import Summary


@dataclass(frozen=True)
class SharedFragment:
    """A part of a page shared by everyone for whom `parts` are the same."""

    name: str
    topics: tuple[str, ...]
    parts: tuple

    def render(self, render):
        # Fragments show people and what they publish: like visitors' pages, they never
        # outlive a write, even one Redis could not record (database generations).
        summary = Summary(f"fragment:{self.name}", self.topics, in_background=False, database_generations=True)
        return summary.get(render, *self.parts, get_language())


def once(compute):
    """A value computed on its first use, and only then (never when a fragment is shared)."""
    return SimpleLazyObject(compute)
