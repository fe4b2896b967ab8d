"""Content-Security-Policy: no inline scripts anywhere, so an injected <script> cannot run."""

import re
from pathlib import Path

import pytest
from django.conf import settings

TEMPLATE_ROOT = Path(settings.BASE_DIR) / "frontend" / "templates"
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I)
HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
JAVASCRIPT_URL = re.compile(r"href=\"javascript:", re.I)


def directives(header: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/api/docs/", "/talent/"])
def test_pages_send_a_policy_without_inline_scripts(client, path):
    response = client.get(path)
    assert response.status_code == 200
    policy = directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy.get("default-src", [])
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    body = response.content.decode()
    assert not INLINE_SCRIPT.search(body), INLINE_SCRIPT.search(body).group(0)


def test_templates_have_no_inline_scripts_or_event_handlers():
    offenders = []
    for template in TEMPLATE_ROOT.rglob("*.html"):
        text = template.read_text()
        for pattern in (INLINE_SCRIPT, HANDLER, JAVASCRIPT_URL):
            offenders += [f"{template.relative_to(TEMPLATE_ROOT)}: {m.group(0)}" for m in pattern.finditer(text)]
    assert not offenders
