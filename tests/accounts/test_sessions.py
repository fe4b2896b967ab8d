"""Sessions that read their member in the same statement (apps/accounts/sessions.py): one
query for session, member and unread badge, and every check Django makes still refuses."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DjangoSessionStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.accounts import services as accounts
from apps.accounts.models import MemberSession
from apps.notifications.services import notify
from tests.accounts.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

STATIC_PAGE = "/accessibility/"  # the site layout with its badge, nothing of its own to read


def signed_in(user, **session) -> Client:
    client = Client()
    client.force_login(user)
    if session:
        store = client.session
        store.update(session)
        store.save()
    return client


def is_signed_in(client) -> bool:
    return client.get(reverse("profiles:account")).status_code == 200


def test_a_signed_in_page_reads_session_member_and_badge_in_one_statement():
    member = UserFactory()
    notify(recipients=[member], kind="test.sessions", title="Uno")
    notify(recipients=[member], kind="test.sessions", title="Dos")
    read = notify(recipients=[member], kind="test.sessions", title="Leída")[0]
    read.read_at = timezone.now()
    read.save(update_fields=["read_at"])
    client = signed_in(member)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(STATIC_PAGE)

    assert response.context["user"] == member
    assert response.context["unread_notifications"] == 2
    assert b'data-unread-count>2</span>' in response.content
    assert len(queries) == 1, [query["sql"] for query in queries]


def test_the_session_row_names_its_member():
    member = UserFactory()
    client = signed_in(member)

    assert MemberSession.objects.get(session_key=client.cookies["sessionid"].value).user == member


@pytest.mark.parametrize(
    "break_it",
    [
        pytest.param(lambda user: user.__class__.objects.filter(pk=user.pk).update(is_active=False), id="deactivated"),
        pytest.param(lambda user: (user.set_password("changed-elsewhere-123"), user.save()), id="password-changed"),
    ],
)
def test_a_member_the_session_no_longer_vouches_for_is_signed_out(break_it):
    member = UserFactory()
    client = signed_in(member)
    assert is_signed_in(client)

    break_it(member)

    assert not is_signed_in(client)


def test_a_session_of_a_backend_no_longer_configured_is_signed_out(settings):
    member = UserFactory()
    client = signed_in(member)
    assert is_signed_in(client)

    settings.AUTHENTICATION_BACKENDS = [b for b in settings.AUTHENTICATION_BACKENDS if "login_budget" not in b]

    assert not is_signed_in(client)


def test_a_session_without_its_hash_is_signed_out():
    member = UserFactory()
    client = signed_in(member)
    store = client.session
    del store[HASH_SESSION_KEY]
    store.save()

    assert not is_signed_in(client)


def test_a_session_whose_column_names_someone_else_still_signs_in_its_own_member():
    """The column is a copy: the signed data decides, as in Django."""
    member, other = UserFactory(), UserFactory()
    client = signed_in(member)
    MemberSession.objects.filter(session_key=client.cookies["sessionid"].value).update(user=other)

    response = client.get(STATIC_PAGE)

    assert response.context["user"] == member
    assert response.context["unread_notifications"] == 0


def test_deleting_an_account_deletes_its_sessions_on_every_device():
    member = UserFactory()
    phone, laptop = signed_in(member), signed_in(member)
    someone_else = signed_in(UserFactory())

    response = laptop.post(reverse("profiles:account"), {"password": PASSWORD})

    assert response.status_code == 302
    assert not MemberSession.objects.filter(user=member).exists()
    assert not is_signed_in(phone)
    assert is_signed_in(someone_else)


def test_the_deploy_moves_live_sessions_with_their_member_and_leaves_none_behind():
    member = UserFactory()
    live = DjangoSessionStore()
    live.update({SESSION_KEY: str(member.pk), HASH_SESSION_KEY: member.get_session_auth_hash(),
                 BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend"})
    live.create()
    anonymous = DjangoSessionStore()
    anonymous["language"] = "es"
    anonymous.create()
    expired = DjangoSessionStore()
    expired.update({SESSION_KEY: str(member.pk)})
    expired.set_expiry(-1)
    expired.create()
    migration = importlib.import_module("apps.accounts.migrations.0009_member_session")

    migration.move_sessions(apps, None)

    assert MemberSession.objects.get(session_key=live.session_key).user == member
    assert MemberSession.objects.get(session_key=anonymous.session_key).user is None
    assert not MemberSession.objects.filter(session_key=expired.session_key).exists()
    assert not Session.objects.exists()
    client = Client()
    client.cookies["sessionid"] = live.session_key
    assert is_signed_in(client)

    accounts.account_delete(user=member, password=PASSWORD)
    assert not is_signed_in(client)


def test_expired_sessions_are_purged_and_live_ones_kept():
    member = UserFactory()
    live = signed_in(member).cookies["sessionid"].value
    gone = signed_in(member).cookies["sessionid"].value
    MemberSession.objects.filter(session_key=gone).update(expire_date=timezone.now() - timedelta(seconds=1))

    assert accounts.expired_sessions_purge() == 1
    assert set(MemberSession.objects.filter(user=member).values_list("session_key", flat=True)) == {live}
    assert accounts.expired_sessions_purge() == 0


def test_the_purge_runs_daily():
    from workers.accounts import purge_expired_sessions
    from workers.schedule import BEAT_SCHEDULE

    assert BEAT_SCHEDULE["accounts.purge-expired-sessions"]["task"] == purge_expired_sessions.name
