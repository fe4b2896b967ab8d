"""Preferences per kind: defaults, e-mail, digest or only on the site, on the page and the API."""

import pytest
from django.core import mail
from django.utils import translation
from rest_framework.test import APIClient

from apps.notifications import selectors
from apps.notifications.kinds import GROUPS, KINDS
from apps.notifications.models import Delivery, Notification, NotificationPreference
from apps.notifications.services import deliveries_send, email_settings_update, notify
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


def _emailed(member) -> list[str]:
    return [m.subject.split()[-1] for m in mail.outbox if m.to == [member.email]]


@pytest.mark.django_db
def test_each_kind_reaches_a_new_member_by_its_default(eager):
    member = UserFactory()
    for kind in ("compute.decision", "meetups.place_offered", "chat.mention", "hackathons.phase_changed",
                 "meetups.rsvp_confirmed"):
        _send(eager, [member], kind)
    # Offers, decisions and mentions by e-mail; routine activity waits for the digest or stays on the site.
    assert _emailed(member) == ["compute.decision", "meetups.place_offered", "chat.mention"]
    assert Notification.objects.filter(recipient=member).count() == 5
    modes = selectors.email_settings(user=member)["modes"]
    assert set(modes) == set(KINDS)
    assert (modes["hackathons.phase_changed"], modes["meetups.rsvp_confirmed"]) == ("digest", "off")
    assert not NotificationPreference.objects.exists()  # defaults are not stored


def test_every_kind_has_a_heading_and_a_label_in_both_languages():
    def label(kind, language):
        with translation.override(language):
            return str(kind.label)

    for kind in KINDS.values():
        assert kind.group in GROUPS
        assert kind.default in NotificationPreference.Mode.values
        assert label(kind, "es") != label(kind, "en"), kind.key


@pytest.mark.django_db
def test_switching_one_kind_off_keeps_the_other_kinds_of_its_group(eager):
    quiet, loud = UserFactory(), UserFactory()
    email_settings_update(user=quiet, modes={"compute.decision": "off"})
    _send(eager, [quiet, loud], "compute.decision")
    _send(eager, [quiet, loud], "compute.review_assigned")
    assert _emailed(loud) == ["compute.decision", "compute.review_assigned"]
    assert _emailed(quiet) == ["compute.review_assigned"]
    assert Notification.objects.filter(recipient=quiet).count() == 2


@pytest.mark.django_db
def test_all_email_off_silences_every_kind_but_not_in_app(eager):
    member = UserFactory()
    email_settings_update(user=member, email_enabled=False, modes={"chat.mention": "email"})
    for kind in ("profiles.contact_request", "chat.mention", "other.kind"):
        _send(eager, [member], kind)
    assert mail.outbox == []
    assert Notification.objects.filter(recipient=member).count() == 3
    email_settings_update(user=member, email_enabled=True)
    _send(eager, [member], "chat.mention")
    assert [m.to[0] for m in mail.outbox] == [member.email]


@pytest.mark.django_db
def test_opting_out_after_queueing_stops_the_email_at_send_time():
    member, other = UserFactory(), UserFactory()
    notify(recipients=[member, other], kind="profiles.contact_request", title="Hola")
    email_settings_update(user=member, modes={"profiles.contact_request": "digest"})
    assert deliveries_send(delivery_ids=list(Delivery.objects.values_list("pk", flat=True))) == {}
    assert [m.to[0] for m in mail.outbox] == [other.email]
    assert Delivery.objects.get(notification__recipient=member).status == Delivery.Status.SKIPPED


@pytest.mark.django_db
def test_notify_query_count_does_not_grow_with_recipients(django_assert_num_queries):
    def run(size):
        people = [UserFactory() for _ in range(size)]
        email_settings_update(user=people[0], modes={"compute.decision": "off"})
        email_settings_update(user=people[-1], email_enabled=False)
        # savepoint, the event, the notifications, the preferences, the deliveries, release
        with django_assert_num_queries(6):
            notify(recipients=people, kind="compute.decision", title="Decisión")
        return Delivery.objects.filter(notification__recipient__in=people).count()

    assert run(3) == 1
    assert run(12) == 10


@pytest.mark.django_db
def test_send_time_lookup_is_one_query_for_a_batch_of_kinds_and_members(django_assert_num_queries):
    def run(size):
        people = [UserFactory() for _ in range(size)]
        email_settings_update(user=people[0], modes={"chat.mention": "off"})
        for kind in ("chat.mention", "compute.decision"):
            notify(recipients=people, kind=kind, title="Aviso")
        ids = list(Delivery.objects.filter(notification__recipient__in=people).values_list("pk", flat=True))
        Delivery.objects.filter(pk__in=ids).update(status=Delivery.Status.SENT)
        with django_assert_num_queries(1):
            modes = selectors.notification_modes(user_ids=[p.pk for p in people], kinds=["chat.mention", "compute.decision"])
        assert modes[people[0].pk, "chat.mention"] == "off" and modes[people[-1].pk, "chat.mention"] == "email"
        Delivery.objects.filter(pk__in=ids).update(status=Delivery.Status.PENDING)
        # The pending deliveries and the preferences whatever the batch; then by design a
        # claim per ten (one UPDATE … RETURNING), per message one statement before its
        # envelope (which renews its lease and marks the message before it sent), and the
        # last message's "sent" mark.
        with django_assert_num_queries(2 + -(-len(ids) // 10) + len(ids) + 1):
            deliveries_send(delivery_ids=ids)
        return len(ids)

    assert run(2) == 3
    mail.outbox.clear()
    assert run(6) == 11


@pytest.mark.django_db
def test_unknown_kinds_and_modes_are_refused_by_the_api_next_to_each_kind():
    member = UserFactory()
    api = APIClient()
    api.force_authenticate(member)
    response = api.put(
        "/api/notifications/settings/",
        {"modes": {"nonsense.kind": "off", "compute.decision": "loud", "chat.mention": "off"}},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"modes.nonsense.kind", "modes.compute.decision"}
    assert not NotificationPreference.objects.exists()
    not_a_dict = api.put("/api/notifications/settings/", {"modes": ["off"]}, format="json")
    assert not_a_dict.status_code == 400 and "modes" in not_a_dict.json()["errors"]


@pytest.mark.django_db
def test_api_reads_and_writes_only_the_callers_settings():
    owner, other = UserFactory(), UserFactory()
    email_settings_update(user=other, email_enabled=False, modes={"hub.sync_failed": "off"})
    api = APIClient()
    api.force_authenticate(owner)
    current = api.get("/api/notifications/settings/").json()
    assert current["email_enabled"] is True and current["digest"] == "daily"
    assert current["modes"] == {key: kind.default for key, kind in KINDS.items()}
    assert {"kind": "hub.sync_failed", "group": "hub", "label": "Falló la sincronización con el Hub",
            "default": "digest"} in current["kinds"]
    response = api.put(
        "/api/notifications/settings/",
        {"modes": {"hackathons.phase_changed": "email", "compute.decision": "off"}},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["modes"]["compute.decision"] == "off"
    assert selectors.email_settings(user=owner)["modes"]["hackathons.phase_changed"] == "email"
    other_settings = selectors.email_settings(user=other)
    assert other_settings["email_enabled"] is False
    assert other_settings["modes"]["hub.sync_failed"] == "off" and other_settings["modes"]["compute.decision"] == "email"
    digest = api.put(
        "/api/notifications/settings/",
        {"modes": {"compute.decision": "digest"}, "digest": "weekly", "time_zone": "Atlantic/Canary"},
        format="json",
    ).json()
    assert (digest["modes"]["compute.decision"], digest["digest"], digest["time_zone"]) == (
        "digest", "weekly", "Atlantic/Canary"
    )
    assert digest["modes"]["hackathons.phase_changed"] == "email"  # left out, kept
    back = api.put("/api/notifications/settings/", {"modes": {"hackathons.phase_changed": "digest"}}, format="json")
    assert back.status_code == 200
    assert not NotificationPreference.objects.filter(user=owner, kind="hackathons.phase_changed").exists()
    bad = api.put("/api/notifications/settings/", {"time_zone": "Mars/Base"}, format="json")
    assert bad.status_code == 400 and "time_zone" in bad.json()["errors"]


def test_the_schema_describes_the_settings_with_their_modes():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"]["/api/notifications/settings/"]
    assert {"get", "put"} <= set(operation)
    components = schema["components"]["schemas"]
    assert set(components["EmailSettingsOutput"]["properties"]) == {"email_enabled", "modes", "kinds", "digest", "time_zone"}
    assert set(components["EmailSettingsInputRequest"]["properties"]) == {"email_enabled", "modes", "digest", "time_zone"}


@pytest.mark.django_db
def test_anonymous_visitors_cannot_see_or_change_settings(client):
    page = client.get("/notifications/settings/")
    assert page.status_code == 302
    assert "login" in page.url
    assert APIClient().get("/api/notifications/settings/").status_code in (401, 403)
    put = APIClient().put("/api/notifications/settings/", {"email_enabled": False}, format="json")
    assert put.status_code in (401, 403)
    assert not NotificationPreference.objects.exists()


def _form(**changes) -> dict:
    data = {f"mode-{key.replace('.', '-')}": kind.default for key, kind in KINDS.items()}
    data.update({"email_enabled": "on", "digest": "daily", "time_zone": "Europe/Madrid"}, **changes)
    return data


@pytest.mark.django_db
def test_settings_page_shows_each_kind_under_its_heading_and_saves_it(client):
    member, other = UserFactory(), UserFactory()
    client.force_login(member)
    assert "/notifications/settings/" in client.get("/notifications/").content.decode()
    page = client.get("/notifications/settings/").content.decode()
    assert "csrfmiddlewaretoken" in page
    assert page.count('<th scope="rowgroup"') == len(GROUPS)
    form = page[page.index('<form method="post" class="card form"'):]
    assert form.count("<select") == len(KINDS) + 2  # a choice per kind, the digest and the time zone
    assert "Menciones a mí" in page and "Asignaciones de cómputo" in page  # labels and headings in Spanish
    response = client.post(
        "/notifications/settings/",
        _form(**{"mode-compute-decision": "off", "mode-hackathons-phase_changed": "email",
                 "mode-chat-mention": "digest", "digest": "weekly", "time_zone": "America/Bogota"}),
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/notifications/settings/"
    assert any("guard" in str(m) for m in response.context["messages"])
    member.refresh_from_db()
    saved = selectors.email_settings(user=member)
    assert (saved["email_enabled"], saved["digest"], saved["time_zone"]) == (True, "weekly", "America/Bogota")
    assert {k: m for k, m in saved["modes"].items() if m != KINDS[k].default} == {
        "compute.decision": "off", "hackathons.phase_changed": "email", "chat.mention": "digest",
    }
    assert sorted(NotificationPreference.objects.values_list("kind", flat=True)) == [
        "chat.mention", "compute.decision", "hackathons.phase_changed",
    ]
    assert selectors.email_settings(user=other)["modes"]["compute.decision"] == "email"


@pytest.mark.django_db
def test_settings_page_shows_a_wrong_choice_next_to_its_kind(client):
    member = UserFactory()
    client.force_login(member)
    response = client.post("/notifications/settings/", _form(**{"mode-chat-mention": "loud"}))
    assert response.status_code == 200
    html = response.content.decode()
    row = html[html.index('data-field="mode-chat-mention"'):]
    row = row[: row.index("</tr>")]
    assert 'class="errorlist' in row
    assert html.count('class="errorlist') == 1
    assert not NotificationPreference.objects.exists()


@pytest.mark.django_db
def test_digest_kinds_get_no_email_of_their_own(eager):
    member = UserFactory()
    email_settings_update(user=member, modes={"compute.decision": "digest"})
    _send(eager, [member], "compute.decision")
    _send(eager, [member], "compute.review_assigned")
    assert _emailed(member) == ["compute.review_assigned"]
