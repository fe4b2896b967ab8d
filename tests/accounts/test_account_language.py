"""Account pages speak to people as "tú", like the rest of the Spanish interface."""

import re

import pytest

from tests.accounts.factories import UserFactory

# Forms of address that only "usted" uses.
USTED = re.compile(r"\busted\b|\bsu contraseña\b|\bsu cuenta\b|\bsu dirección\b|Introduzca|Verifique|¿Ha olvidado|"
                   r"\bdesea\b|Por favor, confirme|regístrese|inicie sesión", re.IGNORECASE)


@pytest.mark.django_db
@pytest.mark.parametrize("url, signed_in", [
    ("/accounts/login/", False), ("/accounts/signup/", False), ("/accounts/password/reset/", False),
    ("/accounts/confirm-email/", False), ("/accounts/email/", True), ("/accounts/password/change/", True),
    ("/accounts/logout/", True),
])
def test_account_pages_say_tu(client, url, signed_in):
    if signed_in:
        client.force_login(UserFactory())
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="es", follow=True)
    assert response.status_code == 200
    text = re.sub(r"<[^>]+>", " ", response.content.decode())
    assert USTED.findall(text) == []
