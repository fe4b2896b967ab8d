"""One login budget per account and per client address, for every way in, counting attempts.

The sign-in pages (allauth), `POST /api/auth/token/` and `/admin/login/` all end in
Django's `authenticate()`. `LoginBudgetBackend` runs first there: it *takes* one attempt
from each budget before any password is hashed, then runs the password backends itself,
and gives the attempt back when the password was right. Taking is one atomic counter
increment per budget (Redis INCR through the cache), so parallel guesses cannot all see
"budget left" and then all be checked: at most the budget's amount of passwords is ever
compared per window, however many arrive at once.

The budget is `ACCOUNT_RATE_LIMITS["login_failed"]` ("10/m/ip,5/5m/key": per client
address and per account). Each budget is a sliding window estimated from two fixed windows
(the previous window's count weighted by how much of it still overlaps), so a burst at
the edge of a window does not buy a second budget.

An account is keyed by its primary key whatever name was typed (e-mail on the pages and
the API, username in the admin), so switching the way in does not buy more guesses. An
owner whose account budget a stranger spent signs in with a link sent by e-mail
(`apps.accounts.login_links`), which no password budget stops.
"""

from __future__ import annotations

import ipaddress
import time
from dataclasses import dataclass

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.contrib.auth import get_backends, get_user_model
from django.contrib.auth.backends import BaseBackend, ModelBackend
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Q

from apps.accounts.metrics import LOGIN_BUDGET_REFUSALS

ACTION = "login_failed"
# Set on the request when a login was refused because the budget is spent, so each way
# in can answer "too many attempts" rather than "wrong password".
EXHAUSTED_FLAG = "login_budget_exhausted"
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Rate:
    amount: int
    seconds: int
    per: str  # "ip" or "key"


def rates(action: str = ACTION) -> list[Rate]:
    """The budgets of `ACCOUNT_RATE_LIMITS[action]` ("10/m/ip,5/5m/key")."""
    parsed = []
    for part in (settings.ACCOUNT_RATE_LIMITS.get(action) or "").split(","):
        if not part.strip():
            continue
        amount, duration, *per = part.strip().split("/")
        unit = duration[-1]
        parsed.append(Rate(int(amount), int(float(duration[:-1] or 1) * _UNITS[unit]), (per or ["ip"])[0]))
    return parsed


def _account_key(credentials: dict) -> str:
    login = (credentials.get("email") or credentials.get("username") or "").strip().lower()
    user_ids = list(
        get_user_model()
        .objects.filter(Q(email__iexact=login) | Q(username__iexact=login))
        .values_list("pk", flat=True)[:1]
    )
    return f"user:{user_ids[0]}" if user_ids else f"login:{login}"


def client_address(request) -> str:
    """The address rate limits count (allauth's rule: trusted proxies, IPv6 by /64)."""
    address = get_adapter().get_client_ip(request)
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 6:
        return str(ipaddress.IPv6Network(f"{parsed}/64", strict=False).network_address)
    return address


def _subject(rate: Rate, request, account_key: str) -> str:
    return f"ip:{client_address(request)}" if rate.per == "ip" else account_key


def _window_key(rate: Rate, subject: str, window: int, action: str = ACTION) -> str:
    return f"budget:{action}:{rate.amount}/{rate.seconds}:{subject}:{window}"


@dataclass
class Attempt:
    """The counters one attempt incremented, so a right password can give them back."""

    keys: list[str]

    def give_back(self) -> None:
        for key in self.keys:
            try:
                cache.decr(key)
            except ValueError:  # the window expired meanwhile: nothing left to give back
                pass
        self.keys = []


def _take_one(rate: Rate, subject: str, now: float, action: str) -> str | None:
    """Count one attempt in this budget; its counter key, or None (and nothing counted) when spent."""
    window, into = divmod(now, rate.seconds)
    window = int(window)
    key = _window_key(rate, subject, window, action)
    # The counter outlives its window by one more, while it still weighs on the next.
    cache.add(key, 0, timeout=rate.seconds * 2 + 1)
    try:
        taken = cache.incr(key)
    except ValueError:  # expired between add and incr: a new window after all
        cache.add(key, 0, timeout=rate.seconds * 2 + 1)
        taken = cache.incr(key)
    previous = cache.get(_window_key(rate, subject, window - 1, action)) or 0
    # Atomic: each INCR returns a distinct count, so no two attempts see the same room.
    if previous * (1 - into / rate.seconds) + taken > rate.amount:
        cache.decr(key)
        return None
    return key


def budget_take(request, credentials: dict, *, action: str = ACTION, key: str | None = None) -> Attempt | None:
    """Take one attempt from every budget of this address and account, or None when one is spent.

    `action` names another budget of `ACCOUNT_RATE_LIMITS` kept the same way (sign-in links),
    `key` its per-key subject when it is not the account typed in `credentials`."""
    account_key = key or _account_key(credentials)
    now = time.time()
    attempt = Attempt(keys=[])
    for rate in rates(action):
        taken = _take_one(rate, _subject(rate, request, account_key), now, action)
        if taken is None:
            attempt.give_back()
            LOGIN_BUDGET_REFUSALS.labels(action).inc()
            return None
        attempt.keys.append(taken)
    return attempt


def budget_reset(request, *, user) -> None:
    """Forget an account's attempts (after its password was reset by e-mail)."""
    window_now = time.time()
    for rate in rates():
        if rate.per != "key":
            continue
        window = int(window_now // rate.seconds)
        cache.delete_many([_window_key(rate, f"user:{user.pk}", w) for w in (window - 1, window)])


def was_refused(request) -> bool:
    return bool(getattr(request, EXHAUSTED_FLAG, False))


def _password_backends():
    for backend in get_backends():
        if not isinstance(backend, LoginBudgetBackend):
            yield backend


class LoginBudgetBackend(BaseBackend):
    """First authentication backend: every password check from outside goes through it.

    It takes the attempt, asks the other configured backends in order, gives the attempt
    back when one of them accepted the password, and otherwise raises PermissionDenied so
    Django stops there (the other backends would only hash the same password again) and
    sends `user_login_failed` as usual.
    """

    def authenticate(self, request, **credentials):
        # Internal re-checks without a request are not guesses from outside.
        if request is None or "password" not in credentials:
            return None
        attempt = budget_take(request, credentials)
        if attempt is None:
            setattr(request, EXHAUSTED_FLAG, True)
            raise PermissionDenied
        for backend in _password_backends():
            try:
                user = backend.authenticate(request, **credentials)
            except TypeError:  # a backend for other credentials
                continue
            if user is not None:
                attempt.give_back()
                return user
        raise PermissionDenied

    def get_user(self, user_id):
        # Sessions name this backend for every password sign-in (and `force_login`).
        return ModelBackend().get_user(user_id)
