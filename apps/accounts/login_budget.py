"""One failed-login budget per account and per client address, for every way in.

The sign-in pages (allauth), `POST /api/auth/token/` and `/admin/login/` all end in
Django's `authenticate()`. `LoginBudgetBackend` runs first there and refuses while the
budget is spent; the `user_login_failed` receiver spends it. The budget is
`ACCOUNT_RATE_LIMITS["login_failed"]` (per client address and per account), kept by
allauth's rate limiter, which reads the client address from `client_address()`.

An account is keyed by its primary key whatever name was typed (e-mail on the pages and
the API, username in the admin), so switching the way in does not buy more guesses.
"""

from allauth.core import ratelimit
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import BaseBackend, ModelBackend
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.dispatch import receiver

ACTION = "login_failed"
# Set on the request when a login was refused because the budget is spent, so each way
# in can answer "too many attempts" rather than "wrong password".
EXHAUSTED_FLAG = "login_budget_exhausted"


def _account_key(credentials: dict) -> str:
    login = (credentials.get("email") or credentials.get("username") or "").strip().lower()
    user_ids = list(
        get_user_model()
        .objects.filter(Q(email__iexact=login) | Q(username__iexact=login))
        .values_list("pk", flat=True)[:1]
    )
    return f"user:{user_ids[0]}" if user_ids else f"login:{login}"


def budget_left(request, credentials: dict) -> bool:
    """True while this address and this account may still try a password."""
    return bool(
        ratelimit.consume(request, action=ACTION, key=_account_key(credentials), dry_run=True)
    )


def budget_spend(request, credentials: dict) -> None:
    ratelimit.consume(request, action=ACTION, key=_account_key(credentials))


def budget_reset(request, *, user) -> None:
    """Forget an account's failures (after its password was reset by e-mail)."""
    ratelimit.clear(request, action=ACTION, key=f"user:{user.pk}")


def was_refused(request) -> bool:
    return bool(getattr(request, EXHAUSTED_FLAG, False))


class LoginBudgetBackend(BaseBackend):
    """First authentication backend: stops `authenticate()` when the budget is spent.

    Raising PermissionDenied makes Django skip the remaining backends; it never logs anyone in.
    """

    def authenticate(self, request, **credentials):
        # Internal re-checks without a request (reauthentication) are not guesses from outside.
        if request is None or "password" not in credentials:
            return None
        if not budget_left(request, credentials):
            setattr(request, EXHAUSTED_FLAG, True)
            raise PermissionDenied
        return None

    def get_user(self, user_id):
        # Being first, it is the default of `force_login`; sessions it names must still load.
        return ModelBackend().get_user(user_id)


@receiver(user_login_failed, dispatch_uid="accounts.login_budget_spend")
def spend_budget_on_failure(sender, credentials, request=None, **kwargs):
    if request is None or was_refused(request):
        return
    budget_spend(request, credentials)
