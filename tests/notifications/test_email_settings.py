import pytest
from django.core import mail
from rest_framework.test import APIClient

from apps.notifications import selectors
from apps.notifications.models import EmailOptOut, Notification
from apps.notifications.services import email_settings_update, notification_emails_send, notify
from community.celery import app
from tests.accounts.factories import UserFactory


@pytest.fixture
def eager(django_capture_on_commit_callbacks):
    app.conf.task_always_eager = True
    try:
        yield lambda: django_capture_on_commit_callbacks(execute=True)
    finally:
        app.conf.task_always_eager = False


def _send(eager, recipients, kind):
    with eager():
        notify(recipients=recipients, kind=kind, title=f"Aviso {kind}")


@pytest.mark.django_db
def test_opting_out_of_a_group_stops_only_its_emails_and_keeps_in_app(eager):
    quiet, loud = UserFactory(), UserFactory()
    email_settings_update(user=quiet, email_enabled=True, groups={"compute": False})
    _send(eager, [quiet, loud], "compute.decision")
    _send(eager, [quiet, loud], "hackathons.phase_changed")
    assert sorted((m.to[0], m.subject.split()[-1]) for m in mail.outbox) == sorted(
        [
            (loud.email, "compute.decision"),
            (loud.email, "hackathons.phase_changed"),
            (quiet.email, "hackathons.phase_changed"),
        ]
    )
    assert Notification.objects.filter(recipient=quiet).count() == 2


@pytest.mark.django_db
def test_all_email_off_silences_every_group_but_not_in_app(eager):
    member = UserFactory()
    email_settings_update(user=member, email_enabled=False, groups={})
    for kind in ("profiles.contact_request", "hub.sync_failed", "other.kind"):
        _send(eager, [member], kind)
    assert mail.outbox == []
    assert Notification.objects.filter(recipient=member).count() == 3
    email_settings_update(user=member, email_enabled=True, groups={})
    _send(eager, [member], "hub.sync_failed")
    assert [m.to[0] for m in mail.outbox] == [member.email]


@pytest.mark.django_db
def test_opting_out_after_queueing_stops_the_email_at_send_time():
    member, other = UserFactory(), UserFactory()
    notifications = notify(recipients=[member, other], kind="profiles.contact_request", title="Hola")
    email_settings_update(user=member, email_enabled=True, groups={"profiles": False})
    assert notification_emails_send(notification_ids=[n.id for n in notifications]) == 1
    assert [m.to[0] for m in mail.outbox] == [other.email]


@pytest.mark.django_db
def test_notify_query_count_does_not_grow_with_recipients(django_assert_num_queries):
    def run(size):
        people = [UserFactory() for _ in range(size)]
        email_settings_update(user=people[0], email_enabled=True, groups={"compute": False})
        # savepoint, one insert, one opt-out lookup, release — at any size
        with django_assert_num_queries(4):
            notify(recipients=people, kind="compute.decision", title="Decisión")

    run(2)
    run(12)


@pytest.mark.django_db
def test_unknown_groups_are_refused_by_the_api_with_field_errors():
    member = UserFactory()
    api = APIClient()
    api.force_authenticate(member)
    response = api.put(
        "/api/notifications/settings/",
        {"email_enabled": True, "groups": {"nonsense": False}},
        format="json",
    )
    assert response.status_code == 400
    assert "groups" in response.json()["errors"]
    assert not EmailOptOut.objects.exists()


@pytest.mark.django_db
def test_api_reads_and_writes_only_the_callers_settings():
    owner, other = UserFactory(), UserFactory()
    email_settings_update(user=other, email_enabled=False, groups={"hub": False})
    api = APIClient()
    api.force_authenticate(owner)
    assert api.get("/api/notifications/settings/").json() == {
        "email_enabled": True,
        "groups": {"profiles": True, "hackathons": True, "compute": True, "hub": True, "meetups": True, "chat": True},
    }
    response = api.put(
        "/api/notifications/settings/",
        {"email_enabled": True, "groups": {"hackathons": False}},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["groups"]["hackathons"] is False
    assert selectors.email_settings(user=owner)["groups"]["hackathons"] is False
    assert selectors.email_settings(user=other) == {
        "email_enabled": False,
        "groups": {"profiles": True, "hackathons": True, "compute": True, "hub": False, "meetups": True, "chat": True},
    }


@pytest.mark.django_db
def test_anonymous_visitors_cannot_see_or_change_settings(client):
    page = client.get("/notifications/settings/")
    assert page.status_code == 302
    assert "/login" in page.url or "login" in page.url
    assert APIClient().get("/api/notifications/settings/").status_code in (401, 403)
    put = APIClient().put("/api/notifications/settings/", {"email_enabled": False}, format="json")
    assert put.status_code in (401, 403)
    assert not EmailOptOut.objects.exists()


@pytest.mark.django_db
def test_settings_page_saves_checkboxes_for_the_owner(client):
    member, other = UserFactory(), UserFactory()
    client.force_login(member)
    page = client.get("/notifications/")
    assert "/notifications/settings/" in page.content.decode()
    form = client.get("/notifications/settings/")
    assert form.status_code == 200
    assert "csrfmiddlewaretoken" in form.content.decode()
    response = client.post(
        "/notifications/settings/",
        {"email_enabled": "on", "group_profiles": "on", "group_hub": "on"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/notifications/settings/"
    assert any("saved" in str(m) or "guard" in str(m) for m in response.context["messages"])
    assert selectors.email_settings(user=member) == {
        "email_enabled": True,
        "groups": {"profiles": True, "hackathons": False, "compute": False, "hub": True, "meetups": False, "chat": False},
    }
    assert selectors.email_settings(user=other)["groups"]["compute"] is True
