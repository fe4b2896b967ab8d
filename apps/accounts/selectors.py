"""Reads on accounts."""

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from apps.accounts.models import ApiToken, User


def member_list() -> QuerySet[User]:
    """Active members, newest first."""
    return User.objects.filter(is_active=True).order_by("-date_joined")


def api_tokens_of(*, user) -> QuerySet[ApiToken]:
    """The member's tokens that still work, newest first."""
    return ApiToken.objects.filter(user=user, expires_at__gt=timezone.now()).order_by("-created_at")


def named_people() -> QuerySet[User]:
    """Users with what `User.public_name` reads (the profile) in the same query: the queryset
    of every Prefetch of people whose names a page shows."""
    return User.objects.select_related("profile")


def member_numbers() -> dict[str, int]:
    """Members and verified addresses for the home page (two queries)."""
    month_ago = timezone.now() - timedelta(days=30)
    members = User.objects.filter(is_active=True).aggregate(
        total=Count("id"), joined_last_30_days=Count("id", filter=Q(date_joined__gte=month_ago))
    )
    return {
        "members": members["total"],
        "members_joined_last_30_days": members["joined_last_30_days"],
        "verified_emails": EmailAddress.objects.filter(verified=True).count(),
    }
