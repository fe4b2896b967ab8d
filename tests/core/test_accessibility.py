"""Forms tell everyone what went wrong, and the accessibility statement is one click away.

The browser checks (axe-core over every page, keyboard only, 320 px) are in
tests/e2e/test_accessibility.py and tests/e2e/test_keyboard.py.
"""

import re

import pytest
from django import forms
from django.conf import settings

from tests.accounts.factories import UserFactory
from tests.profiles.factories import make_profile
from tests.profiles.test_pages import edit_data

pytestmark = pytest.mark.django_db


class _Talk(forms.Form):
    title = forms.CharField(label="Title", help_text="A short title.")
    minutes = forms.IntegerField(label="Minutes")

    def clean(self):
        raise forms.ValidationError("The call for speakers is closed.")


def _ids(html: str) -> set[str]:
    return set(re.findall(r'\sid="([^"]+)"', html))


def test_a_form_summarises_its_errors_at_the_top_and_links_each_to_its_field():
    html = str(_Talk(data={"minutes": "many"}))
    summary = html[html.index("data-error-summary"):html.index("</ul>")]
    assert 'role="alert"' in html[:html.index("data-error-summary") + 60]
    assert "The call for speakers is closed." in summary
    assert 'href="#id_title"' in summary and 'href="#id_minutes"' in summary
    assert html.index("data-error-summary") < html.index('name="title"')


def test_every_field_points_to_its_own_errors_and_help_and_says_it_is_invalid():
    html = str(_Talk(data={"minutes": "many"}))
    ids = _ids(html)
    for name in ("title", "minutes"):
        widget = re.search(rf'<input[^>]+name="{name}"[^>]*>', html).group(0)
        assert 'aria-invalid="true"' in widget
        described = re.search(r'aria-describedby="([^"]+)"', widget).group(1).split()
        assert f"id_{name}_error" in described
        assert set(described) <= ids, f"{name} is described by elements that do not exist: {described}"


def test_a_page_form_links_its_fields_to_their_errors(client):
    """A page that lays fields out itself (the profile editor) keeps the same links."""
    make_profile(handle="ocupado")
    client.force_login(UserFactory())
    response = client.post("/talent/me/edit/", edit_data(handle="OCUPADO", website="ftp://x"))
    html = response.content.decode()
    assert response.status_code == 400
    assert 'href="#id_handle"' in html and 'href="#id_website"' in html
    ids = _ids(html)
    for widget in re.findall(r"<(?:input|textarea|select)[^>]+aria-describedby=\"[^\"]+\"[^>]*>", html):
        described = re.search(r'aria-describedby="([^"]+)"', widget).group(1).split()
        assert set(described) <= ids, f"{widget} is described by elements that do not exist"


def test_the_accessibility_statement_is_linked_from_every_page_and_names_a_contact(client):
    home = client.get("/").content.decode()
    assert 'href="/accessibility/"' in home
    statement = client.get("/accessibility/")
    assert statement.status_code == 200
    text = statement.content.decode()
    assert "(WCAG) 2.1" in text and "EN 301 549" in text
    assert f"mailto:{settings.CONTACT_EMAIL}" in text


def test_motion_stops_for_people_who_ask_for_less():
    css = (settings.BASE_DIR / "frontend" / "static" / "css" / "site.css").read_text()
    block = css[css.index("@media (prefers-reduced-motion: reduce)"):]
    assert "animation-duration" in block and "transition-duration" in block
