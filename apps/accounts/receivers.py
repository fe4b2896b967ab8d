"""Sign-up hook: a new member starts in the language they signed up in."""

from urllib.parse import urlsplit

from allauth.account.signals import user_signed_up
from django.dispatch import receiver
from django.utils import translation

from apps.accounts import services


@receiver(user_signed_up, dispatch_uid="accounts.language_on_signup")
def remember_signup_language(sender, request, user, **kwargs):
    services.user_language_set(user=user, language=translation.get_language() or "")


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
