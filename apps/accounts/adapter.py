"""allauth hooks: the sign-in pages spend the same failed-login budget as every other way in."""

from allauth.account.adapter import DefaultAccountAdapter

from apps.accounts import login_budget


class AccountAdapter(DefaultAccountAdapter):
    def pre_authenticate(self, request, **credentials):
        """Budget kept by `login_budget` inside `authenticate()` (allauth's own would count twice)."""

    def authenticate(self, request, **credentials):
        user = super().authenticate(request, **credentials)
        if user is None and login_budget.was_refused(request):
            raise self.validation_error("too_many_login_attempts")
        return user
