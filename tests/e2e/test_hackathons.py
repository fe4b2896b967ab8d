"""An organiser creates and opens a hackathon; two participants register, form a team and
submit; a judge scores; the organiser publishes; the leaderboard shows the team.

Everyone gets around by clicking (header menu, tabs, links), in a desktop and in a phone window;
every screenshot fails the test if the page is wider than its window."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.hackathons.models import Hackathon
from tests.accounts.factories import UserFactory
from tests.e2e.conftest import WINDOWS, open_section, shoot
from tests.hackathons.factories import organiser_factory

TITLE = "Hackathon de IA del Cantábrico"


def post(page, operation, **fields):
    """Submit the form of the page that posts to the operation's URL (`manage/judges`: `/<slug>/manage/judges/`)."""
    form = page.locator(f"form[action$='/{operation}/']").first
    for name, value in fields.items():
        form.locator(f"[name={name}]").fill(value)
    form.locator("button[type=submit]").click()


def open_hackathon(page, tab=None):
    """From anywhere: the header's Hackathons, the hackathon, then one of its tabs."""
    open_section(page, "Hackatones")
    page.get_by_role("link", name=TITLE).first.click()
    if tab:
        page.locator(".hk-subnav").get_by_role("link", name=tab).click()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("window", WINDOWS)
def test_hackathon_from_creation_to_leaderboard(window, page, log_in_as):
    page.set_viewport_size(WINDOWS[window])
    organiser = organiser_factory(username="olga")
    ana, bruno, judge = UserFactory(username="ana"), UserFactory(username="bruno"), UserFactory(username="jueza")

    # The organiser creates the hackathon and opens registration.
    org = log_in_as(organiser, window)
    open_section(org, "Hackatones")
    org.locator("a[href='/hackathons/new/']").click()
    org.locator("#id_title").fill(TITLE)
    org.locator("#id_summary").fill("Modelos abiertos para el mar y la costa.")
    org.locator("#id_description").fill("Un fin de semana **abierto** para construir.")
    org.locator("#id_tracks").fill("Océano\nPuertos")
    org.locator("#id_timezone").select_option("Europe/Madrid")
    year = timezone.now().year + 1
    for field, value in {
        "registration_opens_at": f"{year}-03-01T09:00", "registration_closes_at": f"{year}-03-20T09:00",
        "hacking_starts_at": f"{year}-03-21T09:00", "hacking_ends_at": f"{year}-03-23T18:00",
        "judging_ends_at": f"{year}-03-28T18:00", "results_at": f"{year}-03-30T12:00",
    }.items():
        org.locator(f"#id_{field}").fill(value)
    shoot(org, f"hackathons-01-create-{window}")
    org.locator("form.card button[type=submit]").click()
    expect(org).to_have_url(re.compile(r"/hackathons/hackathon-de-ia-del-cantabrico/manage/$"))
    post(org, "manage/criteria", name="Impacto", weight="2", max_score="10")
    post(org, "manage/judges", handle="jueza")
    post(org, "manage/transitions/publish")
    expect(org.locator("[data-state]")).to_have_attribute("data-state", "published")
    post(org, "manage/transitions/open_registration")
    expect(org.locator("[data-state]")).to_have_attribute("data-state", "registration_open")
    shoot(org, f"hackathons-02-dashboard-{window}")

    # Two participants register and form a team.
    participants = {}
    for user in (ana, bruno):
        p = log_in_as(user, window)
        open_hackathon(p)
        p.locator("a[href$='/register/']").first.click()
        p.locator("#id_motivation").fill("Quiero construir algo útil.")
        p.locator("#id_looking_for").fill("Python, visión por computador")
        p.locator("#id_agreed").check()
        p.locator("form.card button[type=submit]").click()
        expect(p.locator(".message-success")).to_be_visible()
        participants[user.username] = p
    ana_page, bruno_page = participants["ana"], participants["bruno"]
    ana_page.locator(".hk-subnav").get_by_role("link", name="Equipo").click()
    expect(ana_page.locator("[data-board]")).to_contain_text("bruno")
    shoot(ana_page, f"hackathons-03-board-{window}")
    post(ana_page, "team/create", name="Las Gaviotas")
    post(ana_page, "team/invite", handle="bruno")
    bruno_page.locator(".hk-subnav").get_by_role("link", name="Equipo").click()
    post(bruno_page, "team/invitations/accept")
    expect(bruno_page.locator("[data-team-members]")).to_contain_text("ana")

    # Hacking starts; the team submits.
    org.reload()
    post(org, "manage/transitions/start_hacking")
    expect(org.locator("[data-state]")).to_have_attribute("data-state", "in_progress")
    bruno_page.reload()
    bruno_page.locator("a[href*='/submit/']").first.click()
    bruno_page.locator("#id_title").fill("Boyas que hablan")
    bruno_page.locator("#id_description").fill("Predicción del **oleaje** con sensores abiertos.")
    bruno_page.locator("#id_models").fill("gaviotas/oleaje-7b")
    bruno_page.locator("#id_spaces").fill("gaviotas/demo-boyas")
    bruno_page.locator("#id_source_url").fill("https://github.com/gaviotas/boyas")
    shoot(bruno_page, f"hackathons-04-submission-{window}")
    bruno_page.locator("form.card button[type=submit]").click()
    expect(bruno_page.locator(".message-success")).to_be_visible()

    # The deadline passes (the clock is moved instead of waiting two days), judging starts.
    now, day = timezone.now(), timezone.timedelta(days=1)
    Hackathon.objects.filter(slug="hackathon-de-ia-del-cantabrico").update(
        registration_opens_at=now - 10 * day, registration_closes_at=now - 2 * day,
        hacking_starts_at=now - 2 * day, hacking_ends_at=now - timezone.timedelta(minutes=1),
    )
    org.reload()
    post(org, "manage/transitions/start_judging")
    expect(org.locator("[data-state]")).to_have_attribute("data-state", "judging")

    # The judge scores.
    jp = log_in_as(judge, window)
    open_hackathon(jp, "Evaluación")
    jp.locator("a[href*='/judging/']").last.click()
    jp.locator("input[name^=criterion_]").fill("8")
    jp.locator("textarea[name^=comment_]").fill("Muy buena idea.")
    shoot(jp, f"hackathons-05-score-{window}")
    jp.locator("form.card button[type=submit]").click()
    expect(jp.locator(".message-success")).to_be_visible()

    # Before publication a participant sees no scores; the organiser publishes.
    open_hackathon(ana_page, "Resultados y galería")
    expect(ana_page.locator("[data-leaderboard]")).to_have_count(0)
    org.reload()
    post(org, "manage/transitions/publish_results")
    expect(org.locator("[data-state]")).to_have_attribute("data-state", "finished")

    # Anyone sees the leaderboard with the team.
    page.goto("/")
    open_hackathon(page, "Resultados y galería")
    board = page.locator("[data-leaderboard]")
    expect(board).to_contain_text("Las Gaviotas")
    expect(board.locator("[data-score]")).to_have_attribute("data-score", "80.00")
    score = board.locator("[data-score]").bounding_box()  # on a phone too: the table reflows
    assert score["x"] + score["width"] <= WINDOWS[window]["width"], "the score is cut off"
    expect(page.locator(".hk-repos")).to_contain_text("gaviotas/oleaje-7b")
    shoot(page, f"hackathons-06-leaderboard-{window}")
    open_section(page, "Hackatones")
    shoot(page, f"hackathons-07-list-{window}")
    page.get_by_role("link", name=TITLE).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    shoot(page, f"hackathons-08-detail-{window}")

