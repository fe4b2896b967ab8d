"""A new member fills in a profile; another member finds them by skill and language."""

import re

from playwright.sync_api import expect

from tests.accounts.factories import PASSWORD, UserFactory
from tests.e2e.conftest import ARTIFACTS, save_screenshot
from tests.profiles.factories import make_profile


def log_in(page, email):
    page.goto("/accounts/login/")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form button[type=submit]").last.click()
    expect(page).to_have_url(re.compile(r"/$"))


def test_new_member_fills_in_a_profile_and_another_member_finds_them(page, browser, live_server, screenshot):
    # A few other people already in the pool, so the facets have something to count.
    make_profile(display_name="Jordi Puig", skills=[("computer-vision", 2)], languages=[("ca", "native")])
    make_profile(display_name="Ane Arregui", skills=[("nlp", 3)], languages=[("eu", "native")])
    newcomer = UserFactory(email="maialen@example.org", first_name="Maialen", last_name="Etxeberria")

    log_in(page, newcomer.email)
    page.get_by_role("navigation", name="Principal").get_by_role("link", name="Talento").click()
    page.get_by_role("link", name="Editar mi perfil").click()
    page.locator("#id_handle").fill("maialen")
    page.locator("#id_display_name").fill("Maialen Etxeberria")
    page.locator("#id_headline").fill("Visión por computador para el sector pesquero")
    page.locator("#id_bio").fill("Trabajo con **drones** y redes convolucionales. <script>alert(1)</script>")
    page.locator("#id_region").select_option("PV")
    page.locator("#id_city").fill("Donostia")
    page.locator("#id_affiliation_kind").select_option("research")
    page.locator("#id_affiliation_name").fill("AZTI")
    page.locator("[name='skill__computer-vision']").select_option("3")
    page.locator("[name='skill__mlops']").select_option("1")
    page.locator("[name='language__eu']").select_option("native")
    page.locator("[name='language__es']").select_option("native")
    page.locator("#id_orcid").fill("0000-0002-1825-0098")  # a typo first
    page.locator("#id_looking_for_team").check()
    page.locator("input[name='visibility'][value='members']").check()
    page.get_by_role("button", name="Guardar perfil").click()

    orcid_field = page.locator("[data-field='orcid']")
    expect(orcid_field.locator(".errorlist")).to_be_visible()
    screenshot("profiles-01-edit-error")
    page.locator("#id_orcid").fill("0000-0002-1825-0097")
    page.get_by_role("button", name="Guardar perfil").click()
    expect(page).to_have_url(re.compile(r"/talent/maialen/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Maialen Etxeberria")
    expect(page.locator(".prose strong")).to_have_text("drones")
    screenshot("profiles-02-profile")

    seeker = browser.new_context(base_url=live_server.url, locale="es-ES").new_page()
    recruiter = UserFactory(email="olga@example.org")
    log_in(seeker, recruiter.email)
    seeker.get_by_role("navigation", name="Principal").get_by_role("link", name="Talento").click()
    expect(seeker.get_by_role("heading", name="Reserva de talento")).to_be_visible()
    seeker.locator("#f-skill-computer-vision").check()
    expect(seeker).to_have_url(re.compile(r"skill=computer-vision"))
    seeker.locator("#f-language-eu").check()
    expect(seeker).to_have_url(re.compile(r"language=eu"))
    cards = seeker.locator(".profile-card")
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("Maialen Etxeberria")
    expect(seeker.locator("[data-facet='skill'] label[for='f-skill-computer-vision'] .count")).to_have_text("1")
    save_screenshot(seeker, ARTIFACTS / "profiles-03-search.png")

    cards.first.get_by_role("link", name="Maialen Etxeberria").click()
    seeker.locator("#id_message").fill("Hola Maialen, ¿te unes a nuestro equipo del hackatón?")
    seeker.get_by_role("button", name="Enviar solicitud").click()
    expect(seeker.locator(".message-success")).to_be_visible()
    expect(seeker.locator("body")).not_to_contain_text("maialen@example.org")
    seeker.context.close()

    page.goto("/talent/contacts/")
    expect(page.locator(".contact").first).to_contain_text("¿te unes a nuestro equipo del hackatón?")
    screenshot("profiles-04-contact-inbox")

    page.goto("/talent/me/edit/")
    page.get_by_role("link", name="Mis datos y mi cuenta").click()
    expect(page.get_by_role("heading", name="Eliminar mi cuenta")).to_be_visible()
    screenshot("profiles-05-account")
