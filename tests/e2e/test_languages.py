"""The interface in the co-official languages of Spain on a phone: the pages people open
most, kept in the language chosen from a link, saved as screenshots to look at."""

from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from playwright.sync_api import expect

from apps.chat import services as chat
from apps.chat.services import room_ensure
from apps.hackathons.models import Hackathon
from apps.meetups import services as meetups
from tests.accounts.factories import UserFactory
from tests.e2e.conftest import WINDOWS, shoot
from tests.e2e.test_chat import open_as  # noqa: F401 - a fixture
from tests.hackathons.factories import hackathon_factory
from tests.hub.factories import catalogue, owner, remote
from tests.meetups.factories import chapter_factory, event_factory

pytestmark = pytest.mark.django_db(transaction=True)

# Each language joins once its catalogue is in locale/.
CO_OFFICIAL = [code for code in ("ca", "eu", "gl") if (Path(settings.BASE_DIR) / "locale" / code).is_dir()]


@pytest.mark.parametrize("language", CO_OFFICIAL)
def test_home_hackathon_meetup_chat_and_register_on_a_phone(open_as, language):  # noqa: F811 - the fixture
    hackathon = hackathon_factory(state=Hackathon.State.REGISTRATION_OPEN)
    chapter = chapter_factory(name="IA Aberta Compostela")
    event = event_factory(chapter=chapter, title="Modelos abertos en galego")
    member = UserFactory(username="uxia")
    meetups.rsvp_going(user=member, event=event)
    room = room_ensure(kind="meetup_event", object_id=event.pk)
    chat.message_send(user=chapter.organisers.get(), room=room, client_id="welcome", body="Benvidas!")
    catalogue(owner("bsc-lt"), [remote("bsc-lt/roberta-base-bne", downloads=12345)])
    with translation.override(language):
        live = translation.gettext("Live")

    page = open_as(member, f"/?lang={language}", viewport=WINDOWS["phone"])
    pages = [
        ("home", "/"), ("hackathon", f"/hackathons/{hackathon.slug}/"), ("meetup", f"/meetups/events/{event.slug}/"),
        ("chat", f"/chat/rooms/{room.pk}/"), ("register", "/transparency/"),
    ]
    for name, path in pages:
        page.goto(path)  # no ?lang= any more: the language chosen from the link is kept
        expect(page.locator("html")).to_have_attribute("lang", language)
        if name == "chat":
            expect(page.locator("[data-chat] [data-status]")).to_have_text(live)
            expect(page.locator("[data-messages]")).to_contain_text("Benvidas!")
        shoot(page, f"{language}-{name}-phone")
