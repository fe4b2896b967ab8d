"""Writes on notifications; other apps call `notify` from their services.

How a notification travels, exactly once in effect:

1. `notify` (or `announcement_send`) records one small `NotificationEvent` inside the
   caller's transaction; after commit a worker is asked to expand it. Small explicit
   audiences are expanded at once by the same code, so services and pages keep seeing
   their notifications immediately.
2. `event_expand` turns the event into `Notification` rows (one per recipient, unique per
   event) and e-mail `Delivery` rows in batches, one transaction per batch.
3. `deliveries_send` e-mails a batch over one SMTP connection, claiming each delivery for
   a short lease, then, before each message's envelope, one short transaction that marks
   the previous message sent (the server accepted it) and this one as possibly with the
   server from now on.
4. `notifications_sweep` (periodic) re-asks for whatever was recorded but never queued and
   takes back deliveries whose lease lapsed (a dead job): sent again when the server never
   got their data, at most once more when it may have (see `Delivery`).

Live pushes and enqueueing run as robust on-commit hooks: when Redis is down they are
logged and dropped, and the sweep makes up for the lost enqueue. The hooks are lambdas,
not `functools.partial`: Django logs a robust hook's failure by its `__qualname__`,
which a partial lacks, so the logging itself would raise.
"""

import contextlib
import contextvars
import logging
import smtplib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from apps.accounts.selectors import named_people
from apps.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from apps.core.live import group_send_many, groups_listening
from apps.core.tasks import enqueue_on_commit
from apps.notifications import selectors
from apps.notifications.audiences import audience_recipients, provider_for
from apps.notifications.emails import EmailComposer, MessageSender
from apps.notifications.kinds import ALL_EMAIL, GROUPS, KINDS, default_mode, kinds_by_group
from apps.notifications.models import (
    Delivery,
    Digest,
    DigestSchedule,
    Notification,
    NotificationEvent,
    NotificationPreference,
    ScheduledAnnouncement,
)

Mode = NotificationPreference.Mode

logger = logging.getLogger(__name__)

# Audiences up to this size are expanded inside the caller's transaction (a handful of
# rows costs less than a round trip through the broker); larger ones go to a worker.
INLINE_AUDIENCE = 50
EXPAND_BATCH = 1000
# E-mails per delivery job: one SMTP connection each, and what a dead worker can strand.
DELIVERY_BATCH = 250
# Set by `emails_withheld()`: notifications are stored and shown, none is e-mailed.
_emails_withheld = contextvars.ContextVar("notifications_emails_withheld", default=False)
# Deliveries claimed together: fewer round trips; those a killed job held wait for their
# lease to lapse.
CLAIM_CHUNK = 10
SWEEP_GRACE = timedelta(minutes=2)
# The columns `_notifications_insert` fills in, in the order it hands them to `Notification.from_db`.
_NOTIFICATION_FIELDS = ["id", "event_id", "recipient_id", "kind", "title", "body", "url", "created_at", "read_at"]


def user_group(user_id: int) -> str:
    """The channel-layer group every open tab of one member listens on."""
    return f"notifications.user.{user_id}"


def _push_live(notifications: list[Notification]) -> None:
    """Ring the open tabs of each recipient who has one; the unread count keeps every tab's badge right.

    Members without an open page are left out before anything is counted or built: in a
    fan-out to thousands, those with a socket open are few.
    """
    listening = groups_listening([user_group(n.recipient_id) for n in notifications])
    notifications = [n for n in notifications if user_group(n.recipient_id) in listening]
    if not notifications:
        return
    unread = selectors.unread_counts(user_ids={n.recipient_id for n in notifications})
    group_send_many(
        [
            (
                user_group(n.recipient_id),
                {
                    "type": "notification.created",
                    "id": n.id,
                    "kind": n.kind,
                    "title": n.title,
                    "url": n.url,
                    "unread": unread.get(n.recipient_id, 0),
                },
            )
            for n in notifications
        ]
    )


def _push_unread(user_id: int) -> None:
    """Tell a member's other tabs that notifications were read."""
    unread = selectors.unread_counts(user_ids=[user_id]).get(user_id, 0)
    group_send_many([(user_group(user_id), {"type": "notifications.read", "unread": unread})])


Text = str | Callable[[], str]


def _in_language(text: Text, language: str) -> str:
    if not callable(text):
        return str(text)
    with translation.override(language):
        return str(text())


def _texts(title: Text, body: Text) -> dict[str, list[str]]:
    """Title and body in every site language, rendered once whatever the audience size."""
    return {
        language: [_in_language(title, language)[:200], _in_language(body, language)]
        for language, _name in settings.LANGUAGES
    }


def _enqueue_deliveries(delivery_ids: list[int]) -> None:
    """Queue e-mail jobs of `DELIVERY_BATCH` deliveries each, after commit."""
    for start in range(0, len(delivery_ids), DELIVERY_BATCH):
        enqueue_on_commit("workers.notifications.send_deliveries", delivery_ids[start : start + DELIVERY_BATCH])


@contextlib.contextmanager
def emails_withheld():
    """Within it, `notify` records no e-mail deliveries (the demo seeder: its people are made up,
    and on the full stack the mailers would send to their invented addresses after commit)."""
    token = _emails_withheld.set(True)
    try:
        yield
    finally:
        _emails_withheld.reset(token)


@transaction.atomic
def notify(
    *, recipients: Iterable, kind: str, title: Text, body: Text = "", url: str = "", email: bool = True
) -> list[Notification]:
    """Tell each recipient once (duplicates and inactive accounts are dropped).

    `title` and `body` may be functions returning text: they are then called once per
    language, so each recipient reads the message in the language of their account.
    Nothing leaves before the surrounding transaction commits, so a rolled-back action
    never notifies anyone. Returns the notifications created at once: all of them for
    small audiences, none when a worker fans a large audience out.
    """
    unique = {user.pk: user for user in recipients if user is not None and user.is_active}
    if not unique:
        return []
    now = timezone.now()
    inline = len(unique) <= INLINE_AUDIENCE
    event = NotificationEvent.objects.create(
        kind=kind,
        url=url,
        texts=_texts(title, body),
        recipient_ids=sorted(unique),
        email=email and not _emails_withheld.get(),
        enqueued_at=now,
        expanded_through=max(unique) if inline else 0,
        expanded_at=now if inline else None,
    )
    if inline:
        return _expand_batch(event, [(pk, unique[pk].language) for pk in sorted(unique)])
    enqueue_on_commit("workers.notifications.expand_notification_event", event.pk)
    return []


def _expand_batch(event: NotificationEvent, recipients: list[tuple[int, str]]) -> list[Notification]:
    """Store one batch of an event's notifications and deliveries; pushes and enqueues after commit."""
    if not recipients:
        return []
    notifications = _notifications_insert(event, recipients)
    transaction.on_commit(lambda: _push_live(notifications), robust=True)
    if event.email:
        modes = selectors.notification_modes(user_ids=[pk for pk, _ in recipients], kinds=[event.kind])
        emailed = [n.pk for n in notifications if modes[n.recipient_id, event.kind] == Mode.EMAIL]
        if emailed:
            delivery_ids = _deliveries_insert(emailed)
            _enqueue_deliveries(delivery_ids)
    return notifications


def _notifications_insert(event: NotificationEvent, recipients: list[tuple[int, str]]) -> list[Notification]:
    """One notification per recipient, in the recipient's language (else the site's).

    On PostgreSQL one statement whatever the batch size, inserting from arrays without
    building a model instance per row first; elsewhere (the embedded SQLite) `bulk_create`.
    """
    now = timezone.now()
    if connection.vendor != "postgresql":
        default = event.texts[settings.LANGUAGE_CODE]
        return Notification.objects.bulk_create(
            Notification(event=event, recipient_id=pk, kind=event.kind, title=event.texts.get(language, default)[0],
                         body=event.texts.get(language, default)[1], url=event.url, created_at=now)
            for pk, language in recipients
        )
    languages = list(event.texts)
    text_number = {language: number for number, language in enumerate(languages, start=1)}
    fallback = text_number[settings.LANGUAGE_CODE]
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {Notification._meta.db_table} (event_id, recipient_id, kind, title, body, url, created_at)
                SELECT %s, recipient.id, %s, text.title, text.body, %s, %s
                FROM unnest(%s::bigint[], %s::int[]) AS recipient(id, text)
                JOIN unnest(%s::text[], %s::text[]) WITH ORDINALITY AS text(title, body, number)
                    ON text.number = recipient.text
                RETURNING id, recipient_id, title, body""",
            [
                event.pk, event.kind, event.url, now,
                [pk for pk, _language in recipients],
                [text_number.get(language, fallback) for _pk, language in recipients],
                [event.texts[language][0] for language in languages],
                [event.texts[language][1] for language in languages],
            ],
        )
        rows = sorted(cursor.fetchall(), key=lambda row: row[1])
    return [
        Notification.from_db(
            connection.alias, _NOTIFICATION_FIELDS, (pk, event.pk, recipient_id, event.kind, title, body, event.url, now, None)
        )
        for pk, recipient_id, title, body in rows
    ]


def _deliveries_insert(notification_ids: list[int]) -> list[int]:
    """Pending e-mail deliveries of these notifications; their ids, in order."""
    now = timezone.now()
    if connection.vendor != "postgresql":
        created = Delivery.objects.bulk_create(Delivery(notification_id=pk, queued_at=now) for pk in notification_ids)
        return sorted(delivery.pk for delivery in created)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {Delivery._meta.db_table} (notification_id, channel, status, attempts, last_error, queued_at)
                SELECT id, %s, %s, 0, '', %s FROM unnest(%s::bigint[]) AS notification(id)
                RETURNING id""",
            [Delivery.Channel.EMAIL, Delivery.Status.PENDING, now, notification_ids],
        )
        return sorted(pk for (pk,) in cursor.fetchall())


def _next_recipients(event: NotificationEvent, size: int) -> tuple[list[tuple[int, str]], int, bool]:
    """(recipients, new cursor, last batch?) after the event's cursor, in id order."""
    after = event.expanded_through
    if event.recipient_ids is not None:
        ids = sorted(pk for pk in event.recipient_ids if pk > after)[:size]
        rows = list(
            get_user_model()
            .objects.filter(pk__in=ids, is_active=True)
            .order_by("pk")
            .values_list("pk", "language")
        )
        return rows, (ids[-1] if ids else after), len(ids) < size
    rows = list(
        audience_recipients(event.audience, event.audience_params)
        .filter(pk__gt=after)
        .values_list("pk", "language")[:size]
    )
    return rows, (rows[-1][0] if rows else after), len(rows) < size


def event_expand(*, event_id: int, batch_size: int = EXPAND_BATCH) -> int:
    """Create an event's notifications batch by batch; safe to run twice or concurrently.

    Each batch locks the event row, so two workers expanding the same event take turns
    and each recipient is reached once (the unique key backs this up).
    """
    created = 0
    while True:
        with transaction.atomic():
            event = (
                NotificationEvent.objects.select_for_update()
                .filter(pk=event_id, expanded_at__isnull=True)
                .first()
            )
            if event is None:
                return created
            recipients, cursor, last = _next_recipients(event, batch_size)
            created += len(_expand_batch(event, recipients))
            event.expanded_through = cursor
            event.expanded_at = timezone.now() if last else None
            event.save(update_fields=["expanded_through", "expanded_at"])
        if last:
            return created


def _retry_delay(attempts: int) -> timedelta:
    base = settings.NOTIFICATION_RETRY_BASE_SECONDS
    return timedelta(seconds=min(base * 2 ** (attempts - 1), 3600))


def _max_attempts() -> int:
    return settings.NOTIFICATION_EMAIL_MAX_ATTEMPTS


def _lease() -> timedelta:
    return timedelta(seconds=settings.NOTIFICATION_CLAIM_LEASE_SECONDS)


def _claim(deliveries: list["_Outgoing"]) -> list["_Outgoing"]:
    """Take pending deliveries for sending in one statement that commits on its own.

    Rows another job holds are skipped rather than waited for (SKIP LOCKED), and only rows
    still pending are taken, so two jobs given the same ids never both claim one delivery.
    The claim is a lease: the sweep takes back what a job holds past it. Its `attempts`
    value identifies this claim in the later marks.
    """
    table = Delivery._meta.db_table
    ids = [d.pk for d in deliveries]
    now = timezone.now()
    # SQLite (the embedded default) has one writer at a time and no row locks to skip.
    skip_locked = " FOR UPDATE SKIP LOCKED" if connection.features.has_select_for_update_skip_locked else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""UPDATE {table} SET status = %s, claimed_at = %s, lease_expires_at = %s, data_sent_at = NULL,
                    attempts = attempts + 1
                WHERE id IN (SELECT id FROM {table} WHERE id IN ({", ".join(["%s"] * len(ids))}) AND status = %s{skip_locked})
                RETURNING id, attempts, unconfirmed""",
            [Delivery.Status.SENDING, now, now + _lease(), *ids, Delivery.Status.PENDING],
        )
        claimed = {pk: (attempts, unconfirmed) for pk, attempts, unconfirmed in cursor.fetchall()}
    for delivery in deliveries:
        if delivery.pk in claimed:
            delivery.attempts, delivery.unconfirmed = claimed[delivery.pk]
    return [d for d in deliveries if d.pk in claimed]


def _reply_code(error: Exception) -> int | None:
    """The mail server's answer to a refused message, or None when none came (a cut, a timeout)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return next(iter(error.recipients.values()))[0]
    return getattr(error, "smtp_code", None)


def _record_failure(delivery: "_Outgoing", error: Exception, *, data_sent: bool) -> timedelta | None:
    """Put a delivery back for a later try, or fail it for good; returns the delay of the retry.

    A 5xx answer is permanent and fails it at once. An error without an answer after the
    data went out (a cut or a timeout before the server's reply) may hide a delivered
    message: it is tried once more at most, so a recipient gets at most one duplicate.
    """
    message = f"{type(error).__name__}: {error}"[:2000]
    code = _reply_code(error)
    if data_sent and code is None:
        delivery.unconfirmed += 1
    if delivery.unconfirmed > 1:
        message = f"Sent twice without the server's answer; it may have been delivered. {message}"[:2000]
    # Only while the claim is still this job's: after a lapsed lease the row is another job's.
    claim = Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.SENDING, attempts=delivery.attempts)
    if (code is not None and code >= 500) or delivery.unconfirmed > 1 or delivery.attempts >= _max_attempts():
        claim.update(status=Delivery.Status.FAILED, last_error=message, unconfirmed=delivery.unconfirmed)
        logger.warning("E-mail delivery %s failed for good: %s", delivery.pk, message)
        return None
    delay = _retry_delay(delivery.attempts)
    claim.update(
        status=Delivery.Status.PENDING, last_error=message, queued_at=timezone.now() + delay,
        unconfirmed=delivery.unconfirmed,
    )
    return delay


class _Notice(NamedTuple):
    """The fields of a notification that `EmailComposer` reads."""

    pk: int
    event_id: int | None
    recipient_id: int
    kind: str
    title: str
    body: str
    url: str


@dataclass(slots=True)
class _Outgoing:
    """A pending delivery as sending reads it: plain values, where building three model
    instances per e-mail (delivery, notification, member) took a fifth of the mailer's CPU."""

    pk: int
    attempts: int
    unconfirmed: int
    notification: _Notice
    email: str
    language: str


def _outgoing(delivery_ids: list[int]) -> list[_Outgoing]:
    """The due, pending deliveries among `delivery_ids`, in id order, each with its member's
    address and `preferred_language`."""
    rows = (
        Delivery.objects.filter(pk__in=delivery_ids, status=Delivery.Status.PENDING, queued_at__lte=timezone.now())
        .order_by("pk")
        .values_list(
            "pk", "attempts", "unconfirmed", "notification_id",
            *(f"notification__{name}" for name in ("event_id", "recipient_id", "kind", "title", "body", "url")),
            "notification__recipient__email", "notification__recipient__language",
        )
    )
    return [
        _Outgoing(pk, attempts, unconfirmed, _Notice(*notification), email, language or settings.LANGUAGE_CODE)
        for pk, attempts, unconfirmed, *notification, email, language in rows
    ]


def _mark_quickly(statements: list[tuple[str, list]]) -> int:
    """Delivery marks in a transaction of their own, committed without waiting for the disk;
    the rows the last statement changed.

    `synchronous_commit` is off for this transaction only: the marks are visible to every
    other session at once, and only a crash of PostgreSQL itself could lose the last ones of
    a fraction of a second. Those deliveries stay claimed (`sending`, a claim committed
    durably before sending) and the sweep takes them back when their lease lapses, as after
    a dead job. Plain SQL: the ORM's compilation cost more CPU than PostgreSQL's work.
    On PostgreSQL the statements go in one round trip; SQLite (the embedded default) takes
    one statement per call.
    """
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            for sql, params in statements:
                cursor.execute(sql, params)
            return cursor.rowcount
        # Only as a transaction of its own: inside a caller's atomic block, SET LOCAL would
        # last until that block's commit and take the durability of everything after it.
        if not connection.in_atomic_block:
            statements = [("SET LOCAL synchronous_commit TO OFF", []), *statements]
        cursor.execute("; ".join(sql for sql, _ in statements), [p for _, params in statements for p in params])
        while cursor.nextset():  # on to the last statement's result
            pass
        return cursor.rowcount


_MARK_SENT = f"UPDATE {Delivery._meta.db_table} SET status = %s, sent_at = %s WHERE id = %s"
_MARK_DATA_SENT = (
    f"UPDATE {Delivery._meta.db_table} SET data_sent_at = %s, lease_expires_at = %s"
    " WHERE id = %s AND status = %s AND attempts = %s"
)


def _mark_sent(delivery: _Outgoing | Delivery) -> None:
    """Record that the server took a job's last message."""
    _mark_quickly([(_MARK_SENT, [Delivery.Status.SENT, timezone.now(), delivery.pk])])


def _mark_sending(delivery: _Outgoing, *, sent: _Outgoing | None) -> bool:
    """Before a message's envelope, in one statement: the job's previous message marked sent
    (the server took it) and this one's lease renewed and `data_sent_at` set (from now on the
    server may get it). False when this job's claim on it was taken back (its lease lapsed).

    One round trip per e-mail, where two (sent after a message, data before the next) took
    a quarter of the mailer's CPU. A job killed in the envelope leaves a message marked as
    possibly sent that was not: that costs the delivery its one extra try, never a copy.
    """
    now = timezone.now()
    mark_sent = [(_MARK_SENT, [Delivery.Status.SENT, now, sent.pk])] if sent is not None else []
    mark_data_sent = (_MARK_DATA_SENT, [now, now + _lease(), delivery.pk, Delivery.Status.SENDING, delivery.attempts])
    return _mark_quickly([*mark_sent, mark_data_sent]) == 1


def deliveries_send(*, delivery_ids: list[int]) -> dict[float, list[int]]:
    """E-mail the due, pending deliveries among `delivery_ids` over one SMTP connection.

    Returns the deliveries to try again, by delay in seconds. Running it twice, or two
    copies at once, sends nothing twice: deliveries are claimed before they are sent, and
    each is marked sent in the statement that starts the next message, before its envelope.
    """
    pending = _outgoing(delivery_ids)
    # Checked again at send time: opting out also stops e-mails already queued.
    modes = selectors.notification_modes(
        user_ids={d.notification.recipient_id for d in pending}, kinds={d.notification.kind for d in pending}
    )
    silenced = [
        d.pk for d in pending if modes[d.notification.recipient_id, d.notification.kind] != Mode.EMAIL
    ]
    if silenced:
        Delivery.objects.filter(pk__in=silenced, status=Delivery.Status.PENDING).update(
            status=Delivery.Status.SKIPPED
        )
    composer = EmailComposer()
    mail_connection = get_connection()
    sender = MessageSender(mail_connection)
    retries: dict[float, list[int]] = {}
    sendable = [d for d in pending if d.pk not in silenced]
    chunks = (sendable[start : start + CLAIM_CHUNK] for start in range(0, len(sendable), CLAIM_CHUNK))
    accepted = None  # the last message the server took, not yet marked sent
    try:
        for delivery in (claimed for chunk in chunks for claimed in _claim(chunk)):
            message = composer.message(delivery.notification, email=delivery.email, language=delivery.language)
            ours = _mark_sending(delivery, sent=accepted)
            accepted = None
            if not ours:
                continue  # the sweep gave it to another job: it is theirs to send
            try:
                sender.send(message)
            except (smtplib.SMTPException, OSError) as error:
                mail_connection.close()  # a failed conversation can leave the connection unusable
                delay = _record_failure(delivery, error, data_sent=sender.data_sent)
                if delay is not None:
                    retries.setdefault(delay.total_seconds(), []).append(delivery.pk)
                continue
            accepted = delivery
        if accepted is not None:
            _mark_sent(accepted)
    finally:
        mail_connection.close()
    return retries


def _leases_take_back(now) -> tuple[list[int], int]:
    """Deliveries whose job died (lease lapsed): (ids put back to pending, number failed).

    Without `data_sent_at` the server never got the message: it goes back to pending.
    With it (or claimed before leases existed) the server may have: it goes back once,
    counted in `unconfirmed`; a second time it is failed for staff. One statement, so a
    job renewing its lease at that moment either keeps it or finds it gone.
    """
    table = Delivery._meta.db_table
    unsure = "(data_sent_at IS NOT NULL OR lease_expires_at IS NULL)"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""UPDATE {table} SET
                    status = CASE WHEN attempts >= %s OR ({unsure} AND unconfirmed >= 1) THEN %s ELSE %s END,
                    unconfirmed = unconfirmed + CASE WHEN {unsure} THEN 1 ELSE 0 END,
                    last_error = CASE WHEN {unsure} THEN %s ELSE %s END,
                    queued_at = %s, lease_expires_at = NULL
                WHERE status = %s AND (lease_expires_at < %s OR (lease_expires_at IS NULL AND claimed_at < %s))
                RETURNING id, status""",
            [
                _max_attempts(), Delivery.Status.FAILED, Delivery.Status.PENDING,
                "Interrupted after the message's data went to the server: it may have been delivered.",
                "Interrupted before the message's data went to the server.",
                now, Delivery.Status.SENDING, now, now - _lease(),
            ],
        )
        rows = cursor.fetchall()
    return sorted(pk for pk, status in rows if status == Delivery.Status.PENDING), sum(
        1 for _pk, status in rows if status == Delivery.Status.FAILED
    )


def notifications_sweep(*, grace: timedelta = SWEEP_GRACE) -> dict:
    """Ask again for what was recorded but never queued or never finished (lost enqueue, dead job)."""
    now = timezone.now()
    event_ids = list(
        NotificationEvent.objects.filter(expanded_at__isnull=True, enqueued_at__lt=now - grace)
        .order_by("pk")
        .values_list("pk", flat=True)[:1000]
    )
    NotificationEvent.objects.filter(pk__in=event_ids).update(enqueued_at=now)
    for event_id in event_ids:
        enqueue_on_commit("workers.notifications.expand_notification_event", event_id)
    delivery_ids = list(
        Delivery.objects.filter(status=Delivery.Status.PENDING, queued_at__lt=now - grace)
        .order_by("pk")
        .values_list("pk", flat=True)[:50_000]
    )
    Delivery.objects.filter(pk__in=delivery_ids).update(queued_at=now)
    taken_back, failed = _leases_take_back(now)
    _enqueue_deliveries(delivery_ids + taken_back)
    return {"events": len(event_ids), "deliveries": len(delivery_ids), "taken_back": len(taken_back), "failed": failed}


@transaction.atomic
def deliveries_resend(*, delivery_ids: Iterable[int]) -> int:
    """Staff send failed deliveries again (the attempts start over, and so does the one
    extra try a lost answer after the data allows: staff accept that duplicate)."""
    ids = list(
        Delivery.objects.filter(pk__in=list(delivery_ids), status=Delivery.Status.FAILED).values_list("pk", flat=True)
    )
    Delivery.objects.filter(pk__in=ids).update(
        status=Delivery.Status.PENDING, attempts=0, unconfirmed=0, last_error="", queued_at=timezone.now()
    )
    if ids:
        _enqueue_deliveries(ids)
    return len(ids)


ANNOUNCEMENT = "announcements.message"


@transaction.atomic
def _announcement_texts(*, sender: str, about, title: str, body: str) -> dict[str, list[str]]:
    """[title, body] per language: the title names the event, the body ends with who sent it."""
    texts = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            signed = (
                _("Sent by %(sender)s, organiser of %(event)s.") % {"sender": sender, "event": about[0]}
                if about else _("Sent by %(sender)s.") % {"sender": sender}
            )
        texts[language] = [(f"{about[0]}: {title}" if about else title)[:200], f"{body}\n\n{signed}"]
    return texts


def _announcement_check(*, sender, audience: str, params: dict, title: str, body: str, errors=None):
    """The audience's provider, once the sender may address it and the texts are there."""
    provider = provider_for(audience)
    if not provider.can_announce(sender, params):
        raise NotAllowed()
    errors = dict(errors or {})
    if not title.strip():
        errors["title"] = [_("Write a title.")]
    elif len(title) > 200:
        errors["title"] = [_("Keep the title under 200 characters.")]
    if not body.strip():
        errors["body"] = [_("Write the message.")]
    if errors:
        raise InvalidInput(errors=errors)
    return provider


def announcement_send(
    *, sender, audience: str, params: dict, title: str, body: str, url: str = ""
) -> NotificationEvent:
    """Announce to a whole audience; the request only records the event, a worker fans it out."""
    provider = _announcement_check(sender=sender, audience=audience, params=params, title=title, body=body)
    about = provider.about(params)
    event = NotificationEvent.objects.create(
        kind=ANNOUNCEMENT,
        url=url or (about[1] if about else ""),
        # The name read afresh (one query, whatever the caller's user object has cached).
        texts=_announcement_texts(sender=named_people().get(pk=sender.pk).public_name, about=about,
                                  title=title.strip(), body=body.strip()),
        audience=audience,
        audience_params=params,
        enqueued_at=timezone.now(),
    )
    enqueue_on_commit("workers.notifications.expand_notification_event", event.pk)
    return event


@transaction.atomic
def announcement_schedule(
    *, sender, audience: str, params: dict, title: str, body: str, send_at
) -> ScheduledAnnouncement:
    """Keep an announcement to send at `send_at`; the minute task sends it then."""
    errors = {}
    if send_at is None or send_at <= timezone.now():
        errors["send_at"] = [_("Choose a time still to come.")]
    _announcement_check(sender=sender, audience=audience, params=params, title=title, body=body, errors=errors)
    return ScheduledAnnouncement.objects.create(
        sender=sender, audience=audience, audience_params=params, title=title.strip(), body=body.strip(),
        send_at=send_at,
    )


def announcement_cancel(*, actor, announcement_id: int) -> None:
    """Cancel one still to go, in one UPDATE: it either had not gone out and never will, or it had."""
    announcement = ScheduledAnnouncement.objects.filter(pk=announcement_id).first()
    if announcement is None or not provider_for(announcement.audience).can_announce(actor, announcement.audience_params):
        raise NotFound()
    cancelled = ScheduledAnnouncement.objects.filter(
        pk=announcement_id, state=ScheduledAnnouncement.State.SCHEDULED
    ).update(state=ScheduledAnnouncement.State.CANCELLED)
    if not cancelled:
        raise Conflict(_("This announcement has already gone out or been cancelled."))


SCHEDULED_BATCH = 50


def announcements_send_due(*, now=None) -> int:
    """Send the scheduled announcements whose time has come, each exactly once.

    Rows are claimed with `SKIP LOCKED` and marked sent in the transaction that records their
    event, so two runs at once split the rows between them and a rolled-back send stays due.
    A sender who may no longer address the audience (no longer an organiser) sends nothing.
    """
    now = now or timezone.now()
    sent = 0
    while True:
        with transaction.atomic():
            due = list(
                ScheduledAnnouncement.objects.select_for_update(skip_locked=True)
                .filter(state=ScheduledAnnouncement.State.SCHEDULED, send_at__lte=now)
                .select_related("sender").order_by("send_at", "pk")[:SCHEDULED_BATCH]
            )
            for announcement in due:
                try:
                    with transaction.atomic():
                        announcement.event = announcement_send(
                            sender=announcement.sender, audience=announcement.audience,
                            params=announcement.audience_params, title=announcement.title, body=announcement.body,
                        )
                    announcement.state = ScheduledAnnouncement.State.SENT
                    sent += 1
                except (NotAllowed, InvalidInput):
                    logger.warning("Scheduled announcement %s refused at send time; cancelled", announcement.pk)
                    announcement.state = ScheduledAnnouncement.State.CANCELLED
                announcement.save(update_fields=["state", "event"])
        if len(due) < SCHEDULED_BATCH:
            return sent


def notification_mark_read(*, user, notification_id: int) -> Notification:
    notification = Notification.objects.filter(recipient=user, pk=notification_id).first()
    if notification is None:
        raise NotFound()
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
        transaction.on_commit(lambda: _push_unread(user.pk), robust=True)
    return notification


def notifications_mark_all_read(*, user) -> int:
    marked = Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())
    if marked:
        transaction.on_commit(lambda: _push_unread(user.pk), robust=True)
    return marked


@transaction.atomic
def email_settings_update(
    *,
    user,
    email_enabled: bool | None = None,
    modes: dict[str, str] | None = None,
    digest: str | None = None,
    time_zone: str | None = None,
) -> dict:
    """Save how each kind of notification reaches `user`: `email`, `digest` or `off` (site only).

    Kinds and settings left out keep their value; unknown kinds, modes, digest
    frequencies and time zones are refused, each under its own field.
    """
    modes = modes or {}
    errors = {}
    for kind, mode in modes.items():
        if kind not in KINDS:
            errors[f"modes.{kind}"] = [_("Unknown kind of notification.")]
        elif mode not in Mode.values:
            errors[f"modes.{kind}"] = [_("Choose e-mail, digest or only on the site.")]
    if digest is not None and digest not in DigestSchedule.Frequency.values:
        errors["digest"] = [_("Choose daily or weekly.")]
    if time_zone is not None and time_zone not in available_timezones():
        errors["time_zone"] = [_("Choose a time zone from the list.")]
    if errors:
        raise InvalidInput(errors=errors)
    # Only choices that differ from the default are stored (the master switch's default is on).
    wanted = {kind: (mode, default_mode(kind)) for kind, mode in modes.items()}
    if email_enabled is not None:
        wanted[ALL_EMAIL] = (Mode.EMAIL if email_enabled else Mode.OFF, Mode.EMAIL)
    NotificationPreference.objects.filter(
        user=user, kind__in=[kind for kind, (mode, default) in wanted.items() if mode == default]
    ).delete()
    NotificationPreference.objects.bulk_create(
        [
            NotificationPreference(user=user, kind=kind, mode=mode)
            for kind, (mode, default) in wanted.items()
            if mode != default
        ],
        update_conflicts=True,
        unique_fields=["user", "kind"],
        update_fields=["mode"],
    )
    if digest is not None:
        DigestSchedule.objects.update_or_create(user=user, defaults={"frequency": digest})
    if time_zone is not None and time_zone != user.time_zone:
        user.time_zone = time_zone
        user.save(update_fields=["time_zone"])
    return selectors.email_settings(user=user)


def email_unsubscribe(*, user_id: int, subject: str) -> None:
    """Stop the e-mails a signed link names: its kind, or a whole group for links sent
    before preferences were per kind (their token names the group, which has no dot)."""
    kinds = [kind.key for kind in kinds_by_group()[subject]] if subject in GROUPS else [subject]
    NotificationPreference.objects.bulk_create(
        [NotificationPreference(user_id=user_id, kind=kind, mode=Mode.OFF) for kind in kinds],
        update_conflicts=True,
        unique_fields=["user", "kind"],
        update_fields=["mode"],
    )


# Digests go out from this local hour on (the member's morning), once per period.
DIGEST_HOUR = 8


def _digest_period(frequency: str, local_now) -> date | None:
    """The local date opening the current period, or None when none is due yet."""
    if local_now.hour < DIGEST_HOUR:
        return None
    if frequency == DigestSchedule.Frequency.WEEKLY:
        return local_now.date() if local_now.weekday() == 0 else None
    return local_now.date()


def _local(now, zone_name: str):
    try:
        return now.astimezone(ZoneInfo(zone_name))
    except (ZoneInfoNotFoundError, ValueError):
        return now.astimezone(ZoneInfo(settings.TIME_ZONE))


def digests_send(*, now=None) -> int:
    """E-mail each member their unread notifications of the kinds they get in a digest,
    in their morning.

    Only members with unread notifications of the last week are looked at, so the cost
    follows recent activity, not the number of members. Safe to run as often as wanted:
    a `Digest` row per (member, frequency, period) is created before sending, so a second
    run in the same period sends nothing.
    """
    now = now or timezone.now()
    unread = set(
        Notification.objects.filter(read_at__isnull=True, created_at__gte=now - timedelta(days=7))
        .values_list("recipient_id", "kind")
        .distinct()
    )
    modes = selectors.notification_modes(
        user_ids={user_id for user_id, _kind in unread}, kinds={kind for _user_id, kind in unread}
    )
    digest_kinds: dict[int, set[str]] = {}
    for user_id, kind in unread:
        if modes[user_id, kind] == Mode.DIGEST:
            digest_kinds.setdefault(user_id, set()).add(kind)
    members = (
        get_user_model()
        .objects.filter(pk__in=list(digest_kinds), is_active=True)
        .select_related("digest_schedule")
        .order_by("pk")
    )
    sent = 0
    for member in members:
        schedule = getattr(member, "digest_schedule", None)
        frequency = schedule.frequency if schedule else DigestSchedule.Frequency.DAILY
        period = _digest_period(frequency, _local(now, member.preferred_time_zone))
        if period is not None and _digest_send(member, frequency, period, digest_kinds[member.pk], now):
            sent += 1
    return sent


def _digest_send(member, frequency: str, period: date, kinds: set[str], now) -> bool:
    try:
        with transaction.atomic():
            digest = Digest.objects.create(user=member, frequency=frequency, period=period)
    except IntegrityError:
        return False  # this period's digest was already taken care of
    days = 7 if frequency == DigestSchedule.Frequency.WEEKLY else 1
    unread = list(
        Notification.objects.filter(
            recipient=member, read_at__isnull=True, created_at__gte=now - timedelta(days=days), kind__in=kinds
        )[:50]
    )
    if not unread:
        return False
    with translation.override(member.preferred_language):
        context = {
            "site_name": settings.SITE_NAME,
            "notifications": unread,
            "site_url": settings.SITE_URL,
            "settings_link": settings.SITE_URL + reverse("notifications:settings"),
        }
        subject = _("[%(site)s] What you have not read yet") % {"site": settings.SITE_NAME}
        message = EmailMultiAlternatives(
            subject=subject,
            body=render_to_string("notifications/email/digest.txt", context),
            to=[member.email],
        )
        message.attach_alternative(render_to_string("notifications/email/digest.html", context), "text/html")
    message.send()
    Digest.objects.filter(pk=digest.pk).update(sent_at=timezone.now(), notification_count=len(unread))
    return True
