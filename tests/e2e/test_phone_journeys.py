"""The newcomer's first journey on a phone, by clicking only: sign up, verify, build a profile,
then find the account area and My community from the folded menu."""

import re

from django.core import mail
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, save_screenshot

PASSWORD = "una-clave-de-prueba-larga-31"
PHONE = {"width": 390, "height": 844}


def open_menu(page):
    page.get_by_role("button", name="Menú").click()


def no_overflow(page):
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0, page.url


def test_sign_up_verify_and_build_a_profile_on_a_phone(page):
    shots = ARTIFACTS / "phone"
    shots.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(PHONE)
    page.goto("/")
    open_menu(page)
    page.get_by_role("link", name="Registrarse").first.click()
    page.locator("#id_email").fill("nora@example.org")
    page.locator("#id_username").fill("nora-a")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Registrarse").click()
    expect(page).to_have_url(re.compile(r"/accounts/confirm-email/$"))
    no_overflow(page)
    save_screenshot(page, shots / "01-verify-sent.png")

    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)
    page.goto(link)  # the e-mail's link, as the person's mail app opens it
    page.get_by_role("button", name="Confirmar").click()
    page.locator("#id_login").fill("nora@example.org")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Iniciar sesión").click()
    expect(page).to_have_url(re.compile(r"/$"))

    open_menu(page)
    expect(page.get_by_role("button", name="Cerrar sesión")).to_be_in_viewport()
    save_screenshot(page, shots / "02-menu-open.png")
    page.get_by_role("link", name="Mi perfil").click()
    page.get_by_role("link", name="Editar perfil").click()
    page.locator("#id_handle").fill("nora")
    page.locator("#id_display_name").fill("Nora Arregui")
    page.locator("#id_headline").fill("Ingeniera de datos en Donostia")
    page.get_by_role("button", name="Guardar perfil").click()
    expect(page).to_have_url(re.compile(r"/talent/nora/$"))
    expect(page.get_by_role("heading", name="Nora Arregui")).to_be_visible()
    no_overflow(page)
    save_screenshot(page, shots / "03-profile.png")

    open_menu(page)
    page.locator("[data-account-link]").click()
    expect(page.get_by_role("heading", name="Cuenta", level=1)).to_be_visible()
    no_overflow(page)
    save_screenshot(page, shots / "04-account.png")
    open_menu(page)
    page.get_by_role("link", name="Mi comunidad").click()
    expect(page.get_by_role("heading", name="Mi comunidad", level=1)).to_be_visible()
    no_overflow(page)
    save_screenshot(page, shots / "05-my-community.png")


def test_list_filters_fold_behind_a_button_on_phones_and_stay_open_on_laptops(page):
    for path, form in (("/hackathons/", ".hk-filters"), ("/meetups/", ".mu-filters")):
        page.set_viewport_size(PHONE)
        page.goto(path)
        expect(page.locator(form)).to_be_hidden()
        page.get_by_text("Filtros", exact=True).click()
        expect(page.locator(form)).to_be_visible()
        no_overflow(page)
        save_screenshot(page, ARTIFACTS / f"filters-phone{path.replace('/', '-')}open.png")
        page.set_viewport_size({"width": 1366, "height": 900})
        page.goto(path)
        expect(page.locator(form)).to_be_visible()
        expect(page.get_by_text("Filtros", exact=True)).to_be_hidden()
