"""Writes on notifications; other apps call `notify` from their services."""

from collections.abc import Callable, Iterable

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from apps.core.errors import InvalidInput, NotFound
from apps.core.live import group_send_many
from apps.notifications import selectors
from apps.notifications.groups import ALL_EMAIL, GROUPS, group_of
from apps.notifications.models import EmailOptOut, Notification


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
        silenced = selectors.email_opted_out_user_ids(user_ids=unique.keys(), kind=kind)
        wanted = [n.id for n in notifications if n.recipient_id not in silenced]
        if wanted:
            send_notification_emails.delay(wanted)
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
    pending = list(pending)
    # Checked again at send time: opting out also stops e-mails already queued.
    opted_out = selectors.email_opt_outs(user_ids={n.recipient_id for n in pending})
    sent = 0
    for notification in pending:
        if opted_out.get(notification.recipient_id, set()) & {ALL_EMAIL, group_of(notification.kind)}:
            continue
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


@transaction.atomic
def email_settings_update(*, user, email_enabled: bool, groups: dict[str, bool]) -> dict:
    """Save which groups of notifications reach `user` by e-mail.

    Groups left out of `groups` keep their current setting; unknown groups are refused.
    """
    unknown = sorted(set(groups) - set(GROUPS))
    if unknown:
        raise InvalidInput(
            errors={"groups": [_("Unknown notification group: %(group)s.") % {"group": g} for g in unknown]}
        )
    wanted = {ALL_EMAIL: email_enabled, **groups}
    off = [group for group, enabled in wanted.items() if not enabled]
    on = [group for group, enabled in wanted.items() if enabled]
    EmailOptOut.objects.filter(user=user, group__in=on).delete()
    EmailOptOut.objects.bulk_create(
        [EmailOptOut(user=user, group=group) for group in off], ignore_conflicts=True
    )
    return selectors.email_settings(user=user)
