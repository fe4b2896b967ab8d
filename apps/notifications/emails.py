"""E-mails for notifications: multipart (text and HTML from one template per kind), with
a signed one-click unsubscribe link that needs no login (RFC 8058)."""

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import select_template
from django.urls import reverse
from django.utils import translation

UNSUBSCRIBE_SALT = "notifications.unsubscribe"
# Rendered into the cached body and replaced per recipient: the link is the only part
# of a message that differs between two recipients of one event in one language.
_UNSUBSCRIBE_SLOT = "UNSUBSCRIBE-LINK-SLOT"


def unsubscribe_token(*, user_id: int, kind: str) -> str:
    return signing.dumps([user_id, kind], salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_token_read(token: str) -> tuple[int, str]:
    """(user id, what to silence) of a token: a kind, or a group in links sent before
    preferences were per kind. Raises `signing.BadSignature` for a forged one."""
    user_id, subject = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    return int(user_id), str(subject)


def unsubscribe_url(*, user_id: int, kind: str) -> str:
    token = unsubscribe_token(user_id=user_id, kind=kind)
    return settings.SITE_URL + reverse("notifications:unsubscribe", args=[token])


def _templates(kind: str, extension: str):
    return select_template(
        [f"notifications/email/{kind}.{extension}", f"notifications/email/default.{extension}"]
    )


class EmailComposer:
    """Builds the message of each delivery, rendering each (content, language) only once."""

    def __init__(self):
        self._rendered: dict[tuple, tuple[str, str, str]] = {}

    def _render(self, notification, language: str) -> tuple[str, str, str]:
        key = (notification.event_id or f"n{notification.pk}", language)
        if key not in self._rendered:
            with translation.override(language):
                context = {
                    "site_name": settings.SITE_NAME,
                    "title": notification.title,
                    "body": notification.body,
                    "link": settings.SITE_URL + notification.url if notification.url else "",
                    "settings_link": settings.SITE_URL + reverse("notifications:settings"),
                    "unsubscribe_link": _UNSUBSCRIBE_SLOT,
                }
                self._rendered[key] = (
                    f"[{settings.SITE_NAME}] {notification.title}",
                    _templates(notification.kind, "txt").render(context),
                    _templates(notification.kind, "html").render(context),
                )
        return self._rendered[key]

    def message(self, notification, *, email: str, language: str) -> EmailMultiAlternatives:
        subject, text, html = self._render(notification, language)
        link = unsubscribe_url(user_id=notification.recipient_id, kind=notification.kind)
        message = EmailMultiAlternatives(
            subject=subject,
            body=text.replace(_UNSUBSCRIBE_SLOT, link),
            to=[email],
            headers={
                "List-Unsubscribe": f"<{link}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        )
        message.attach_alternative(html.replace(_UNSUBSCRIBE_SLOT, link), "text/html")
        return message
