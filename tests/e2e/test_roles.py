"""Every role clicks through its main pages on a phone and on a desktop.

Each page fails the test on horizontal overflow, a console error, or a visible link that
answers 4xx/5xx; screenshots land in artifacts/screenshots/roles/ for people to look at.
"""

from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Group

from apps.accounts import roles
from apps.hackathons.models import Hackathon
from apps.hub.models import HubOwner
from tests.accounts.factories import UserFactory
from tests.compute.factories import approved_request, assigned, make_call, make_operator, make_request
from tests.e2e.conftest import ARTIFACTS, save_screenshot
from tests.hackathons.factories import (
    hackathon_factory,
    judge_factory,
    running_schedule,
    submission_factory,
    team_factory,
)
from tests.hub import factories as hub
from tests.profiles.factories import make_profile

SIZES = {"phone": (390, 844), "desktop": (1280, 900)}
SHOTS = ARTIFACTS / "roles"


@pytest.fixture
def world(db):
    hackathon = hackathon_factory(state=Hackathon.State.IN_PROGRESS, schedule=running_schedule(),
                                  title="Hackathon de IA para el clima")
    organiser = hackathon.organisers.get()
    organiser.groups.add(Group.objects.get_or_create(name=roles.ORGANISERS)[0])
    team, (member, _mate) = team_factory(hackathon)
    submission_factory(team, member)
    judge_factory(hackathon, organiser)
    call = make_call(title="Modelos abiertos 2027", budget="12000", per_request_max="3000")
    allocation, _grant = approved_request(call=call, applicant=member, units="1200")
    reviewer = call.reviewers.first()
    assigned(call=call, allocation=make_request(call=call), reviewer=reviewer)
    operator = make_operator(call.resource)
    owner = hub.owner(name="BSC-LT")
    HubOwner.objects.get(pk=owner.pk).members.add(member)
    hub.catalogue(owner, [hub.remote("BSC-LT/ALIA-40b", downloads=174, task="text-generation")])
    for person in (member, organiser, reviewer):
        make_profile(user=person)
    return {
        "anonymous": None, "member": member, "organiser": organiser, "reviewer": reviewer,
        "operator": operator, "staff": UserFactory(is_staff=True, is_superuser=True),
        "hackathon": hackathon, "call": call, "allocation": allocation,
    }


def main_pages(role, world):
    slug, call = world["hackathon"].slug, world["call"].slug
    public = ["/", "/hackathons/", f"/hackathons/{slug}/", "/talent/", "/compute/", "/compute/dashboard/",
              "/models/", f"/compute/calls/{call}/"]
    signed_in = ["/me/", "/accounts/settings/", "/notifications/"]
    return public + {
        "anonymous": [],
        "member": signed_in + [f"/hackathons/{slug}/team/", "/compute/requests/",
                               f"/compute/requests/{world['allocation'].pk}/", "/talent/me/edit/"],
        "organiser": signed_in + [f"/hackathons/{slug}/manage/"],
        "reviewer": signed_in + ["/compute/reviews/"],
        "operator": signed_in + ["/compute/grants/", "/compute/usage/import/"],
        "staff": signed_in + [f"/compute/calls/{call}/manage/", "/admin/"],
    }[role]


def visible_links(page) -> list[str]:
    """Same-site links a person can see and click (GET), without the file downloads."""
    hrefs = page.eval_on_selector_all(
        "a[href]",
        """links => links.filter(a => a.offsetParent !== null || a.getClientRects().length)
                         .map(a => a.href)""",
    )
    here = urlsplit(page.url)
    links = []
    for href in hrefs:
        parts = urlsplit(href)
        if parts.netloc != here.netloc or parts.path.startswith(("/ws/", "/accounts/logout")):
            continue
        if parts.path.endswith((".ics", ".csv", ".json")) or "/attachments/" in parts.path:
            continue
        links.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return links


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize("role", ["anonymous", "member", "organiser", "reviewer", "operator", "staff"])
def test_each_role_clicks_through_its_pages_on_a_phone_and_a_desktop(role, world, browser, live_server,
                                                                      log_in_as):
    person = world[role]
    page = log_in_as(person) if person else browser.new_context(base_url=live_server.url,
                                                               locale="es-ES").new_page()
    errors, problems, checked = [], [], set()
    page.on("console", lambda m: errors.append(f"{page.url}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"{page.url}: {e}"))
    SHOTS.mkdir(parents=True, exist_ok=True)
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        for url in main_pages(role, world):
            response = page.goto(url)
            if response.status >= 400:
                problems.append(f"{url}: {response.status}")
                continue
            name = url.strip("/").replace("/", "-") or "home"
            save_screenshot(page, SHOTS / f"{role}-{name}-{size}.png")
            if (wider := overflow(page)) > 0:
                problems.append(f"{url} at {width}px: {wider}px wider than the screen")
            for link in visible_links(page):
                if link in checked:
                    continue
                checked.add(link)
                status = page.request.get(link, max_redirects=5).status
                if status >= 400:
                    problems.append(f"{url} → {link}: {status}")
    # Sockets (notification badge, chat) need the ASGI server, which the test's live server
    # is not; the chat and announcement journeys test them against a real one.
    errors = [e for e in errors if "/ws/" not in e]
    assert not (problems or errors), "\n".join(problems + errors)
    page.context.close()
