"""Talks that presented a Hub repository, listed on the repository's page."""

from django.urls import reverse
from django.utils.translation import gettext as _

from apps.hub.references import RepositoryReference
from apps.meetups.selectors import talks_referencing


def talks_presenting(*, kind: str, repo_id: str) -> list[RepositoryReference]:
    return [
        RepositoryReference(
            section=_("Meetup talks"),
            label=_("%(talk)s, at %(event)s") % {"talk": talk.title, "event": talk.event.title},
            url=reverse("meetups:event", args=[talk.event.slug]),
        )
        for talk in talks_referencing(kind=kind, repo_id=repo_id)
    ]
