"""A member turns off one kind of compute e-mail from the notifications page and keeps the rest."""

import pytest
from playwright.sync_api import expect

from apps.notifications import selectors
from apps.notifications.kinds import KINDS
from tests.accounts.factories import UserFactory
from tests.e2e.conftest import shoot


@pytest.mark.parametrize("window", ["desktop", "phone"])
def test_member_turns_off_one_kind_of_compute_email(log_in_as, window):
    member = UserFactory(email=f"nerea-{window}@example.org")
    page = log_in_as(member, window)
    page.goto("/notifications/")
    page.get_by_role("link", name="Ajustes de correo").click()
    expect(page.get_by_role("heading", name="Configuración de notificaciones")).to_be_visible()
    expect(page.get_by_role("rowheader", name="Asignaciones de cómputo")).to_be_visible()
    decision = page.get_by_label("Decisiones sobre mi solicitud")
    expect(decision).to_have_value("email")
    decision.select_option("off")
    page.get_by_label("Falló la sincronización con el Hub").select_option("email")
    shoot(page, f"notifprefs-settings-{window}")  # fails if the table is wider than a phone
    page.get_by_role("button", name="Guardar configuración").click()
    expect(page.get_by_text("Se guardó tu configuración de notificaciones.")).to_be_visible()
    expect(decision).to_have_value("off")
    expect(page.get_by_label("Solicitudes que me asignan para revisar")).to_have_value("email")
    modes = selectors.email_settings(user=member)["modes"]
    assert {kind: mode for kind, mode in modes.items() if mode != KINDS[kind].default} == {
        "compute.decision": "off", "hub.sync_failed": "email",
    }
