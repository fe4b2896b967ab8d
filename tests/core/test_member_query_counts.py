"""Signed-in pages and API lists need as many queries with 3 items as with 15 (issue 20):
drawn afresh and shared, as a member and, where the page differs, as staff."""

import pytest

from apps.hackathons.models import Hackathon
from apps.notifications.services import notify
from apps.profiles.models import Skill
from tests.accounts.factories import UserFactory
from tests.compute.factories import approved_request, make_call
from tests.hackathons.factories import hackathon_factory
from tests.hub import factories as hub
from tests.meetups.factories import event_factory
from tests.profiles.factories import make_profile
from tests.query_counts import assert_queries_do_not_grow

pytestmark = pytest.mark.django_db


def _grow(make, url):
    """A page for `assert_queries_do_not_grow`: `make(i)` for each item up to n."""
    made = []

    def page(n):
        while len(made) < n:
            made.append(make(len(made)))
        return url(made) if callable(url) else url
    return page


def _profile(i):
    return make_profile(display_name=f"Persona de datos {i}", headline="Ciencia de datos abiertos")


def _repositories():
    owner = hub.owner("bsc-lt")

    def make(i):
        hub.catalogue(owner, [hub.remote(f"bsc-lt/modelo-{j}", downloads=j) for j in range(i + 1)])
        return f"/models/model/bsc-lt/modelo-{i}/"
    return make


def _hackathon(i):
    return hackathon_factory(title=f"Hackatón {i}", state=Hackathon.State.REGISTRATION_OPEN)


def _profile_with_skills(n):
    """A profile page with n skills (a new profile per size)."""
    skills = list(Skill.objects.values_list("slug", flat=True)[:n])
    return make_profile(skills=[(slug, 2) for slug in skills], languages=[("es", "native"), ("en", "professional")])


def _funded_projects():
    calls = []

    def make(i):
        calls[:] = calls or [make_call(budget="100000")]
        return approved_request(call=calls[0], title=f"Proyecto {i}")
    return make


PAGES = {
    "/": lambda: _grow(_profile, "/"),
    "/talent/": lambda: _grow(_profile, "/talent/"),
    "/talent/?q=datos": lambda: _grow(_profile, "/talent/?q=datos"),
    "/api/profiles/": lambda: _grow(_profile, "/api/profiles/"),
    "a profile": lambda: lambda n: f"/talent/{_profile_with_skills(n).handle}/",
    "/models/": lambda: _grow(_repositories(), "/models/"),
    "a repository": lambda: _grow(_repositories(), lambda made: made[-1]),
    "/api/hub/repositories/": lambda: _grow(_repositories(), "/api/hub/repositories/"),
    "/hackathons/": lambda: _grow(_hackathon, "/hackathons/"),
    "a hackathon": lambda: _grow(_hackathon, lambda made: f"/hackathons/{made[-1].slug}/"),
    "/api/hackathons/": lambda: _grow(_hackathon, "/api/hackathons/"),
    "/meetups/": lambda: _grow(lambda i: event_factory(title=f"Encuentro {i}", days=1 + i), "/meetups/"),
    "a meetup": lambda: _grow(lambda i: event_factory(title=f"Encuentro {i}"), lambda made: f"/meetups/events/{made[-1].slug}/"),
    "/api/meetups/events/": lambda: _grow(lambda i: event_factory(title=f"Encuentro {i}", days=1 + i), "/api/meetups/events/"),
    "/compute/dashboard/": lambda: _grow(_funded_projects(), "/compute/dashboard/"),
    "/api/compute/dashboard/": lambda: _grow(_funded_projects(), "/api/compute/dashboard/"),
    "/transparency/": lambda: _grow(_funded_projects(), "/transparency/"),
}
STAFF_DIFFERS = {"/talent/", "/talent/?q=datos", "/hackathons/", "/meetups/"}


@pytest.mark.parametrize("name", PAGES)
def test_a_members_page_needs_as_many_queries_with_more_data(client, name):
    client.force_login(UserFactory())
    assert_queries_do_not_grow(client, PAGES[name]())


@pytest.mark.parametrize("name", sorted(STAFF_DIFFERS))
def test_a_staff_members_page_needs_as_many_queries_with_more_data(client, name):
    client.force_login(UserFactory(is_staff=True))
    assert_queries_do_not_grow(client, PAGES[name]())


@pytest.mark.parametrize("url", ["/notifications/", "/api/notifications/"])
def test_a_members_notifications_need_as_many_queries_with_more_of_them(client, url):
    member = UserFactory()
    client.force_login(member)

    def page(n):
        for i in range(n - member.notifications.count()):
            notify(recipients=[member], kind="test.counts", title=f"Aviso {i}", email=False)
        return url
    assert_queries_do_not_grow(client, page)
