from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.db.models.functions import Lower
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
        # `username` is the handle a member chooses at sign-up (@mentions, speakers, judges are
        # found by it case-insensitively), so "Ana" and "ana" cannot be two people.
        constraints = [models.UniqueConstraint(Lower("username"), name="accounts_user_handle_ci_unique")]

    @property
    def preferred_language(self) -> str:
        return self.language or settings.LANGUAGE_CODE

    @property
    def preferred_time_zone(self) -> str:
        return self.time_zone or settings.TIME_ZONE

    @property
    def public_name(self) -> str:
        """The one name other people see: the profile's display name, else the member's own
        name, else the handle chosen at sign-up; never anything taken from the e-mail address.
        Lists select_related("…__profile") so this costs no query per person."""
        profile = getattr(self, "profile", None)
        return (profile.display_name if profile is not None else "") or self.get_full_name() or self.username

    def __str__(self):
        return self.public_name


class MemberSession(AbstractBaseSession):
    """A browser's session, with the member it is signed in as kept in a column: a page reads
    the session and its member in one statement (`apps.accounts.sessions`), and deleting an
    account deletes its sessions."""

    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.CASCADE, related_name="sessions")

    @classmethod
    def get_session_store_class(cls):
        from apps.accounts.sessions import SessionStore

        return SessionStore


class ApiToken(models.Model):
    """A key for the REST API with an expiry; only a digest of the key is stored.

    The key is shown once, when the token is created; revoking deletes the row.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    key_digest = models.CharField(max_length=64, unique=True)
    # The first characters of the key, so a member can tell their tokens apart.
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "-created_at"], name="accounts_token_user_idx")]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"
