"""Parts of signed-in pages that are the same for everyone who sees the same thing.

A member's page costs tens of milliseconds of templates and queries, most of it in parts
that do not depend on who asks (a list, its facets): the talent list of one search is the
same for every member whose own profile is listed. Such a part is rendered once inside
`{% cache fragment_max_age name fragment_key %}` and shared; its key carries the current
generations of the topics it shows (`apps.core.summaries`), so a write to one of them
makes the next reader render it afresh, and nothing is older than `SUMMARY_MAX_AGE`.
The queries behind the part run only when it is rendered: views pass them as lazy values
(`once`), computed on first use.
"""

from django.conf import settings
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language

from apps.core.summaries import Summary


def fragment_context(name: str, topics: tuple[str, ...], *parts) -> dict:
    """What a template needs to share a part: its key and how long it may be kept."""
    key = Summary(f"fragment:{name}", topics).key(*parts, get_language())
    return {"fragment_key": key, "fragment_max_age": settings.SUMMARY_MAX_AGE}


def once(compute):
    """A value computed on its first use, and only then (never on a cache hit)."""
    return SimpleLazyObject(compute)
