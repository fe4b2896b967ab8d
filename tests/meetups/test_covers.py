"""Meetup covers are stored as a re-encoded JPEG, like avatars (apps/core/images.py)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from apps.meetups import services
from apps.meetups.models import Event
from tests.meetups.factories import event_factory
from tests.profiles.factories import image_upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _exif_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"
    exif[0x8825] = {1: "N", 2: (40.0, 25.0, 0.0)}
    return exif.tobytes()


def _edit(client, event, **extra):
    fields = {
        "title": event.title, "timezone": event.timezone, "starts_at": "2031-05-01T18:00", "ends_at": "2031-05-01T20:00",
        "venue": event.venue, "address": event.address, "address_visibility": "everyone", "languages": "es",
        "join_policy": "open", "max_guests": 0, "waitlist_mode": "promote", "offer_hours": 24,
    }
    return client.post(f"/meetups/events/{event.slug}/edit/", {**fields, **extra})


def test_an_organiser_uploads_a_cover_that_is_reencoded_bounded_and_without_metadata(world):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world["organiser"])
    upload = image_upload("portada.jpg", size=(4000, 1000), fmt="JPEG", exif=_exif_with_gps())
    assert _edit(client, world["event"], cover=upload).status_code == 302
    event = Event.objects.get(pk=world["event"].pk)
    assert event.cover_image.name.startswith("meetups/covers/") and event.cover_image.name.endswith(".jpg")
    with event.cover_image.open("rb") as stored, Image.open(stored) as image:
        assert image.format == "JPEG"
        assert image.size == (1600, 400)  # fitted within 1600 × 900, proportions kept
        assert not image.getexif() and "exif" not in image.info
    assert event.cover_image.url in client.get(f"/meetups/events/{event.slug}/").content.decode()


def test_a_new_cover_replaces_the_old_file(world, django_capture_on_commit_callbacks):
    organiser, event = world["organiser"], world["event"]
    services.event_update(actor=organiser, event=event, cover=image_upload("a.png"))
    first = Event.objects.get(pk=event.pk).cover_image
    storage, old_name = first.storage, first.name
    with django_capture_on_commit_callbacks(execute=True):
        services.event_update(actor=organiser, event=event, cover=image_upload("b.gif", fmt="GIF"))
    assert Event.objects.get(pk=event.pk).cover_image.name != old_name
    assert not storage.exists(old_name)


def test_bad_covers_are_errors_next_to_the_field_and_change_nothing(world):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world["organiser"])
    fake = SimpleUploadedFile("cover.png", b"%PDF-1.7 not an image", content_type="image/png")
    page = _edit(client, world["event"], cover=fake, title="Nuevo título")
    assert page.status_code == 200
    assert "Upload a JPEG, PNG, WebP or GIF image of at most 5 MB." in page.context["form"].errors["cover"]
    big = SimpleUploadedFile("big.png", b"\x89PNG" + b"0" * (5 * 1024 * 1024), content_type="image/png")
    assert "5 MB" in _edit(client, world["event"], cover=big).context["form"].errors["cover"][0]
    event = Event.objects.get(pk=world["event"].pk)
    assert not event.cover_image and event.title == world["event"].title


def test_only_organisers_reach_the_upload(world):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world["attendee"])
    _edit(client, world["event"], cover=image_upload())
    assert not Event.objects.get(pk=world["event"].pk).cover_image


def test_a_cover_can_be_given_when_the_event_is_created(world):
    event = event_factory(chapter=world["chapter"], publish=False, title="Con portada", cover=image_upload())
    assert event.cover_image.name.endswith(".jpg")
