"""The login budget counts attempts: parallel guesses on a live server cannot exceed it,
and the owner a stranger locked out still signs in, with a link sent by e-mail."""

import http.client
import re
import secrets
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
from django.conf import settings
from django.core import mail
from django.test import Client

from tests.accounts.factories import PASSWORD, UserFactory
from tests.asgi_server import running_asgi_server

PER_ACCOUNT = 5
GUESSES = 30
# Any 32 letters: the CSRF cookie and the form field only have to match.
CSRF = "a" * 32


def sign_in(server_url: str, email: str, password: str, address: str) -> http.client.HTTPResponse:
    """One POST to the live sign-in page, as a browser at `address` behind one proxy."""
    host, port = urllib.parse.urlsplit(server_url).netloc.split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=60)
    body = urllib.parse.urlencode({"login": email, "password": password, "csrfmiddlewaretoken": CSRF})
    connection.request("POST", "/accounts/login/", body=body, headers={
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"csrftoken={CSRF}",
        "X-Forwarded-For": address,
    })
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


@pytest.mark.django_db(transaction=True)
def test_thirty_parallel_guesses_check_at_most_the_budget_and_the_owner_stays_out():
    """Before: the budget was checked before the slow hash and spent after a failure, so
    guesses sent at once all passed (16–19 of 30 were checked against a budget of 5)."""
    owner = UserFactory()
    checks = redis.Redis.from_url(settings.REDIS_URL)
    key = f"{settings.TEST_REDIS_NAMESPACE}:password-checks"
    checks.delete(key)
    with running_asgi_server(
        DJANGO_SETTINGS_MODULE="tests.live_counting_settings",
        PASSWORD_CHECKS_REDIS_URL=settings.REDIS_URL, PASSWORD_CHECKS_KEY=key, PASSWORD_CHECK_SECONDS="0.3",
        RATE_LIMIT_LOGIN_FAILED=f"10/m/ip,{PER_ACCOUNT}/5m/key",
        # Each guess from its own address: only the account's budget stands in the way.
        TRUSTED_PROXY_COUNT="1",
    ) as server:
        # Warm the server's process (its first request imports the sign-in view): the
        # guesses should race each other, not the import.
        sign_in(server.url, "nobody@example.org", "x", "198.51.100.250")
        checks.delete(key)
        with ThreadPoolExecutor(GUESSES) as clients:
            answers = list(clients.map(
                lambda i: sign_in(server.url, owner.email, f"wrong-{secrets.token_hex(4)}", f"203.0.113.{i + 1}"),
                range(GUESSES),
            ))
        checked = int(checks.get(key) or 0)
        right = sign_in(server.url, owner.email, PASSWORD, "192.0.2.77")
        log = server.output()
    assert [answer.status for answer in answers] == [200] * GUESSES, log  # the form again, never in
    assert 1 <= checked <= PER_ACCOUNT, f"{checked} passwords were checked for a budget of {PER_ACCOUNT}"
    assert right.status == 200 and "sessionid" not in (right.getheader("Set-Cookie") or ""), \
        "the right password after the budget was spent must not sign in"


@pytest.mark.django_db
def test_an_owner_locked_out_by_a_stranger_signs_in_with_a_link_sent_by_email():
    owner = UserFactory()
    stranger = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(PER_ACCOUNT):
        stranger.post("/accounts/login/", {"login": owner.email, "password": "guess"})
    browser = Client(REMOTE_ADDR="192.0.2.10")
    refused = browser.post("/accounts/login/", {"login": owner.email, "password": PASSWORD})
    assert refused.status_code == 200 and "_auth_user_id" not in browser.session
    assert 'href="/accounts/login/link/"' in refused.content.decode()  # the way out is shown

    # The stranger may ask for links too: they reach only the owner's inbox.
    stranger.post("/accounts/login/link/", {"email": owner.email})
    asked = browser.post("/accounts/login/link/", {"email": owner.email.upper()})
    assert asked.status_code == 302
    assert [message.to for message in mail.outbox] == [[owner.email], [owner.email]]
    link = re.search(r"http://testserver(/accounts/login/link/\S+/)", mail.outbox[-1].body)[1]

    assert browser.get(link).status_code == 200  # a mail scanner opening it uses nothing up
    assert "_auth_user_id" not in browser.session
    signed_in = browser.post(link)
    assert signed_in.status_code == 302 and browser.session["_auth_user_id"] == str(owner.pk)
    assert browser.get("/accounts/settings/").status_code == 200

    # Once only; and the link the stranger caused to be sent ended with this sign-in too.
    first_link = re.search(r"http://testserver(/accounts/login/link/\S+/)", mail.outbox[0].body)[1]
    assert Client().post(link).status_code == 410
    assert Client().post(first_link).status_code == 410


@pytest.mark.django_db
def test_sign_in_links_are_rate_limited_and_tell_nothing_about_accounts():
    owner = UserFactory()
    unverified = UserFactory(verified=False)
    for i in range(6):
        answer = Client(REMOTE_ADDR=f"203.0.113.{i}").post("/accounts/login/link/", {"email": owner.email})
        assert answer.status_code == 302
    assert len(mail.outbox) == 3  # "3/15m/key": the mailbox is not flooded
    for email in ("nobody@example.org", unverified.email):
        assert Client(REMOTE_ADDR="192.0.2.50").post("/accounts/login/link/", {"email": email}).status_code == 302
    assert len(mail.outbox) == 3
    # An expired or forged link signs nobody in.
    assert Client().post("/accounts/login/link/forged-token/").status_code == 410
