"""Hackathon submissions shown on a Hub repository's page, once results are public."""

from django.urls import reverse
from django.utils.translation import gettext as _

from apps.hackathons.selectors import submissions_referencing
from apps.hub.references import RepositoryReference


def submissions_using(*, kind: str, repo_id: str) -> list[RepositoryReference]:
    return [
        RepositoryReference(
            section=_("Hackathon submissions"),
            label=_("%(submission)s, by %(team)s at %(hackathon)s")
            % {
                "submission": submission.title,
                "team": submission.team.name,
                "hackathon": submission.hackathon.title,
            },
            url=reverse("hackathons:results", kwargs={"slug": submission.hackathon.slug}),
        )
        for submission in submissions_referencing([repo_id], kind=kind).prefetch_related(None)
    ]
