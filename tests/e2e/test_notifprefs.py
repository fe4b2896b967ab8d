"""A member turns off compute e-mails from the notifications page and keeps the rest."""

from playwright.sync_api import expect

from apps.notifications import selectors
from tests.accounts.factories import UserFactory
from tests.e2e.conftest import ARTIFACTS


def test_member_turns_off_compute_emails(log_in_as):
    member = UserFactory(email="nerea@example.org")
    page = log_in_as(member)
    page.goto("/notifications/")
    page.get_by_role("link", name="Ajustes de correo").click()
    expect(page.get_by_role("heading", name="Configuración de notificaciones")).to_be_visible()
    expect(page.locator("#id_group_compute")).to_have_value("email")
    page.locator("#id_group_compute").select_option("off")
    page.locator("#id_group_hub").select_option("digest")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "notifprefs-settings.png"), full_page=True)
    page.get_by_role("button", name="Guardar configuración").click()
    expect(page.get_by_text("Se guardó tu configuración de notificaciones.")).to_be_visible()
    expect(page.locator("#id_group_compute")).to_have_value("off")
    expect(page.locator("#id_group_hackathons")).to_have_value("email")
    assert selectors.email_settings(user=member)["groups"] == {
        "profiles": True, "hackathons": True, "compute": False, "hub": True, "meetups": True, "announcements": True, "chat": True,
    }
