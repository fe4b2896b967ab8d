"""403 and 404 pages say what happened and lead back to where the person was."""

import pytest
from django.urls import path

from tests.accounts.factories import UserFactory
from tests.compute.factories import make_call, make_request

pytestmark = pytest.mark.django_db


def test_not_found_explains_and_links_back_to_the_previous_page(client):
    client.force_login(UserFactory())
    response = client.get("/hackathons/no-such-event/", HTTP_REFERER="http://testserver/hackathons/?period=upcoming")
    assert response.status_code == 404
    body = response.content.decode()
    assert "data-error-page" in body and 'class="site-header"' in body  # the site's own layout
    assert 'href="/hackathons/?period=upcoming" data-way-back' in body


def test_without_a_previous_page_the_way_back_is_the_section(client):
    response = client.get("/hackathons/no-such-event/")
    assert response.status_code == 404
    assert 'href="/hackathons/" data-way-back' in response.content.decode()


def test_a_referer_from_another_site_is_not_offered_as_the_way_back(client):
    response = client.get("/compute/requests/999999/", HTTP_REFERER="https://evil.example/")
    body = response.content.decode()
    assert "evil.example" not in body


def test_forbidden_says_why_and_who_is_signed_in(client):
    call = make_call()
    make_request(call=call)
    member = UserFactory()
    client.force_login(member)
    response = client.get("/compute/grants/", HTTP_REFERER="http://testserver/compute/")
    assert response.status_code == 403
    body = response.content.decode()
    assert member.email in body
    assert 'href="/compute/" data-way-back' in body
    assert "data-error-page" in body


def boom(request):
    raise RuntimeError("a bug")


urlpatterns = [path("boom/", boom)]


@pytest.mark.urls("tests.core.test_error_pages")
@pytest.mark.parametrize("language, text", [("es", "Algo ha fallado"), ("en", "Something went wrong")])
def test_a_server_error_is_the_sites_own_page_in_the_visitors_language(client, language, text):
    client.raise_request_exception = False
    response = client.get("/boom/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 500
    body = response.content.decode()
    assert text in body and "data-error-page" in body and f'lang="{language}"' in body
    assert "Traceback" not in body and "RuntimeError" not in body
