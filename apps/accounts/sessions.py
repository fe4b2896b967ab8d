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
from datetime import timezone as dt_timezone

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, load_backend
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import connections, router
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject

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
        session = _SessionStatement.of(self.model, router.db_for_read(self.model)).run(self.session_key, timezone.now())
        if session is None:
            self._session_key = None
            return None
        self.member = session.user
        return session


class _SessionStatement:
    """The statement that reads a session with its member and `MEMBER_FACTS`, compiled by
    Django's ORM once per process: building and compiling it again on every request cost
    more than running it. Only the session key and the time change between requests."""

    _compiled: dict = {}
    _KEY = "session-key-placeholder"
    _SINCE = datetime(2001, 1, 1, tzinfo=dt_timezone.utc)

    @classmethod
    def of(cls, model, using: str) -> "_SessionStatement":
        key = (model, using, tuple(MEMBER_FACTS))
        if key not in cls._compiled:
            cls._compiled[key] = cls(model, using)
        return cls._compiled[key]

    def __init__(self, model, using: str):
        queryset = (
            model.objects.using(using)
            .select_related("user")
            .annotate(**{attribute: expression("user_id") for attribute, expression in MEMBER_FACTS.items()})
            .filter(session_key=self._KEY, expire_date__gt=self._SINCE)
        )
        self.compiler = queryset.query.get_compiler(using)
        self.sql, params = self.compiler.as_sql()
        self.ops = connections[using].ops
        self.params = list(params)
        self.key_at = self.params.index(self._KEY)
        self.since_at = self.params.index(self.ops.adapt_datetimefield_value(self._SINCE))
        self.model, self.using = model, using
        select, klass_info = self.compiler.select, self.compiler.klass_info
        (member_info,) = klass_info["related_klass_infos"]
        self.session_columns = klass_info["select_fields"]
        self.member_columns = member_info["select_fields"]
        self.member_model = member_info["model"]
        self.session_fields = [select[i][0].target.attname for i in self.session_columns]
        self.member_fields = [select[i][0].target.attname for i in self.member_columns]
        self.facts = dict(self.compiler.annotation_col_map)
        self.converters = self.compiler.get_converters([column[0] for column in select])

    def run(self, session_key: str, now):
        params = list(self.params)
        params[self.key_at] = session_key
        params[self.since_at] = self.ops.adapt_datetimefield_value(now)
        with connections[self.using].cursor() as cursor:
            cursor.execute(self.sql, params)
            row = cursor.fetchone()
        if row is None:
            return None
        if self.converters:
            row = next(iter(self.compiler.apply_converters([row], self.converters)))
        session = self.model.from_db(self.using, self.session_fields, [row[i] for i in self.session_columns])
        member = None
        if row[self.member_columns[0]] is not None:
            member = self.member_model.from_db(self.using, self.member_fields, [row[i] for i in self.member_columns])
            for attribute, column in self.facts.items():
                setattr(member, attribute, row[column])
        session.user = member  # also when None: the column named nobody, no query to ask again
        return session


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
