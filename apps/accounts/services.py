"""Writes on accounts: API tokens, languages, and the account lifecycle (members' data rights)."""

import hashlib
import secrets
from datetime import timedelta

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts import login_budget, personal_data
from apps.accounts.live import sessions_end_sockets
from apps.accounts.models import ApiToken, MemberSession, User
from apps.core.errors import Conflict, InvalidInput, NotAllowed, NotFound, TooManyRequests


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


def expired_sessions_purge(*, now=None) -> int:
    """Delete sessions past their expiry: nobody can use them, and each still names a member."""
    deleted, _per_model = MemberSession.objects.filter(expire_date__lt=now or timezone.now()).delete()
    return deleted


def api_token_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user, name: str, lifetime_days: int | None = None) -> tuple[ApiToken, str]:
    """A new token for `user` and its key, which is never shown again."""
    lifetime_days = lifetime_days or settings.API_TOKEN_LIFETIME_DAYS
    if not 1 <= lifetime_days <= settings.API_TOKEN_MAX_LIFETIME_DAYS:
        raise InvalidInput(errors={"lifetime_days": [
            _("Choose between 1 and %(days)d days.") % {"days": settings.API_TOKEN_MAX_LIFETIME_DAYS}
        ]})
    # Lock the account row so two parallel requests cannot both take the last free place.
    User.objects.select_for_update().filter(pk=user.pk).first()
    now = timezone.now()
    ApiToken.objects.filter(user=user, expires_at__lte=now).delete()
    if ApiToken.objects.filter(user=user).count() >= settings.API_TOKENS_PER_MEMBER:
        raise Conflict(_("You have %(count)d tokens already: revoke one first.")
                       % {"count": settings.API_TOKENS_PER_MEMBER})
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=(name or "").strip()[:100] or _("API token"),
        key_digest=api_token_digest(key),
        prefix=key[:8],
        expires_at=now + timedelta(days=lifetime_days),
    )
    return token, key


def api_token_issue(*, request, email: str, password: str, name: str = "",
                    lifetime_days: int | None = None) -> tuple[ApiToken, str]:
    """A new token for whoever proves e-mail and password; only verified accounts get one.

    The attempt spends the same failed-login budget as the sign-in pages.
    """
    user = authenticate(request, email=email, password=password)
    if user is None:
        if login_budget.was_refused(request):
            raise TooManyRequests(_("Too many failed login attempts. Try again later."))
        raise InvalidInput(_("Unable to log in with the e-mail and password given."))
    if not EmailAddress.objects.filter(user=user, verified=True).exists():
        raise NotAllowed(_("Verify your e-mail address before using the API."))
    return api_token_create(user=user, name=name, lifetime_days=lifetime_days)


def api_token_revoke(*, user, token_id: int) -> None:
    deleted, _per_model = ApiToken.objects.filter(user=user, pk=token_id).delete()
    if not deleted:
        raise NotFound()


def api_tokens_revoke_all(*, user) -> int:
    deleted, _per_model = ApiToken.objects.filter(user=user).delete()
    return deleted


def user_language_set(*, user, language: str) -> None:
    """Remember the member's interface language (for notifications sent to them later)."""
    if language in dict(settings.LANGUAGES) and user.language != language:
        user.language = language
        user.save(update_fields=["language"])


def verification_resend(*, request, email: str) -> None:
    """Send the confirmation link again to an address still waiting for it. Says nothing about
    whether the address exists; allauth's "confirm_email" limit (one per address every three
    minutes, ACCOUNT_RATE_LIMITS) keeps it from being used to flood a mailbox."""
    from allauth.account.internal.flows.email_verification import send_verification_email_to_address
    from allauth.account.models import EmailAddress

    address = EmailAddress.objects.filter(email__iexact=email.strip(), verified=False).select_related("user").first()
    if address is not None:
        send_verification_email_to_address(request, address)


# --- Members' data rights: the walks over every app's declaration (personal_data.py) ------


def personal_data_export(*, user) -> dict:
    """Everything the platform keeps about a member, as JSON-serialisable data."""
    data = {"exported_at": timezone.now().isoformat()}
    for declaration in personal_data.declarations():
        if declaration.export is not None:
            data.update(declaration.export(user))
    return data


@transaction.atomic
def account_delete(*, user, password: str) -> User:
    """Delete a member's personal data; keep the row, anonymised.

    The User row stays (inactive, no usable password, placeholder e-mail) so content
    authored in other apps keeps a valid author; every app's `forget` first removes or
    anonymises what it holds about the person.
    """
    if not user.is_authenticated or not user.is_active:
        raise NotAllowed()
    if not user.has_usable_password():  # signed up through GitHub or Hugging Face
        raise InvalidInput(
            errors={"password": [_("Set a password for your account first, then confirm with it.")]}
        )
    if not password or not user.check_password(password):
        raise InvalidInput(errors={"password": [_("The password is not correct.")]})
    for declaration in sorted(personal_data.declarations(), key=lambda declaration: declaration.forget_last):
        if declaration.forget is not None:
            declaration.forget(user)
    EmailAddress.objects.filter(user=user).delete()
    SocialAccount.objects.filter(user=user).delete()
    user.api_tokens.all().delete()
    user.sessions.all().delete()  # every device's session, this one included
    user.groups.clear()
    user.user_permissions.clear()
    user.username = personal_data.anonymous_name(user)
    user.email = f"{personal_data.anonymous_name(user)}@deleted.invalid"
    user.first_name = user.last_name = ""
    user.is_active = user.is_staff = user.is_superuser = False
    user.set_unusable_password()  # also ends their sessions (Django checks the password hash)
    user.save()
    transaction.on_commit(lambda: sessions_end_sockets(user_id=user.pk), robust=True)
    return user
