"""A member makes an API token on a phone, uses it, revokes it; no page breaks the CSP."""

from playwright.sync_api import expect

from tests.accounts.factories import UserFactory
from tests.e2e.conftest import ARTIFACTS, save_screenshot


def shot(page, name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    save_screenshot(page, ARTIFACTS / f"{name}.png")


def test_member_creates_uses_and_revokes_a_token_without_csp_violations(log_in_as):
    member = log_in_as(UserFactory())
    member.set_viewport_size({"width": 390, "height": 844})
    violations = []
    member.on("console", lambda message: violations.append(message.text)
              if "Content Security Policy" in message.text else None)

    member.goto("/accounts/tokens/")
    member.locator("#id_name").fill("informes de uso")
    member.locator("#id_lifetime_days").fill("30")
    member.get_by_role("button", name="Crear token").click()
    key = member.locator("[data-token-key]").inner_text().strip()
    shot(member, "tokens-01-new-token-phone")
    assert member.request.get("/api/me/", headers={"Authorization": f"Token {key}"}).status == 200

    member.reload()
    expect(member.locator("[data-token-key]")).to_have_count(0)
    member.get_by_role("button", name="Revocar", exact=True).click()
    expect(member.locator("[data-token]")).to_have_count(0)
    shot(member, "tokens-02-revoked-phone")
    revoked = member.request.get("/api/me/", headers={"Authorization": f"Token {key}"})
    assert revoked.status == 401 and revoked.headers["www-authenticate"].startswith("Token")

    for path in ("/", "/talent/", "/compute/", "/hackathons/", "/models/", "/notifications/", "/api/docs/"):
        member.goto(path)
        member.wait_for_load_state("networkidle")
    assert violations == []
