"""Five interface languages: chosen from the header, the browser or the account, kept across
pages, announced to search engines, and used for each member's notifications."""

import datetime
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from apps.core.formatting import day, quantity
from apps.notifications.services import notify
from tests.accounts.factories import UserFactory
from tests.hub.factories import catalogue, owner, remote
from tests.meetups.factories import event_factory

pytestmark = pytest.mark.django_db

OWN_NAMES = {"es": "Español", "en": "English", "ca": "Català", "eu": "Euskara", "gl": "Galego"}


def page_language(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.content.decode()).group(1)


def test_the_site_speaks_spanish_english_and_the_co_official_languages():
    assert [code for code, _name in settings.LANGUAGES] == ["es", "en", "ca", "eu", "gl"]


def test_the_switcher_lists_each_language_in_its_own_name(client):
    body = client.get("/", HTTP_ACCEPT_LANGUAGE="gl").content.decode()
    options = dict(re.findall(r'<option value="(\w+)" lang="\w+"(?: selected)?>([^<]+)</option>', body))
    assert options == OWN_NAMES


def test_switching_language_returns_to_the_same_page_and_keeps_it(client):
    response = client.post("/i18n/setlang/", {"language": "gl", "next": "/meetups/"})
    assert response.status_code == 302 and response["Location"] == "/meetups/"
    assert page_language(client.get("/meetups/")) == "gl"
    assert page_language(client.get("/hackathons/")) == "gl"


def test_the_browser_language_is_used_until_one_is_chosen(client):
    assert page_language(client.get("/", HTTP_ACCEPT_LANGUAGE="gl-ES,gl;q=0.9,es;q=0.5")) == "gl"
    assert page_language(client.get("/", HTTP_ACCEPT_LANGUAGE="eu")) == "eu"


def test_a_member_gets_the_language_saved_on_the_account(client):
    client.force_login(UserFactory(language="gl"))
    assert page_language(client.get("/", HTTP_ACCEPT_LANGUAGE="en")) == "gl"


def test_choosing_a_language_signed_in_saves_it_on_the_account(client):
    member = UserFactory(language="es")
    client.force_login(member)
    client.post("/i18n/setlang/", {"language": "gl", "next": "/"})
    member.refresh_from_db()
    assert member.language == "gl"


def test_public_pages_announce_their_alternates_in_every_language(client):
    body = client.get("/meetups/?page=1").content.decode()
    alternates = dict(re.findall(r'<link rel="alternate" hreflang="([\w-]+)" href="([^"]+)">', body))
    assert alternates == {
        **{code: f"{settings.SITE_URL}/meetups/?page=1&amp;lang={code}" for code in OWN_NAMES},
        "x-default": f"{settings.SITE_URL}/meetups/?page=1",
    }


def test_an_alternate_link_shows_its_language_and_keeps_it(client):
    response = client.get("/meetups/?lang=gl", HTTP_ACCEPT_LANGUAGE="es")
    assert page_language(response) == "gl"
    # The switcher goes back to the page without the parameter, so it cannot undo the choice.
    assert '<input name="next" type="hidden" value="/meetups/">' in response.content.decode()
    assert page_language(client.get("/hackathons/", HTTP_ACCEPT_LANGUAGE="es")) == "gl"


def test_a_link_to_an_unknown_language_is_ignored(client):
    assert page_language(client.get("/?lang=xx", HTTP_ACCEPT_LANGUAGE="en")) == "en"


@pytest.mark.parametrize("language, expected", [
    ("es", "3\u202f300 · 7 dic 2026"),
    ("en", "3,300 · 7 Dec 2026"),
    ("ca", "3\u202f300 · 7 des. 2026"),
    ("eu", "3\u202f300 · 2026ko abenduaren 7a"),
    ("gl", "3\u202f300 · 7 dec 2026"),
])
def test_numbers_and_dates_follow_each_language(language, expected):
    template = Template('{{ n|floatformat:"0g" }} · {{ d|date:"DATE_FORMAT" }}')
    with translation.override(language):
        assert template.render(Context({"n": Decimal("3300.00"), "d": datetime.date(2026, 12, 7)})) == expected
        assert f"{quantity(Decimal('3300.00'))} · {day(datetime.date(2026, 12, 7))}" == expected


def test_each_member_is_notified_in_their_own_language(django_capture_on_commit_callbacks):
    galician, english = UserFactory(language="gl"), UserFactory(language="en")
    with django_capture_on_commit_callbacks(execute=True):
        sent = notify(recipients=[galician, english], kind="test", title=lambda: _("Back to the home page"))
    titles = {notification.recipient_id: notification.title for notification in sent}
    assert titles == {galician.pk: "Volver á páxina de inicio", english.pk: "Back to the home page"}


@pytest.mark.parametrize("language, when, downloads", [
    ("es", "Martes, 4 dic 2029, 18:30", "12\u202f345"),
    ("en", "Tuesday, 4 Dec 2029, 18:30", "12,345"),
    ("ca", "Dimarts, 4 des. 2029, 18:30", "12\u202f345"),
    ("eu", "Asteartea, 2029ko abenduaren 4a, 18:30", "12\u202f345"),
    ("gl", "Martes, 4 dec 2029, 18:30", "12\u202f345"),
])
def test_a_meetup_date_and_the_home_figures_are_written_the_readers_way(client, language, when, downloads):
    starts = datetime.datetime(2029, 12, 4, 18, 30, tzinfo=ZoneInfo("Europe/Madrid"))
    event = event_factory(starts_at=starts, ends_at=starts + datetime.timedelta(hours=2))
    catalogue(owner("bsc-lt"), [remote("bsc-lt/roberta-base-bne", downloads=12345)])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    meetup = client.get(reverse("meetups:event", args=[event.slug])).content.decode()
    home = client.get("/").content.decode()

    assert re.search(r"<time datetime=\"[^\"]+\">([^<]+)</time>", meetup).group(1) == when
    assert re.search(r'data-stat="hub_downloads_last_30_days">([^<]+)<', home).group(1) == downloads
