"""The e-mail itself: multipart, in the recipient's language, with a one-click unsubscribe."""

import re
import smtplib

import pytest
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.test import Client

from apps.notifications import selectors
from apps.notifications.emails import (
    UNSUBSCRIBE_SALT,
    EmailComposer,
    MessageSender,
    _SerialisedTemplate,
    unsubscribe_url,
)
from apps.notifications.kinds import KINDS
from apps.notifications.models import NotificationPreference
from apps.notifications.services import notify
from tests.accounts.factories import UserFactory


@pytest.mark.django_db
def test_email_is_multipart_with_link_site_name_and_unsubscribe_headers():
    member = UserFactory(language="en")
    notification, = notify(
        recipients=[member], kind="hackathons.phase_changed", title="Phase", body="Hacking starts", url="/h/x/"
    )
    message = EmailComposer().message(notification, email=member.email, language="en")
    html = message.alternatives[0][0]
    assert message.subject == "[Open Source AI Community] Phase"
    assert "http://127.0.0.1:8000/h/x/" in message.body and 'href="http://127.0.0.1:8000/h/x/"' in html
    assert "Open it on the site" in html  # the recipient's language
    unsubscribe = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe in message.body and unsubscribe in html
    assert unsubscribe == unsubscribe_url(user_id=member.pk, kind="hackathons.phase_changed")


@pytest.mark.django_db
def test_one_click_unsubscribe_needs_no_login_or_csrf_and_refuses_forged_links():
    member, other = UserFactory(), UserFactory()
    notification, = notify(recipients=[member], kind="compute.decision", title="Decisión")
    link = EmailComposer().message(notification, email=member.email, language="es").extra_headers[
        "List-Unsubscribe"
    ].strip("<>")
    path = link.removeprefix("http://127.0.0.1:8000")
    mail_client = Client(enforce_csrf_checks=True)  # what a mail client's one-click POST looks like
    assert mail_client.get(path).status_code == 200
    assert not NotificationPreference.objects.exists()  # opening the link alone changes nothing
    assert mail_client.post(path, {"List-Unsubscribe": "One-Click"}).status_code == 200
    # The kind of the e-mail, not the other compute e-mails.
    assert list(NotificationPreference.objects.values_list("user_id", "kind", "mode")) == [
        (member.pk, "compute.decision", "off")
    ]
    forged = path.replace(path.split("/")[-2], path.split("/")[-2][:-3] + "abc")
    assert mail_client.post(forged).status_code == 400
    assert not NotificationPreference.objects.filter(user=other).exists()


@pytest.mark.django_db
def test_the_page_names_the_kind_and_links_sent_per_group_still_silence_their_group():
    member = UserFactory(language="en")
    notification, = notify(recipients=[member], kind="chat.mention", title="Mention")
    link = EmailComposer().message(notification, email=member.email, language="en").extra_headers[
        "List-Unsubscribe"
    ].strip("<>")
    assert "Menciones a mí" in Client().get(link.removeprefix("http://127.0.0.1:8000")).content.decode()
    old_token = signing.dumps([member.pk, "meetups"], salt=UNSUBSCRIBE_SALT, compress=True)  # before kinds
    response = Client().post(f"/notifications/unsubscribe/{old_token}/")
    assert response.status_code == 200 and "Encuentros" in response.content.decode()
    modes = selectors.email_settings(user=member)["modes"]
    assert {kind: mode for kind, mode in modes.items() if kind.startswith("meetups.")} == {
        kind: "off" for kind in KINDS if kind.startswith("meetups.")
    }
    assert modes["chat.mention"] == "email" and modes["compute.decision"] == "email"


def _without_per_message_values(data: bytes) -> bytes:
    """Date, Message-ID and the MIME boundary differ between any two builds of one e-mail."""
    data = re.sub(rb"(?m)^(Date|Message-ID): .*$", rb"\1: -", data)
    return re.sub(rb"={15}\d+==", b"BOUNDARY", data)


@pytest.mark.django_db
def test_emails_filled_in_from_the_serialised_template_are_what_django_builds_for_each_recipient():
    members = [UserFactory(language="es"), UserFactory(language="en"), UserFactory(language="es")]
    notifications = notify(
        recipients=members, kind="hackathons.phase_changed", title="Año nuevo: ¡empieza el reto!",
        body="Café, niños y acentos.\n" * 3, url="/h/año/",
    )
    composer = EmailComposer()
    built = {}
    for notification in notifications:
        member = notification.recipient
        message = composer.message(notification, email=member.email, language=member.language)
        assert message.serialised is not None  # the fast path was taken
        full = EmailMultiAlternatives.message(message).as_bytes(linesep="\r\n")
        assert _without_per_message_values(message.message().as_bytes(linesep="\r\n")) == (
            _without_per_message_values(full)
        )
        built[member.pk] = message.message().as_bytes(linesep="\r\n")
    message_ids = {re.search(rb"Message-ID: (.*)", data).group(1) for data in built.values()}
    assert len(message_ids) == len(members)


@pytest.mark.django_db
def test_addresses_and_long_lines_django_would_encode_are_built_in_full():
    member = UserFactory(email="maría@ejemplo.es")
    notification, = notify(recipients=[member], kind="compute.decision", title="Decisión")
    assert EmailComposer().message(notification, email=member.email, language="es").serialised is None
    other = UserFactory()
    notification, = notify(recipients=[other], kind="compute.decision", title="Larga", body="x" * 1200)
    message = EmailComposer().message(notification, email=other.email, language="es")
    assert message.serialised is None
    assert b"quoted-printable" in message.message().as_bytes()


def test_header_lines_written_without_the_mail_policy_are_what_it_writes():
    """Short and long, foldable or not, ASCII or not: the shortcut must never differ."""
    template = _SerialisedTemplate("Asunto", "Texto", "<p>Texto</p>")
    fold = EmailMultiAlternatives(to=["a@example.org"]).message().policy.clone(linesep="\r\n").fold_binary
    lengths = [*range(0, 120), *range(120, 1000, 7)]  # every length around the 78-character line
    for name in ("To", "Date", "Message-ID", "List-Unsubscribe"):
        for prefix in (
            "<https://comunidad.example/notifications/unsubscribe/", "a b", "a;b,c", "año ", " a  b ",
            "Mon, 07 Dec 2026 09:41:02 +0100", '"Ana, la de (datos)" <ana@example.org>; ',
        ):
            for length in lengths:
                value = prefix + "Ab1-_:."[length % 7] * length + "/>"
                assert template._header_line(name, value) == fold(name, value), (name, value)


@pytest.mark.django_db
@pytest.mark.parametrize("from_email, envelope_from", [
    ("noreply@localhost", "noreply@localhost"),
    ("Comunidad de IA <avisos@comunidad.example>", "avisos@comunidad.example"),
])
def test_messages_reach_a_real_smtp_server_as_django_would_send_them(settings, from_email, envelope_from):
    from django.core.mail import get_connection

    from tests.notifications.live_stack import SmtpSink

    settings.DEFAULT_FROM_EMAIL = from_email
    plain, accented = UserFactory(email="ana@example.org"), UserFactory(email="maría@ejemplo.es")
    notifications = notify(recipients=[plain, accented], kind="compute.decision", title="Decisión", body="Sí")
    composer = EmailComposer()
    messages = [composer.message(n, email=n.recipient.email, language="es") for n in notifications]
    assert [m.serialised is None for m in messages] == [False, True]  # one of each path
    with SmtpSink(keep=True) as sink:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
        connection = get_connection()
        sender = MessageSender(connection)
        for message in messages:
            sender.send(message)
        connection.send_messages([messages[0]])  # the same message the way Django sends it
        connection.close()
    fast, full, django_way = sink.envelopes
    assert fast == django_way
    assert fast[:2] == (envelope_from, ["ana@example.org"])
    assert fast[2].rstrip(b"\r\n") == messages[0].serialised.rstrip(b"\r\n")
    assert full[0] == envelope_from and b"Content-Transfer-Encoding" in full[2]  # built by Django


@pytest.mark.django_db
@pytest.mark.parametrize("pipelining", [True, False])
def test_a_refused_recipient_leaves_the_connection_ready_for_the_next_message(settings, pipelining):
    """As `sendmail` does, a refusal resets the transaction: the job's next message goes
    out over the same connection instead of meeting "nested MAIL command", whether the
    envelope went in one round trip (PIPELINING) or command by command."""
    from aiosmtpd.controller import Controller
    from django.core.mail import get_connection

    from tests.own_redis import free_port

    class RefusesSome:
        received = []
        commands = []

        async def handle_EHLO(self, server, session, envelope, hostname, responses):
            session.host_name = hostname
            return [*responses[:-1], "250-PIPELINING", responses[-1]] if pipelining else responses

        async def handle_MAIL(self, server, session, envelope, address, mail_options):
            self.commands.append(("MAIL", len(server._reader._buffer)))  # what else had arrived with it
            envelope.mail_from = address
            return "250 OK"

        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            if address.startswith("nadie"):
                return "550 5.1.1 No such user"
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server, session, envelope):
            self.received.append(envelope.rcpt_tos)
            return "250 OK"

    nobody, somebody = UserFactory(email="nadie@example.org"), UserFactory(email="ana@example.org")
    notifications = notify(recipients=[nobody, somebody], kind="compute.decision", title="Decisión")
    composer = EmailComposer()
    messages = [composer.message(n, email=n.recipient.email, language="es") for n in notifications]
    handler = RefusesSome()
    server = Controller(handler, hostname="127.0.0.1", port=free_port())
    server.start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
        connection = get_connection()
        sender = MessageSender(connection)
        with pytest.raises(smtplib.SMTPRecipientsRefused):
            sender.send(messages[0])
        sender.send(messages[1])
        connection.close()
    finally:
        server.stop()
    assert handler.received == [["ana@example.org"]]
    # With PIPELINING, RCPT and DATA arrived in the same write as MAIL.
    assert all((waiting > 0) == pipelining for _command, waiting in handler.commands), handler.commands
