"""The big screen: for a projector, so without the site's header and footer (the organiser's
name and unread count), with a full-screen button and a QR code to join the room."""

import pytest
from django.conf import settings
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_big_screen_has_no_site_chrome_and_a_qr_code_to_join(chat_world):
    room, organiser = chat_world["room"], chat_world["organiser"]
    client = Client()
    client.force_login(organiser)
    page = client.get(f"/chat/rooms/{room.pk}/screen/").content.decode()
    assert 'class="site-header"' not in page and 'class="site-footer"' not in page
    assert organiser.username not in page and "data-unread-count" not in page
    assert "data-fullscreen" in page
    assert f"{settings.SITE_URL}/chat/rooms/{room.pk}/" in page
    assert "<svg" in page and "<?xml" not in page
    room_page = client.get(f"/chat/rooms/{room.pk}/").content.decode()
    assert 'class="site-header"' in room_page  # every other page keeps them
