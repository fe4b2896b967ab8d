"""Reads on accounts."""

from django.db.models import QuerySet

from apps.accounts.models import User


def member_list() -> QuerySet[User]:
    """Active members, newest first."""
    return User.objects.filter(is_active=True).order_by("-date_joined")
