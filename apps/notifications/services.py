"""Writes on notifications; other apps call `notify` from their services."""

from collections.abc import Callable, Iterable

from django.db import transaction
from django.utils import timezone, translation

from apps.core.errors import NotFound
from apps.core.live import group_send_many
from apps.notifications.models import Notification


def user_group(user_id: int) -> str:
    """The channel-layer group every open tab of one member listens on."""
    return f"notifications.user.{user_id}"


def _push_live(notifications: list[Notification]) -> None:
    group_send_many(
        [
            (
                user_group(n.recipient_id),
                {"type": "notification.created", "id": n.id, "kind": n.kind, "title": n.title, "url": n.url},
            )
            for n in notifications
        ]
    )


Text = str | Callable[[], str]


def _in_language(text: Text, language: str) -> str:
    if not callable(text):
        return str(text)
    with translation.override(language):
        return str(text())


@transaction.atomic
def notify(
    *, recipients: Iterable, kind: str, title: Text, body: Text = "", url: str = "", email: bool = True
) -> list[Notification]:
    """Tell each recipient once (duplicates and inactive accounts are dropped).

    `title` and `body` may be functions returning text: they are then called once per
    language, so each recipient reads the message in the language of their account.
    E-mails and live pushes go out after the surrounding transaction commits, so a
    rolled-back action never notifies anyone.
    """
    from workers.notifications import send_notification_emails

    unique = {user.pk: user for user in recipients if user is not None and user.is_active}
    rendered = {
        language: (_in_language(title, language)[:200], _in_language(body, language))
        for language in {user.preferred_language for user in unique.values()}
    }
    notifications = Notification.objects.bulk_create(
        Notification(
            recipient_id=pk,
            kind=kind,
            title=rendered[user.preferred_language][0],
            body=rendered[user.preferred_language][1],
            url=url,
        )
        for pk, user in unique.items()
    )
    if not notifications:
        return []
    transaction.on_commit(lambda: _push_live(notifications))
    if email:
        send_notification_emails.delay([n.id for n in notifications])
    return notifications


def notification_mark_read(*, user, notification_id: int) -> Notification:
    notification = Notification.objects.filter(recipient=user, pk=notification_id).first()
    if notification is None:
        raise NotFound()
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_all_read(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@transaction.atomic
def notification_emails_send(*, notification_ids: list[int]) -> int:
    """E-mail the given notifications that were not e-mailed yet (safe to repeat)."""
    from django.conf import settings
    from django.core.mail import send_mail

    pending = (
        Notification.objects.select_for_update(skip_locked=True)
        .select_related("recipient")
        .filter(pk__in=notification_ids, emailed_at__isnull=True)
    )
    sent = 0
    for notification in pending:
        link = f"\n\n{settings.SITE_URL}{notification.url}" if notification.url else ""
        send_mail(
            subject=f"[{settings.SITE_NAME}] {notification.title}",
            message=f"{notification.body}{link}",
            from_email=None,
            recipient_list=[notification.recipient.email],
        )
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
        sent += 1
    return sent
