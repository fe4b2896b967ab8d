"""E-mails for notifications: multipart (text and HTML from one template per kind), with
a signed one-click unsubscribe link that needs no login (RFC 8058)."""

import re
import smtplib
from email.utils import formatdate, make_msgid

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.core.mail.message import sanitize_address
from django.core.mail.utils import DNS_NAME
from django.template.loader import select_template
from django.urls import reverse
from django.utils import translation

UNSUBSCRIBE_SALT = "notifications.unsubscribe"
# Rendered into the cached body and replaced per recipient: the link is the only part
# of a message's text that differs between two recipients of one event in one language.
_UNSUBSCRIBE_SLOT = "UNSUBSCRIBE-LINK-SLOT"
# The headers that differ between two messages of one template (see `_SerialisedTemplate`).
_HEADER_SLOTS = {
    "To": "address-slot@slot.invalid", "Date": "DATE-SLOT", "Message-ID": "<MESSAGE-ID-SLOT>",
    "List-Unsubscribe": f"<{_UNSUBSCRIBE_SLOT}>",
}
_SLOT_LINES = {f"{name}: {slot}\r\n".encode(): name for name, slot in _HEADER_SLOTS.items()}
_SLOTS = re.compile(b"(" + b"|".join(re.escape(line) for line in [*_SLOT_LINES, _UNSUBSCRIBE_SLOT.encode()]) + b")")
# Addresses Django writes into the To header unchanged: an ASCII dot-atom, no display name.
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_PLAIN_ADDRESS = re.compile(rf"{_ATOM}(\.{_ATOM})*@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*")
# RFC 5322's line limit; Django switches a part to quoted-printable above it.
_LINE_LIMIT = 998
# The length up to which the mail policy leaves a printable ASCII header line as it is.
_HEADER_LINE_LENGTH = 78
# Where the mail policy may fold a header value (`email.header.Header`'s split characters).
_FOLD_POINTS = re.compile(r"[ \t;,]")
# Stands for the signed token in the unsubscribe URL, reversed once per composer.
_TOKEN_SLOT = "UNSUBSCRIBE-TOKEN-SLOT"
_LEADING_DOT = re.compile(rb"(?m)^\.")


def unsubscribe_token(*, user_id: int, kind: str) -> str:
    # Not compressed: zlib never shortens a payload this small, and costs half the signing
    # time of every e-mail. Links sent compressed before still read (`signing.loads`).
    return signing.dumps([user_id, kind], salt=UNSUBSCRIBE_SALT)


def unsubscribe_token_read(token: str) -> tuple[int, str]:
    """(user id, what to silence) of a token: a kind, or a group in links sent before
    preferences were per kind. Raises `signing.BadSignature` for a forged one."""
    user_id, subject = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    return int(user_id), str(subject)


def unsubscribe_url(*, user_id: int, kind: str) -> str:
    token = unsubscribe_token(user_id=user_id, kind=kind)
    return settings.SITE_URL + reverse("notifications:unsubscribe", args=[token])


def _unsubscribe_url_pattern() -> str:
    """`unsubscribe_url` with a slot for the token: the token's characters (URL-safe base64,
    ":" and ".") are never quoted by `reverse`, so filling the slot gives the same URL."""
    return settings.SITE_URL + reverse("notifications:unsubscribe", args=[_TOKEN_SLOT])


def _templates(kind: str, extension: str):
    return select_template(
        [f"notifications/email/{kind}.{extension}", f"notifications/email/default.{extension}"]
    )


class _Serialised:
    """The part of `email.message.Message` Django's mail backends use: its bytes."""

    def __init__(self, data: bytes):
        self._data = data  # CRLF line ends, as SMTP wants them

    def as_bytes(self, unixfrom=False, linesep="\n") -> bytes:
        return self._data if linesep == "\r\n" else self._data.replace(b"\r\n", linesep.encode())

    def as_string(self, unixfrom=False, linesep="\n") -> str:
        return self.as_bytes(linesep=linesep).decode()

    def get_charset(self):
        return None  # the console backend then decodes as UTF-8, which the parts are


class NotificationEmail(EmailMultiAlternatives):
    """An e-mail whose bytes may have been filled in from its event's serialised template.

    Attributes (to, body, alternatives, headers) are those of the message as usual; only
    `message()` skips building and serialising the MIME tree again for every recipient.
    """

    serialised: bytes | None = None

    def message(self):
        return super().message() if self.serialised is None else _Serialised(self.serialised)


class _SerialisedTemplate:
    """One event's e-mail in one language, serialised once by Django with slots for what
    differs per message: the To, Date, Message-ID and List-Unsubscribe headers (folded per
    message by the same policy call Django's generator makes) and the unsubscribe link in
    the text (written as is: Django does not fold 7bit and 8bit parts)."""

    def __init__(self, subject: str, text: str, html: str):
        # Date and Message-ID first: where Django puts the ones it makes itself.
        probe = EmailMultiAlternatives(subject=subject, body=text, to=[_HEADER_SLOTS["To"]], headers={
            "Date": _HEADER_SLOTS["Date"], "Message-ID": _HEADER_SLOTS["Message-ID"],
            **_list_headers(_UNSUBSCRIBE_SLOT),
        })
        probe.attach_alternative(html, "text/html")
        mime = probe.message()
        data = mime.as_bytes(linesep="\r\n")
        self._fold = mime.policy.clone(linesep="\r\n").fold_binary
        expected = dict.fromkeys(_SLOT_LINES, 1)
        # The link's slot is in the bodies and in the List-Unsubscribe line.
        expected[_UNSUBSCRIBE_SLOT.encode()] = text.count(_UNSUBSCRIBE_SLOT) + html.count(_UNSUBSCRIBE_SLOT) + 1
        # Quoted-printable or base64 parts would hide or split the slots, and change with the
        # link's length: those e-mails are built in full for every recipient instead.
        literal = all(
            part.get("Content-Transfer-Encoding", "7bit") in ("7bit", "8bit") for part in mime.walk()
        ) and all(data.count(slot) == count for slot, count in expected.items())
        self._parts = _SLOTS.split(data) if literal else None
        # (length, links) of the body lines holding the link, which must stay within the limit.
        self._link_lines = [
            (len(line), line.count(_UNSUBSCRIBE_SLOT.encode()))
            for line in data.split(b"\r\n")
            if _UNSUBSCRIBE_SLOT.encode() in line and not line.startswith(b"List-Unsubscribe:")
        ]

    def fill(self, *, email: str, link: str) -> bytes | None:
        """The e-mail's bytes for one recipient, or None when only a full build is exact."""
        growth = len(link) - len(_UNSUBSCRIBE_SLOT)
        if (
            self._parts is None
            or not _PLAIN_ADDRESS.fullmatch(email)
            or any(length + links * growth > _LINE_LIMIT for length, links in self._link_lines)
        ):
            return None
        headers = {
            "To": email,
            "Date": formatdate(localtime=settings.EMAIL_USE_LOCALTIME),
            "Message-ID": make_msgid(domain=DNS_NAME),
            "List-Unsubscribe": f"<{link}>",
        }
        values = {line: self._header_line(name, headers[name]) for line, name in _SLOT_LINES.items()}
        values[_UNSUBSCRIBE_SLOT.encode()] = link.encode()
        return b"".join(values.get(part, part) for part in self._parts)


    def _header_line(self, name: str, value: str) -> bytes:
        """The folded header line; a printable ASCII value that fits on the line (the Date of
        every message), or that the policy cannot split, is written as it would write it (as
        is, or alone on a continuation line) without calling it."""
        if value.isascii() and value.isprintable():
            if len(name) + 2 + len(value) <= _HEADER_LINE_LENGTH:
                return f"{name}: {value}\r\n".encode()
            if not _FOLD_POINTS.search(value):
                return f"{name}: \r\n {value}\r\n".encode()
        return self._fold(name, value)


def _list_headers(link: str) -> dict[str, str]:
    return {"List-Unsubscribe": f"<{link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


class EmailComposer:
    """Builds the message of each delivery, rendering and serialising each (content,
    language) only once: per recipient only the address, the unsubscribe link, the date
    and the Message-ID are filled in."""

    def __init__(self):
        self._prepared: dict[tuple, tuple[str, str, str, _SerialisedTemplate]] = {}
        self._unsubscribe_url = _unsubscribe_url_pattern()

    def _prepare(self, notification, language: str) -> tuple[str, str, str, _SerialisedTemplate]:
        key = (notification.event_id or f"n{notification.pk}", language)
        if key not in self._prepared:
            with translation.override(language):
                context = {
                    "site_name": settings.SITE_NAME,
                    "title": notification.title,
                    "body": notification.body,
                    "link": settings.SITE_URL + notification.url if notification.url else "",
                    "settings_link": settings.SITE_URL + reverse("notifications:settings"),
                    "unsubscribe_link": _UNSUBSCRIBE_SLOT,
                }
                subject = f"[{settings.SITE_NAME}] {notification.title}"
                text = _templates(notification.kind, "txt").render(context)
                html = _templates(notification.kind, "html").render(context)
            self._prepared[key] = (subject, text, html, _SerialisedTemplate(subject, text, html))
        return self._prepared[key]

    def message(self, notification, *, email: str, language: str) -> NotificationEmail:
        subject, text, html, template = self._prepare(notification, language)
        link = self._unsubscribe_url.replace(
            _TOKEN_SLOT, unsubscribe_token(user_id=notification.recipient_id, kind=notification.kind)
        )
        message = NotificationEmail(
            subject=subject, body=text.replace(_UNSUBSCRIBE_SLOT, link), to=[email], headers=_list_headers(link)
        )
        message.attach_alternative(html.replace(_UNSUBSCRIBE_SLOT, link), "text/html")
        message.serialised = template.fill(email=email, link=link)
        return message


class MessageSender:
    """Sends composed messages over one open connection of any mail backend; a message
    filled in from its template goes to Django's SMTP backend without address parsing, its
    envelope in one round trip where the server announces PIPELINING (RFC 2920)."""

    def __init__(self, connection):
        self.connection = connection
        self._envelope_from = {}
        # Whether the last message's data went out: a failure after it may hide a delivered message.
        self.data_sent = False

    def send(self, message: NotificationEmail) -> None:
        """Raises `smtplib.SMTPException` (or `OSError`) when the server did not take it."""
        self.data_sent = False
        self.connection.open()
        if message.serialised is None or not isinstance(self.connection, SmtpBackend):
            self.data_sent = True
            if self.connection.send_messages([message]) != 1:
                raise smtplib.SMTPException("The mail server did not accept the message.")
            return
        if message.from_email not in self._envelope_from:
            encoding = message.encoding or settings.DEFAULT_CHARSET
            sender = sanitize_address(message.from_email, encoding)
            self._envelope_from[message.from_email] = (sender, smtplib.quoteaddr(sender))
        (sender, quoted_sender), (recipient,) = self._envelope_from[message.from_email], message.to
        smtp = self.connection.connection
        smtp.ehlo_or_helo_if_needed()
        # `sendmail`'s conversation for one recipient, without parsing both addresses again
        # for every message (its `quoteaddr`): the recipient is a checked plain address.
        commands = [f"MAIL FROM:{quoted_sender}", f"RCPT TO:<{recipient}>", "DATA"]
        if smtp.has_extn("pipelining"):
            smtp.send("".join(f"{command}\r\n" for command in commands))
            mail, rcpt, ready = (smtp.getreply() for _command in commands)
        else:
            mail = smtp.docmd(commands[0])
            rcpt = smtp.docmd(commands[1]) if mail[0] == 250 else None
            ready = smtp.docmd(commands[2]) if rcpt[0] in (250, 251) else None
        if mail[0] != 250:
            raise _abandon(smtp, mail[0], smtplib.SMTPSenderRefused(*mail, sender))
        if rcpt[0] not in (250, 251):
            raise _abandon(smtp, rcpt[0], smtplib.SMTPRecipientsRefused({recipient: rcpt}))
        if ready[0] != 354:
            raise _abandon(smtp, ready[0], smtplib.SMTPDataError(*ready))
        # What `SMTP.data` sends after the 354: dots doubled at line starts, then the final dot.
        data = _LEADING_DOT.sub(b"..", message.serialised)
        self.data_sent = True
        smtp.send(data + (b".\r\n" if data.endswith(b"\r\n") else b"\r\n.\r\n"))
        code, reply = smtp.getreply()
        if code != 250:
            raise _abandon(smtp, code, smtplib.SMTPDataError(code, reply))


def _abandon(smtp: smtplib.SMTP, code: int, error: Exception) -> Exception:
    """What `sendmail` does before raising: close on 421 (the server is leaving), else reset."""
    if code == 421:
        smtp.close()
    else:
        try:
            smtp.rset()
        except smtplib.SMTPServerDisconnected:
            pass
    return error
