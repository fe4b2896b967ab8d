"""The site layout's fixed parts are rendered once per process and language (issue 20), while
everything about the person, the page and the request stays theirs on every request."""

import re
from unittest import mock

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from apps.notifications.services import notify
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def _reversed_names(client, url) -> list[str]:
    """The URL names reversed (`{% url %}` tags among them) while `url` was rendered."""
    with mock.patch("django.urls.reverse", wraps=reverse) as spy:
        assert client.get(url).status_code == 200
    return [call.args[0] for call in spy.call_args_list]


def test_a_members_layout_reverses_only_the_members_own_links_after_the_first_page(client):
    client.force_login(UserFactory())
    client.get("/accessibility/")
    names = _reversed_names(client, "/accessibility/")
    assert {"home", "notifications:list", "accessibility", "api-docs"}.isdisjoint(names), names


def test_the_sections_urls_are_reversed_once_per_process_not_on_every_page(client):
    client.force_login(UserFactory())
    client.get("/talent/")
    with mock.patch("apps.core.navigation.reverse", wraps=reverse) as spy:
        body = client.get("/hackathons/").content.decode()
    assert spy.call_count == 0
    assert '<a href="/hackathons/" aria-current="page">' in body


def _badge(body: str) -> str:
    return re.search(r"<span class=\"badge\" data-unread-count( hidden)?>(\d*)</span>", body).group(2)


def test_members_in_turn_see_their_own_name_badge_and_admin_link(client):
    member, staff = UserFactory(), UserFactory(is_staff=True)
    notify(recipients=[member, member], kind="test.layout", title="Aviso", email=False)
    notify(recipients=[member], kind="test.layout", title="Otro aviso", email=False)
    for user, unread, admin in ((member, "2", False), (staff, "0", True), (member, "2", False)):
        client.force_login(user)
        body = client.get("/accessibility/").content.decode()
        assert f"data-account-link>{user.username}</a>" in body
        assert _badge(body) == unread
        assert ('href="/admin/"' in body) is admin

    client.force_login(member)
    notify(recipients=[member], kind="test.layout", title="Un aviso más", email=False)
    assert _badge(client.get("/accessibility/").content.decode()) == "3"


def test_the_header_follows_the_section_the_language_and_who_is_signed_in(client):
    talent = client.get("/talent/").content.decode()
    assert '<a href="/talent/" aria-current="page">Talento</a>' in talent
    assert "/accounts/login/" in talent

    client.force_login(UserFactory())
    english = client.get("/hackathons/?lang=en").content.decode()
    assert '<a href="/hackathons/" aria-current="page">Hackathons</a>' in english
    assert 'aria-current="page">Talent<' not in english
    assert "Log out" in english and "/accounts/login/" not in english
    assert '<option value="en" lang="en" selected>' in english

    spanish = client.get("/talent/?lang=es").content.decode()
    assert '<a href="/talent/" aria-current="page">Talento</a>' in spanish
    assert "Cerrar sesión" in spanish and '<option value="es" lang="es" selected>' in spanish


def test_the_language_switcher_returns_to_this_page_without_its_lang(client):
    body = client.get("/talent/?q=datos&lang=en&region=MD").content.decode()
    assert '<input name="next" type="hidden" value="/talent/?q=datos&amp;region=MD">' in body
    assert 'hreflang="gl" href="http://127.0.0.1:8000/talent/?q=datos&amp;region=MD&amp;lang=gl"' in body
    assert 'hreflang="x-default" href="http://127.0.0.1:8000/talent/?q=datos&amp;region=MD"' in body


def test_a_part_rendered_per_language_is_rendered_once_for_each_language_and_value():
    template = Template("{% load layout %}{% per_language section %}{{ section }} {{ counter }}{% endper_language %}")
    counter = iter(range(100))
    context = {"counter": lambda: next(counter)}

    def render(language, section):
        with translation.override(language):
            return template.render(Context({**context, "section": section}))

    assert [render("es", "talent"), render("es", "talent"), render("en", "talent"), render("es", "models")] == [
        "talent 0", "talent 0", "talent 1", "models 2",
    ]
