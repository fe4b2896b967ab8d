"""Live sockets end with the session that opened them.

A socket is authenticated once, when it connects; without this, a socket opened before
log-out (or before a password change ended the other sessions) keeps receiving a member's
notifications or chat rooms. Every consumer that serves members mixes in
`SessionBoundConsumer`; the receivers below ring its groups. Whatever the reason (never
logged in, logged out, new password, account deleted), the socket closes with `CLOSE_CODE`,
which the browser's socket module (frontend/static/js/live.js) treats as final.

The session ends in the database first, whatever the channel layer does: ringing is a
doorbell sent after commit from a thread of the process (`ring_after_commit`), so a Redis
that is down or frozen neither fails a log-out nor holds it; a ring that fails is logged and
dropped. A socket that misses it still finds its session gone when it next re-checks it.
"""

import hashlib
import logging
from concurrent.futures import ThreadPoolExecutor
from importlib import import_module

from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.signals import user_logged_out
from django.db import transaction
from django.dispatch import receiver
from django.utils.crypto import constant_time_compare

from apps.core.live import group_send_many

logger = logging.getLogger(__name__)
# Two threads per process: rings wait on the channel layer (up to its socket timeout when
# Redis is frozen) off every request thread.
_ringer = ThreadPoolExecutor(max_workers=2, thread_name_prefix="session-ring")

SESSION_ENDED = {"type": "session.ended"}
CLOSE_CODE = 4401  # no session: never logged in, or the session ended


def session_group(session_key: str) -> str:
    # Group names are visible to everyone on the channel layer: never the key itself.
    return "session." + hashlib.sha256(session_key.encode()).hexdigest()[:40]


def account_group(user_id: int) -> str:
    return f"account.{user_id}"


@database_sync_to_async
def _session_valid(scope) -> bool:
    """The session this socket opened with still exists and still carries the current password hash."""
    user, session = scope["user"], scope.get("session")
    if session is None or not session.session_key:
        return False
    store = import_module(settings.SESSION_ENGINE).SessionStore(session.session_key)
    fresh = get_user_model().objects.filter(pk=user.pk, is_active=True).first()
    return (
        fresh is not None
        and store.get(SESSION_KEY) == str(user.pk)
        and constant_time_compare(store.get(HASH_SESSION_KEY, ""), fresh.get_session_auth_hash())
    )


class SessionBoundConsumer:
    """Mixin for every consumer that serves members: `session_bind()` in `connect` (visitors
    are left unbound), `session_unbind()` in `disconnect`, and `session_still_valid()`
    where the socket re-checks (its pings), for a ring that was lost."""

    async def session_bind(self):
        self.session_groups = []
        if not self.scope["user"].is_authenticated:
            return
        session = self.scope.get("session")
        self.session_groups.append(account_group(self.scope["user"].pk))
        if session is not None and session.session_key:
            self.session_groups.append(session_group(session.session_key))
        for group in self.session_groups:
            await self.channel_layer.group_add(group, self.channel_name)

    async def session_unbind(self):
        for group in getattr(self, "session_groups", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def session_still_valid(self) -> bool:
        """False, and the socket closed, when a member's session has ended."""
        if self.scope["user"].is_authenticated and not await _session_valid(self.scope):
            await self.close(code=CLOSE_CODE)
            return False
        return True

    async def session_ended(self, event):
        await self.close(code=CLOSE_CODE)


def _ring(messages: list[tuple[str, dict]]) -> None:
    try:
        group_send_many(messages)
    except Exception as error:  # the channel layer is a fast path: never the session's fate
        logger.warning("Could not tell sockets their session ended (%s: %s); dropped",
                       type(error).__name__, error)


def ring_after_commit(messages: list[tuple[str, dict]]) -> None:
    """Send these channel-layer messages after commit, off the request, best effort."""
    transaction.on_commit(lambda: _ringer.submit(_ring, messages), robust=True)


def sessions_end_sockets(*, user_id: int) -> None:
    """Close every socket of the member (their sessions ended: new password, account deleted)."""
    ring_after_commit([(account_group(user_id), SESSION_ENDED)])


@receiver(user_logged_out, dispatch_uid="accounts.close_sockets_on_logout")
def close_sockets_of_ended_session(sender, request, user, **kwargs):
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    if session_key:
        ring_after_commit([(session_group(session_key), SESSION_ENDED)])
