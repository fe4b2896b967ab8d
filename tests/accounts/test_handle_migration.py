"""accounts.0007: handles taken from e-mail addresses are replaced; chosen ones are kept."""

import importlib

import pytest
from django.apps import apps

from apps.accounts.models import User
from tests.accounts.factories import UserFactory
from tests.profiles.factories import make_profile

migration = importlib.import_module("apps.accounts.migrations.0007_user_handle")


@pytest.mark.django_db
def test_handles_derived_from_the_address_are_replaced_and_chosen_ones_kept():
    derived = UserFactory(username="nueva.212255", email="nueva.212255@example.org", first_name="", last_name="")
    make_profile(derived, handle="nueva212255", display_name="nueva.212255", bio="Hola")
    cut = UserFactory(username="lucia.mart", email="lucia.martinez.4821@example.org", first_name="Lucía",
                      last_name="Martínez")
    chosen = UserFactory(username="lmartin", email="lucia.martin@example.org")
    chosen_profile = make_profile(chosen, handle="lmartin", display_name="Lucía M.")

    migration.give_handles(apps, None)

    derived = User.objects.select_related("profile").get(pk=derived.pk)
    assert derived.username.startswith("member-")
    assert derived.profile.handle == derived.username and derived.profile.display_name == derived.username
    assert derived.profile.bio == "Hola"
    assert User.objects.get(pk=cut.pk).username == "lucia-martinez"  # from the name, not the address
    chosen_profile.refresh_from_db()
    assert User.objects.get(pk=chosen.pk).username == "lmartin"
    assert (chosen_profile.handle, chosen_profile.display_name) == ("lmartin", "Lucía M.")
    for user in User.objects.select_related("profile"):
        local = user.email.split("@")[0]
        assert local not in user.username and local not in user.public_name
