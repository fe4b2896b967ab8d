"""allauth hooks: the sign-in pages spend the same failed-login budget as every other way in,
handles never come from e-mail addresses, and a new member goes on to their first steps."""

from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse
from django.utils.http import urlencode

from apps.accounts import login_budget
from apps.accounts.handles import RESERVED_HANDLES


class AccountAdapter(DefaultAccountAdapter):
    def pre_authenticate(self, request, **credentials):
        """Budget kept by `login_budget` inside `authenticate()` (allauth's own would count twice)."""

    def authenticate(self, request, **credentials):
        user = super().authenticate(request, **credentials)
        if user is None and login_budget.was_refused(request):
            raise self.validation_error("too_many_login_attempts")
        return user

    def clean_username(self, username, shallow=False):
        if username.lower() in RESERVED_HANDLES:
            raise self.validation_error("username_blacklisted")
        return super().clean_username(username, shallow=shallow)

    def populate_username(self, request, user):
        """A sign-up without a chosen handle (a GitHub or OIDC login) gets one from the person's
        name, else "member…"; allauth's default would take the e-mail's local part."""
        if not user.username:
            user.username = self.generate_unique_username([user.first_name, user.last_name, "member"])

    def get_login_redirect_url(self, request):
        """A member who has not been through the guided setup yet goes on with it after signing in."""
        from apps.profiles.selectors import first_steps_remaining

        if first_steps_remaining(request.user):
            return reverse("profiles:first-steps")
        return super().get_login_redirect_url(request)

    def get_email_verification_redirect_url(self, email_address):
        """Confirming the address leads to the guided setup: at once when signed in, else after signing in."""
        if self.request.user.is_authenticated:
            return super().get_email_verification_redirect_url(email_address)
        return f"{reverse('account_login')}?{urlencode({'next': reverse('profiles:first-steps')})}"
