"""A mail backend that fails like real mail servers do, for the delivery tests."""

import smtplib
from collections import Counter

from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend


class FlakyBackend(BaseEmailBackend):
    """Refuses (for now: 450) addresses starting with "broken" always and "flaky" on the first try."""

    attempts: Counter = Counter()

    def send_messages(self, messages):
        for message in messages:
            address = message.to[0]
            FlakyBackend.attempts[address] += 1
            if address.startswith("broken") or (address.startswith("flaky") and FlakyBackend.attempts[address] == 1):
                raise smtplib.SMTPRecipientsRefused({address: (450, b"mailbox busy")})
            mail.outbox.append(message)
        return len(messages)
