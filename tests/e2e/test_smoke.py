import re

from django.core import mail
from playwright.sync_api import expect

PASSWORD = "una-clave-de-prueba-larga-31"


def test_sign_up_verify_log_in_and_read_home_in_both_languages(page, screenshot):
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("La comunidad de IA")
    page.get_by_role("link", name="Registrarse").first.click()

    page.locator("#id_email").fill("ada@example.org")
    page.locator("#id_username").fill("ada-l")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    screenshot("01-signup")
    page.get_by_role("button", name="Registrarse").click()
    expect(page).to_have_url(re.compile(r"/accounts/confirm-email/$"))

    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Confirmar").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))

    page.locator("#id_login").fill("ada@example.org")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Iniciar sesión").click()
    expect(page).to_have_url(re.compile(r"/talent/me/first-steps/"))  # a new member goes on with the setup
    page.get_by_role("link", name="Open Source AI Community").first.click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator(".account-name")).to_have_text("ada-l")
    expect(page.get_by_role("heading", name="La comunidad en cifras")).to_be_visible()
    expect(page.locator('[data-stat="members"]')).to_have_text("1")
    screenshot("02-home-es")

    page.get_by_label("Idioma").select_option("en")
    expect(page.get_by_role("heading", name="The community in numbers")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    screenshot("03-home-en")
