import pytest
from django.core.management import call_command
from django.utils import timezone
from django.core.management.base import CommandError

from apps.accounts.models import User
from tests.accounts.factories import UserFactory


@pytest.mark.django_db
def test_home_shows_live_numbers_with_constant_queries(client, django_assert_num_queries):
    UserFactory.create_batch(2)
    with django_assert_num_queries(9):  # 8 + the topics' generations (visitor cache)
        first = client.get("/")
    UserFactory.create_batch(5)
    with django_assert_num_queries(9):  # 8 + the topics' generations (visitor cache)
        second = client.get("/")
    assert first.context["numbers"]["members"] == 2
    assert second.context["numbers"]["members"] == 7
    assert 'data-stat="members">7<' in second.content.decode()
    # The numbers are shared through the cache: the page says when they were counted, never "live".
    computed_at = timezone.localtime(second.context["numbers"]["computed_at"]).isoformat()
    assert f'<time datetime="{computed_at}">' in second.content.decode()
    assert "live" not in second.content.decode().split("data-computed-at")[1][:200]


@pytest.mark.django_db
def test_home_is_in_spanish_by_default_and_english_on_request(client):
    spanish = client.get("/").content.decode()
    assert '<html lang="es">' in spanish
    assert "La comunidad en cifras" in spanish

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, follow=True)
    english = response.content.decode()
    assert '<html lang="en">' in english
    assert "The community in numbers" in english


@pytest.mark.django_db
def test_layout_has_landmarks_navigation_and_login_state(client):
    anonymous = client.get("/").content.decode()
    for landmark in ("<header", "<nav", '<main id="main"', "<footer"):
        assert landmark in anonymous
    for section in ("Talento", "Hackatones", "Encuentros", "Cómputo", "Modelos"):
        assert section in anonymous
    assert "/accounts/login/" in anonymous

    member = UserFactory()
    client.force_login(member)
    logged_in = client.get("/").content.decode()
    assert f"data-account-link>{member.username}</a>" in logged_in  # the handle, not the address
    assert member.email not in logged_in
    assert "/accounts/logout/" in logged_in


@pytest.mark.django_db
def test_admin_is_for_staff_only(client):
    client.force_login(UserFactory())
    assert client.get("/admin/").status_code == 302
    client.force_login(UserFactory(is_staff=True))
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_seed_demo_is_idempotent(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    users = User.objects.count()
    assert users > 50
    assert User.objects.filter(groups__name="organisers").exists()
    call_command("seed_demo")
    assert User.objects.count() == users


@pytest.mark.django_db
def test_seed_demo_refuses_production():
    with pytest.raises(CommandError):
        call_command("seed_demo")
    assert not User.objects.exists()
