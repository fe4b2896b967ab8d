"""Writes on accounts."""

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from apps.accounts.models import User
from apps.core.errors import InvalidInput, NotAllowed


@transaction.atomic
def unverified_accounts_purge(*, now=None) -> int:
    """Delete sign-ups that never verified an address within the retention window.

    Staff accounts and anyone who has logged in are kept: only abandoned sign-ups go.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.UNVERIFIED_ACCOUNT_RETENTION_DAYS)
    verified_users = EmailAddress.objects.filter(verified=True).values("user_id")
    abandoned = User.objects.filter(
        date_joined__lt=cutoff, last_login__isnull=True, is_staff=False
    ).exclude(pk__in=verified_users)
    _total, deleted_per_model = abandoned.delete()
    return deleted_per_model.get(User._meta.label, 0)


def api_token_issue(*, request, email: str, password: str) -> Token:
    """The caller's API token, created on first use; only verified accounts get one."""
    user = authenticate(request, email=email, password=password)
    if user is None:
        raise InvalidInput(_("Unable to log in with the e-mail and password given."))
    if not EmailAddress.objects.filter(user=user, verified=True).exists():
        raise NotAllowed(_("Verify your e-mail address before using the API."))
    token, _created = Token.objects.get_or_create(user=user)
    return token


def user_language_set(*, user, language: str) -> None:
    """Remember the member's interface language (for notifications sent to them later)."""
    if language in dict(settings.LANGUAGES) and user.language != language:
        user.language = language
        user.save(update_fields=["language"])
