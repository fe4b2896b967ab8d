"""The admin speaks Spanish with real names: no "Hub repositorys", one "Cuentas", no "Django"."""

import pytest
from django.apps import apps

from tests.accounts.factories import UserFactory


def test_every_model_of_the_platform_names_itself():
    unnamed = [
        model.__name__ for model in apps.get_models()
        if model.__module__.startswith("apps.")
        and ("verbose_name" not in model._meta.original_attrs
             or "verbose_name_plural" not in model._meta.original_attrs)
    ]
    assert unnamed == []


@pytest.mark.django_db
def test_the_admin_index_is_in_spanish(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    body = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Repositorios del Hub" in body and "repositorys" not in body.lower()
    assert "Solicitudes de cómputo" in body
    assert "Django" not in body
    assert body.count(">Cuentas<") <= 1
