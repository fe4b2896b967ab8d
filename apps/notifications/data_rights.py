"""Notifications in members' data rights: the member's own notifications, preferences and
digests (in the download; deleted with the account), and copies of a deleted member's words
and name in other members' notifications.

A notification's title and body are rendered once, when it is sent, into `Notification`
rows and the event's `texts` ({language: [title, body]}): the name of whoever acted, the
chat message that mentioned someone, a contact request's message. Deleting the member's
own notifications is not enough; `notifications_forget` rewrites the others' copies.
Apps call it from their part of account deletion, with what only they know (chat: the
member's messages; profiles: the names the member went by).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.conf import settings
from django.db.models import Q
from django.db.models.fields.json import KT

from apps.accounts import personal_data as pd
from apps.notifications.models import (
    Digest, DigestSchedule, Notification, NotificationEvent, NotificationPreference, ScheduledAnnouncement,
)

# Shorter names or texts would match inside unrelated words.
MIN_NEEDLE = 3


def _needles(values: Iterable[str]) -> list[str]:
    found = {value.strip() for value in values if value and len(value.strip()) >= MIN_NEEDLE}
    return sorted(found, key=len, reverse=True)  # "Ana Ruiz" before "Ana"


def _any_contains(fields: list, needles: list[str]) -> Q:
    condition = Q(pk__in=[])
    for field in fields:
        for needle in needles:
            condition |= Q(**{f"{field}__icontains": needle})
    return condition


def _text_fields() -> list[str]:
    return [f"text_{language}_{part}" for language, _name in settings.LANGUAGES for part in ("title", "body")]


def _with_texts(queryset):
    """Events with each language's title and body as plain text columns (any database)."""
    return queryset.annotate(**{
        f"text_{language}_{part}": KT(f"texts__{language}__{index}")
        for language, _name in settings.LANGUAGES
        for index, part in enumerate(("title", "body"))
    })


class _Rewrite:
    def __init__(self, names: list[str], texts: list[str], quoting_kinds: set[str], replacement: str):
        self.names, self.texts, self.quoting_kinds = names, texts, quoting_kinds
        self.replacement = replacement
        self.name_pattern = (
            re.compile(r"(?<!\w)(?:%s)(?!\w)" % "|".join(map(re.escape, names)), re.IGNORECASE) if names else None
        )

    def names_person(self, title: str) -> bool:
        return bool(self.name_pattern and self.name_pattern.search(title))

    def title_and_body(self, kind: str, title: str, body: str) -> tuple[str, str]:
        quoted = kind in self.quoting_kinds and self.names_person(title)
        if quoted or any(text[:300] == body or (len(text) >= 20 and text in body) for text in self.texts):
            body = ""  # the member's own words: nothing of them is kept
        if self.name_pattern:
            title, body = self.name_pattern.sub(self.replacement, title), self.name_pattern.sub(self.replacement, body)
        return title, body


def notifications_forget(
    *, names: Iterable[str] = (), texts: Iterable[str] = (), quoting_kinds: Iterable[str] = (), replacement: str
) -> int:
    """Rewrite other members' notifications and events that carry a deleted member.

    `names` (full name, username, e-mail addresses…) become `replacement` wherever they
    stand as words; a body that is one of `texts` (the member's own messages), or whose
    kind is in `quoting_kinds` and whose title names the member (such a body is that
    member's words), is emptied. Returns how many rows changed. One scan of each table:
    deletions are rare, and every copy must go, however old.
    """
    names, texts = _needles(names), _needles(texts)
    if not names and not texts:
        return 0
    rewrite = _Rewrite(names, texts, set(quoting_kinds), replacement)
    bodies = sorted({text[:300] for text in texts})
    long_texts = [text for text in texts if len(text) >= 20]

    changed = []
    candidates = Notification.objects.filter(
        _any_contains(["title", "body"], names) | Q(body__in=bodies) | _any_contains(["body"], long_texts)
    ).only("kind", "title", "body")
    for notification in candidates:
        title, body = rewrite.title_and_body(notification.kind, notification.title, notification.body)
        if (title, body) != (notification.title, notification.body):
            notification.title, notification.body = title[:200], body
            changed.append(notification)
    Notification.objects.bulk_update(changed, ["title", "body"], batch_size=500)

    events = []
    text_fields = _text_fields()
    body_fields = [field for field in text_fields if field.endswith("_body")]
    matching = _any_contains(text_fields, names) | _any_contains(body_fields, long_texts)
    for field in body_fields:
        matching |= Q(**{f"{field}__in": bodies})
    for event in _with_texts(NotificationEvent.objects.only("kind", "texts")).filter(matching):
        rewritten = {
            language: list(rewrite.title_and_body(event.kind, *pair)) if isinstance(pair, list) and len(pair) == 2 else pair
            for language, pair in event.texts.items()
        }
        if rewritten != event.texts:
            event.texts = rewritten
            events.append(event)
    NotificationEvent.objects.bulk_update(events, ["texts"], batch_size=500)
    return len(changed) + len(events)


def notifications_export(user) -> dict:
    return {
        "notifications": [
            {**row, "created_at": row["created_at"].isoformat()}
            for row in Notification.objects.filter(recipient=user).values("kind", "title", "body", "url", "created_at")
        ],
    }


def notifications_delete(user) -> None:
    Notification.objects.filter(recipient=user).delete()
    NotificationPreference.objects.filter(user=user).delete()
    DigestSchedule.objects.filter(user=user).delete()
    Digest.objects.filter(user=user).delete()
    ScheduledAnnouncement.objects.filter(sender=user).delete()  # those sent live on as notifications


PERSONAL_DATA = pd.PersonalData(
    app="notifications",
    rules=[
        (Notification, "recipient", pd.DELETED, "the person's notifications"),
        (NotificationPreference, "user", pd.DELETED, "the person's notification preferences"),
        (DigestSchedule, "user", pd.DELETED, "the person's digest settings"),
        (Digest, "user", pd.DELETED, "record of digests sent to the person"),
        (ScheduledAnnouncement, "sender", pd.DELETED, "announcements the person scheduled (those sent live on as notifications)"),
    ],
    export=notifications_export,
    forget=notifications_delete,
    forget_last=True,  # after the apps whose part may still notify the person (a freed place)
)
