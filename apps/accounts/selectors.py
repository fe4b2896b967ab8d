"""Reads on accounts."""

from django.db.models import QuerySet

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
