"""Account hooks: sign-up language, and what a new password ends."""

from urllib.parse import urlsplit

from allauth.account.signals import password_reset, user_signed_up
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import translation

from apps.accounts import live, login_budget, services
from apps.accounts.models import User


@receiver(user_signed_up, dispatch_uid="accounts.language_on_signup")
def remember_signup_language(sender, request, user, **kwargs):
    services.user_language_set(user=user, language=translation.get_language() or "")


@receiver(post_save, sender=User, dispatch_uid="accounts.revoke_tokens_on_password_change")
def revoke_tokens_on_password_change(sender, instance, created, **kwargs):
    """A new password (changed, reset by e-mail, set by staff) ends every API token.

    `set_password` leaves the raw password on `_password` until the save completes.
    Sessions are ended by Django's session hash, except the one that changed it.
    """
    if not created and instance._password is not None:
        services.api_tokens_revoke_all(user=instance)
        transaction.on_commit(lambda: live.sessions_end_sockets(user_id=instance.pk), robust=True)


@receiver(password_reset, dispatch_uid="accounts.login_budget_reset")
def forget_failures_after_reset(sender, request, user, **kwargs):
    login_budget.budget_reset(request, user=user)


def name_the_site(**kwargs):
    """Keep the Site row (used by allauth's e-mails) in step with SITE_NAME and SITE_URL.

    Runs after every `migrate`, so a deployment's e-mails name the real site rather than
    the "localhost" the first migration wrote.
    """
    from django.conf import settings
    from django.contrib.sites.models import Site

    Site.objects.update_or_create(
        pk=settings.SITE_ID,
        defaults={"name": settings.SITE_NAME, "domain": urlsplit(settings.SITE_URL).netloc},
    )
