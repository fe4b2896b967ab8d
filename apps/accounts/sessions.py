"""Sessions in the database that load their member in the same statement.

Every signed-in request reads its session row, then its member, then the unread count the
header shows: three round trips and three ORM queries before the page does anything of its
own. Here the session row carries the member's id in a column (`MemberSession.user`), so one
statement reads the session, the member and what every page shows of them (`MEMBER_FACTS`,
which other apps fill in `ready()`), and `MemberAuthenticationMiddleware`
hands that member to the request after the same checks Django's `auth.get_user` makes. When
any of them differs (another backend, a password changed, a fallback secret), Django's own
`auth.get_user` decides, as before.
"""

from __future__ import annotations

import functools
from datetime import datetime

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, load_backend
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import router
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject

from apps.core.statements import CompiledQuery

# What every page shows of the signed-in member, read in the session's statement: the
# attribute set on the member → a function of the member's id column giving an expression.
MEMBER_FACTS: dict = {}


def read_with_the_session(attribute: str, expression_of_user) -> None:
    """Have `request.user.<attribute>` read in the session's own statement."""
    MEMBER_FACTS[attribute] = expression_of_user


class SessionStore(DatabaseSessionStore):
    """`SESSION_ENGINE = "apps.accounts.sessions"`: the session data stays encoded as Django
    encodes it; the member's id is also written to a column when the session is saved."""

    # The member the session row named, with its `MEMBER_FACTS`, once loaded.
    member = None

    @classmethod
    def get_model_class(cls):
        from apps.accounts.models import MemberSession

        return MemberSession

    def create_model_instance(self, data):
        session = super().create_model_instance(data)
        user_id = data.get(SESSION_KEY)
        session.user_id = int(user_id) if user_id is not None else None
        return session

    def _get_session_from_db(self):
        self.member = None
        session = _session_with_member.first(
            using=router.db_for_read(self.model), session_key=self.session_key, now=timezone.now()
        )
        if session is None:
            self._session_key = None
            return None
        # select_related set `user`, None too when the column names nobody: no query to ask again.
        self.member = session.user
        if self.member is not None:
            for attribute in MEMBER_FACTS:
                setattr(self.member, attribute, getattr(session, attribute))
        return session


def _sessions_with_member(session_key: str, now: datetime):
    from apps.accounts.models import MemberSession

    return (
        MemberSession.objects.select_related("user")
        .annotate(**{attribute: expression("user_id") for attribute, expression in MEMBER_FACTS.items()})
        .filter(session_key=session_key, expire_date__gt=now)
    )


# Compiled at the first request, once every app's `ready()` has filled in MEMBER_FACTS.
_session_with_member = CompiledQuery(_sessions_with_member, session_key=str, now=datetime)


@functools.cache
def _loads_users_as_model_backend(backend_path: str) -> bool:
    """Whether the backend's `get_user` is `ModelBackend`'s: the active user of that id."""
    from apps.accounts.login_budget import LoginBudgetBackend

    return type(load_backend(backend_path)).get_user in (ModelBackend.get_user, LoginBudgetBackend.get_user)


def member_of_request(request):
    """The signed-in member, as `django.contrib.auth.get_user` would return them, taken from
    the session's own statement when it loaded them; otherwise Django's `get_user` decides."""
    session = request.session
    user_id = session.get(SESSION_KEY)
    member = getattr(session, "member", None)
    backend_path = session.get(BACKEND_SESSION_KEY)
    session_hash = session.get(HASH_SESSION_KEY)
    if (
        member is not None
        and user_id == str(member.pk)
        and backend_path in settings.AUTHENTICATION_BACKENDS
        and _loads_users_as_model_backend(backend_path)
        and member.is_active
        and session_hash
        and constant_time_compare(session_hash, member.get_session_auth_hash())
    ):
        return member
    return auth.get_user(request)


class MemberAuthenticationMiddleware(AuthenticationMiddleware):
    """Django's `AuthenticationMiddleware`, with the member read by the session's statement."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _cached_member(request))


def _cached_member(request):
    if not hasattr(request, "_cached_user"):
        request._cached_user = member_of_request(request)
    return request._cached_user
