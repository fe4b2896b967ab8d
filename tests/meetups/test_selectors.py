"""Which events a list shows, by visibility and by period."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from apps.meetups import selectors
from apps.meetups.models import Event
from tests.accounts.factories import UserFactory
from tests.meetups.factories import chapter_factory, event_factory

pytestmark = pytest.mark.django_db


def held_days_ago(event, days: int) -> None:
    """Events are created in the future; this one took place `days` ago."""
    starts = timezone.now() - timedelta(days=days)
    Event.objects.filter(pk=event.pk).update(starts_at=starts, ends_at=starts + timedelta(hours=2))


def titles(**kwargs) -> list[str]:
    return list(selectors.event_list(**kwargs).values_list("title", flat=True))


def test_drafts_are_listed_only_for_their_organisers_and_staff():
    chapter = chapter_factory()
    organiser = chapter.organisers.get()
    event_factory(chapter=chapter, title="Publicado")
    event_factory(chapter=chapter, title="Borrador", publish=False)
    assert titles(user=AnonymousUser()) == ["Publicado"]
    assert titles(user=UserFactory()) == ["Publicado"]
    assert titles(user=organiser) == ["Publicado", "Borrador"]
    assert titles(user=UserFactory(is_staff=True)) == ["Publicado", "Borrador"]


def test_upcoming_past_and_all_periods_in_their_orders():
    chapter = chapter_factory()
    event_factory(chapter=chapter, title="Pronto", days=2)
    event_factory(chapter=chapter, title="Luego", days=9)
    held_days_ago(event_factory(chapter=chapter, title="Ayer"), 1)
    held_days_ago(event_factory(chapter=chapter, title="Hace un mes"), 30)
    anyone = AnonymousUser()
    assert titles(user=anyone) == ["Pronto", "Luego"]
    assert titles(user=anyone, period="past") == ["Ayer", "Hace un mes"]
    assert titles(user=anyone, period="") == ["Hace un mes", "Ayer", "Pronto", "Luego"]
