"""Sign-in links sent by e-mail: the way in for an owner whose login budget a stranger spent.

Anyone may ask for a link for any address; the answer is the same whether an account
exists, and a link goes only to a verified primary address. Sending is bounded by the
`login_link` budget (per client address and per address typed), kept like the login
budget. A link works once and for `LOGIN_LINK_MAX_AGE` seconds: it is signed over the
account's password hash and last sign-in, so signing in (with it or any other way) or a
new password ends every link sent before. Links a stranger caused to be sent reach only
the owner's inbox, and any of them signs the owner in: a stranger can delay nobody.
Opening a link shows a button; only the POST signs in, so mail scanners that fetch links
do not use them up.
"""

from __future__ import annotations

import hashlib
import logging

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.crypto import constant_time_compare

from apps.accounts import login_budget
from apps.accounts.models import User

logger = logging.getLogger(__name__)

SALT = "accounts.login-link"
ACTION = "login_link"


def _state(user: User) -> str:
    """Changes when the account signs in or gets a new password, ending older links."""
    seen = user.last_login.isoformat() if user.last_login else ""
    return hashlib.sha256(f"{user.password}|{seen}|{user.email}".encode()).hexdigest()[:24]


def login_link_token(user: User) -> str:
    return signing.dumps({"u": user.pk, "s": _state(user)}, salt=SALT, compress=True)


def login_link_send(*, request, email: str) -> bool:
    """E-mail a sign-in link when `email` is an account's verified primary address.

    Returns whether one was sent; callers answer the same either way.
    """
    email = (email or "").strip().lower()
    if not email or login_budget.budget_take(request, {}, action=ACTION, key=f"login:{email}") is None:
        return False
    address = (
        EmailAddress.objects.filter(email__iexact=email, verified=True, primary=True, user__is_active=True)
        .select_related("user")
        .first()
    )
    if address is None:
        return False
    user = address.user
    url = request.build_absolute_uri(reverse("accounts:login-link", args=[login_link_token(user)]))
    with translation.override(user.preferred_language):
        context = {"url": url, "minutes": settings.LOGIN_LINK_MAX_AGE // 60, "site_name": settings.SITE_NAME}
        subject = render_to_string("accounts/email/login_link_subject.txt", context).strip()
        body = render_to_string("accounts/email/login_link_message.txt", context)
    send_mail(subject, body, None, [address.email])
    logger.info("Sign-in link sent to account %s", user.pk)
    return True


def login_link_user(token: str) -> User | None:
    """The account a link signs in, while it is unused and fresh; else None."""
    try:
        data = signing.loads(token, salt=SALT, max_age=settings.LOGIN_LINK_MAX_AGE)
    except signing.BadSignature:
        return None
    user = User.objects.filter(pk=data.get("u"), is_active=True).first()
    if user is None or not constant_time_compare(_state(user), data.get("s", "")):
        return None
    return user
