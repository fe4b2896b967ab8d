"""Every page the permission matrix knows, as each role, on a phone and a laptop, checked by axe-core.

The public sector's standard (EN 301 549, WCAG 2.1 AA) as a machine can check it: axe-core, the
accessibility engine, installed by npm (tests/e2e/package.json) and injected into each page.
A violation of impact "serious" or "critical" fails the test; every violation, whatever its
impact, is written to artifacts/accessibility/axe-<role>.json for people to read.
"""

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.core.permission_matrix import MATRIX, ROLES
from tests.core.test_permission_matrix import _path, all_routes, world  # noqa: F401 (a fixture)
from tests.e2e.conftest import WINDOWS

AXE = Path(__file__).with_name("node_modules") / "axe-core" / "axe.min.js"
REPORTS = Path(__file__).resolve().parents[2] / "artifacts" / "accessibility"
BLOCKING = {"serious", "critical"}
SIZES = {"phone": WINDOWS["phone"], "laptop": {"width": 1366, "height": 768}}
# WCAG 2.0/2.1 A and AA: what EN 301 549 asks of web pages.
# Only violations are reported back (axe skips the details of what passed: much faster).
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}


def pages_for(role: str) -> list[str]:
    """Routes the matrix says this role may open with GET, leaving out the API (JSON, not pages)."""
    return [
        route for route in all_routes()
        if route in MATRIX and MATRIX[route][0] == "GET" and MATRIX[route][1 + ROLES.index(role)] == 200
        and not route.startswith("api/")
    ]


def signed_in_context(browser, base_url: str, user, viewport):
    """A browser session of `user` without typing: the session cookie of a forced log-in."""
    # bypass_csp: axe is injected as an inline script, which the site's policy rightly refuses.
    context = browser.new_context(base_url=base_url, locale="es-ES", viewport=viewport, bypass_csp=True)
    if user is not None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base_url}])
    return context


def axe_violations(page) -> list[dict]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    return [
        {"rule": v["id"], "impact": v["impact"], "help": v["help"],
         "targets": [node["target"] for node in v["nodes"]][:5]}
        for v in result["violations"]
    ]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", ROLES)
def test_no_page_has_a_serious_or_critical_accessibility_violation(role, browser, live_server, world):  # noqa: F811
    if not AXE.exists():
        pytest.fail(f"axe-core not found at {AXE}: run `npm ci --prefix tests/e2e` (make install does).")
    report, blocking, checked = [], [], 0
    context = signed_in_context(browser, live_server.url, world["users"][role], SIZES["phone"])
    page = context.new_page()
    page.set_default_timeout(15_000)
    for route in pages_for(role):
        path = _path(route, world["parameters"])
        answer = page.request.get(path, max_redirects=0)
        if answer.status != 200 or not answer.headers.get("content-type", "").startswith("text/html"):
            continue  # a file (calendar, CSV, image) or a page that redirects: not a page to read
        page.goto(path)
        checked += 1
        # Both sizes from one load: the layout follows the window, as it does on a real resize.
        for size, viewport in SIZES.items():
            page.set_viewport_size(viewport)
            for violation in axe_violations(page):
                entry = {"role": role, "size": size, "path": path, **violation}
                report.append(entry)
                if violation["impact"] in BLOCKING:
                    blocking.append(entry)
    context.close()
    REPORTS.mkdir(parents=True, exist_ok=True)
    (REPORTS / f"axe-{role}.json").write_text(
        json.dumps({"role": role, "pages_checked": checked, "violations": report}, indent=1, ensure_ascii=False)
    )
    assert checked >= 20, f"only {checked} pages were checked as {role}"
    assert not blocking, "Serious or critical accessibility violations:\n" + "\n".join(
        f"  {v['impact']:8} {v['rule']} on {v['path']} ({v['role']}, {v['size']}): {v['help']} {v['targets']}"
        for v in blocking
    )
