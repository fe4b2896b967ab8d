"""A speaker's talks, shown on their talent profile."""

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from apps.meetups.selectors import talks_by_speaker
from apps.profiles.sections import ProfileLink, ProfileSection


def talks_section(*, profile, viewer) -> ProfileSection:
    return ProfileSection(
        title=_("Talks at meetups"),
        links=[
            ProfileLink(
                label=talk.title,
                url=reverse("meetups:event", args=[talk.event.slug]),
                detail=f"{talk.event.title}, {date_format(talk.event.starts_at, 'DATE_FORMAT')}",
            )
            for talk in talks_by_speaker(profile.user, viewer=viewer)
        ],
    )
