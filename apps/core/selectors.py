"""Reads shared by the home page and the public stats endpoint."""

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.db.models import Count, Q, Sum
from django.utils import timezone

from apps.accounts.models import User
from apps.compute.selectors import gpu_hours_numbers
from apps.core.summaries import Summary
from apps.hackathons.selectors import hackathon_numbers
from apps.hub.models import HubRepository
from apps.meetups.selectors import meetup_numbers
from apps.profiles.choices import Visibility
from apps.profiles.models import Profile


PLATFORM_NUMBERS = Summary("platform-numbers", ("accounts", "profiles", "hub", "hackathons", "compute"))


def platform_numbers() -> dict:
    """The home page's numbers, shared through the cache until one of their tables changes.

    `computed_at` says when: the page shows it rather than claiming the numbers are live."""
    return PLATFORM_NUMBERS.get(_platform_numbers)


def _platform_numbers() -> dict:
    """Counts as of now; one query per source table."""
    month_ago = timezone.now() - timedelta(days=30)
    members = User.objects.filter(is_active=True).aggregate(
        total=Count("id"), joined_last_30_days=Count("id", filter=Q(date_joined__gte=month_ago))
    )
    hub = HubRepository.objects.filter(private=False, removed_at__isnull=True).aggregate(
        repositories=Count("id"), downloads=Sum("downloads", default=0)
    )
    return {
        "members": members["total"],
        "members_joined_last_30_days": members["joined_last_30_days"],
        "verified_emails": EmailAddress.objects.filter(verified=True).count(),
        "hub_repositories": hub["repositories"],
        "hub_downloads_last_30_days": hub["downloads"],
        "public_profiles": Profile.objects.filter(
            visibility=Visibility.PUBLIC, user__is_active=True
        ).count(),
        **hackathon_numbers(),
        **meetup_numbers(),
        **gpu_hours_numbers(),
        "computed_at": timezone.now(),
    }
