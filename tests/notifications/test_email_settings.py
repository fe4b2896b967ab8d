import pytest
from django.core import mail
from rest_framework.test import APIClient

from apps.notifications import selectors
from apps.notifications.models import Delivery, EmailPreference, Notification
from apps.notifications.services import email_settings_update, deliveries_send, notify
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
    notify(recipients=[member, other], kind="profiles.contact_request", title="Hola")
    email_settings_update(user=member, email_enabled=True, groups={"profiles": False})
    assert deliveries_send(delivery_ids=list(Delivery.objects.values_list("pk", flat=True))) == {}
    assert [m.to[0] for m in mail.outbox] == [other.email]
    assert Delivery.objects.get(notification__recipient=member).status == Delivery.Status.SKIPPED


@pytest.mark.django_db
def test_notify_query_count_does_not_grow_with_recipients(django_assert_num_queries):
    def run(size):
        people = [UserFactory() for _ in range(size)]
        email_settings_update(user=people[0], email_enabled=True, groups={"compute": False})
        # savepoint, the event, the notifications, the opt-outs, the deliveries, release
        with django_assert_num_queries(6):
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
    assert not EmailPreference.objects.exists()


@pytest.mark.django_db
def test_api_reads_and_writes_only_the_callers_settings():
    owner, other = UserFactory(), UserFactory()
    email_settings_update(user=other, email_enabled=False, groups={"hub": False})
    api = APIClient()
    api.force_authenticate(owner)
    current = api.get("/api/notifications/settings/").json()
    assert current["email_enabled"] is True and current["digest"] == "daily"
    assert current["groups"] == {
        "profiles": True, "hackathons": True, "compute": True, "hub": True, "meetups": True, "announcements": True, "chat": True,
    }
    response = api.put(
        "/api/notifications/settings/",
        {"email_enabled": True, "groups": {"hackathons": False}},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["groups"]["hackathons"] is False
    assert selectors.email_settings(user=owner)["groups"]["hackathons"] is False
    other_settings = selectors.email_settings(user=other)
    assert other_settings["email_enabled"] is False
    assert other_settings["groups"] == {
        "profiles": True, "hackathons": True, "compute": True, "hub": False, "meetups": True, "announcements": True, "chat": True,
    }
    digest = api.put(
        "/api/notifications/settings/",
        {"email_enabled": True, "modes": {"compute": "digest"}, "digest": "weekly", "time_zone": "Atlantic/Canary"},
        format="json",
    ).json()
    assert (digest["modes"]["compute"], digest["digest"], digest["time_zone"]) == ("digest", "weekly", "Atlantic/Canary")
    assert digest["modes"]["hackathons"] == "off"  # left out, kept
    bad = api.put("/api/notifications/settings/", {"email_enabled": True, "time_zone": "Mars/Base"}, format="json")
    assert bad.status_code == 400 and "time_zone" in bad.json()["errors"]


@pytest.mark.django_db
def test_anonymous_visitors_cannot_see_or_change_settings(client):
    page = client.get("/notifications/settings/")
    assert page.status_code == 302
    assert "/login" in page.url or "login" in page.url
    assert APIClient().get("/api/notifications/settings/").status_code in (401, 403)
    put = APIClient().put("/api/notifications/settings/", {"email_enabled": False}, format="json")
    assert put.status_code in (401, 403)
    assert not EmailPreference.objects.exists()


@pytest.mark.django_db
def test_settings_page_saves_each_groups_mode_the_digest_and_time_zone(client):
    member, other = UserFactory(), UserFactory()
    client.force_login(member)
    page = client.get("/notifications/")
    assert "/notifications/settings/" in page.content.decode()
    form = client.get("/notifications/settings/")
    assert form.status_code == 200
    assert "csrfmiddlewaretoken" in form.content.decode()
    response = client.post(
        "/notifications/settings/",
        {
            "email_enabled": "on", "group_profiles": "email", "group_hub": "email", "group_hackathons": "off",
            "group_compute": "digest", "group_meetups": "off", "group_announcements": "off", "group_chat": "off", "digest": "weekly",
            "time_zone": "America/Bogota",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/notifications/settings/"
    assert any("saved" in str(m) or "guard" in str(m) for m in response.context["messages"])
    member.refresh_from_db()
    assert selectors.email_settings(user=member) == {
        "email_enabled": True,
        "groups": {"profiles": True, "hackathons": False, "compute": True, "hub": True, "meetups": False, "announcements": False, "chat": False},
        "modes": {
            "profiles": "email", "hackathons": "off", "compute": "digest", "hub": "email", "meetups": "off", "announcements": "off", "chat": "off",
        },
        "digest": "weekly",
        "time_zone": "America/Bogota",
    }
    assert selectors.email_settings(user=other)["groups"]["compute"] is True


@pytest.mark.django_db
def test_digest_groups_get_no_email_of_their_own(eager):
    member = UserFactory()
    email_settings_update(user=member, email_enabled=True, modes={"compute": "digest"})
    _send(eager, [member], "compute.decision")
    _send(eager, [member], "hub.sync_failed")
    assert [m.subject.split()[-1] for m in mail.outbox] == ["hub.sync_failed"]
