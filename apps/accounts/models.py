from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person with an account; people sign in with their e-mail address."""

    email = models.EmailField(_("e-mail address"), unique=True)
    # The interface language the member chose (blank: never chose, the site default
    # applies); notifications and e-mails to them use it.
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, blank=True)
    # An IANA zone name ("Europe/Madrid"); blank means the site's. Digests arrive in its morning.
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        indexes = [models.Index(fields=["date_joined"], name="accounts_user_joined_idx")]

    @property
    def preferred_language(self) -> str:
        return self.language or settings.LANGUAGE_CODE

    @property
    def preferred_time_zone(self) -> str:
        return self.time_zone or settings.TIME_ZONE

    def __str__(self):
        return self.get_full_name() or self.username
