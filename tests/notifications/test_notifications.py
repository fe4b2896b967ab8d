
import pytest
from channels.testing import WebsocketCommunicator
from django.core import mail
from rest_framework.test import APIClient

from apps.notifications.models import Delivery, Notification
from apps.notifications.services import notify
from community.asgi import application
from community.celery import app
from tests.accounts.factories import UserFactory
from tests.notifications.live_stack import wait_until


@pytest.mark.django_db
def test_notify_stores_one_per_recipient_and_emails_after_commit(django_capture_on_commit_callbacks):
    app.conf.task_always_eager = True
    try:
        ana, luis = UserFactory(), UserFactory()
        inactive = UserFactory(is_active=False)
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            notify(
                recipients=[ana, luis, ana, inactive],
                kind="test.hello",
                title="Tu equipo tiene un nuevo miembro",
                body="Marta se ha unido.",
                url="/notifications/",
            )
            assert mail.outbox == []  # nothing leaves before commit
        assert callbacks
    finally:
        app.conf.task_always_eager = False
    assert Notification.objects.count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([ana.email, luis.email])
    assert mail.outbox[0].subject.endswith("Tu equipo tiene un nuevo miembro")
    assert "/notifications/" in mail.outbox[0].body
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SENT}


@pytest.mark.django_db(transaction=True)
def test_emails_are_sent_by_a_real_worker_exactly_once(celery_worker):
    from workers.notifications import send_deliveries

    member = UserFactory()
    notify(recipients=[member], kind="test.once", title="Hola")
    delivery = Delivery.objects.get()
    duplicate = send_deliveries.delay([delivery.id])
    assert wait_until(lambda: celery_worker.ran(duplicate.id) and celery_worker.settled(), timeout=20)
    assert len(mail.outbox) == 1
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT and delivery.sent_at is not None


@pytest.mark.django_db
def test_page_lists_only_own_notifications_with_constant_queries(client, django_assert_num_queries):
    member, other = UserFactory(), UserFactory()
    notify(recipients=[other], kind="test.private", title="Secreto de otra persona", email=False)
    notify(recipients=[member], kind="test.mine", title="Para mí", email=False)
    client.force_login(member)
    with django_assert_num_queries(3):
        small = client.get("/notifications/")
    for i in range(10):
        notify(recipients=[member], kind="test.mine", title=f"Aviso {i}", email=False)
    with django_assert_num_queries(3):
        large = client.get("/notifications/")
    assert "Para mí" in small.content.decode()
    assert "Secreto de otra persona" not in large.content.decode()
    assert large.context["page"].paginator.count == 11


@pytest.mark.django_db
def test_opening_marks_read_and_follows_only_local_links(client):
    member = UserFactory()
    local, = notify(recipients=[member], kind="t", title="a", url="/api/docs/", email=False)
    foreign, = notify(recipients=[member], kind="t", title="b", url="https://evil.example/", email=False)
    client.force_login(member)
    assert client.post(f"/notifications/{local.id}/open/").url == "/api/docs/"
    assert client.post(f"/notifications/{foreign.id}/open/").url == "/notifications/"
    assert Notification.objects.filter(read_at__isnull=True).count() == 0


@pytest.mark.django_db
def test_others_notifications_are_404_and_anonymous_is_sent_to_login(client):
    owner, intruder = UserFactory(), UserFactory()
    notification, = notify(recipients=[owner], kind="t", title="privado", email=False)
    assert client.get("/notifications/").status_code == 302
    client.force_login(intruder)
    assert client.post(f"/notifications/{notification.id}/open/").status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


@pytest.mark.django_db
def test_api_lists_filters_and_marks_read(django_assert_num_queries):
    member, other = UserFactory(), UserFactory()
    for i in range(3):
        notify(recipients=[member], kind="t", title=f"n{i}", email=False)
    notify(recipients=[other], kind="t", title="ajena", email=False)
    api = APIClient()
    api.force_authenticate(member)
    with django_assert_num_queries(2):
        listing = api.get("/api/notifications/?page_size=2").json()
    assert listing["count"] == 3 and len(listing["results"]) == 2
    first_id = listing["results"][0]["id"]
    assert api.post(f"/api/notifications/{first_id}/read/").json()["read_at"]
    assert api.get("/api/notifications/?unread=true").json()["count"] == 2
    assert api.post("/api/notifications/read-all/").json() == {"marked_read": 2}
    assert APIClient().get("/api/notifications/").status_code in (401, 403)
    stranger = APIClient()
    stranger.force_authenticate(other)
    assert stranger.post(f"/api/notifications/{first_id}/read/").status_code == 404


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_socket_refuses_anonymous_members():
    communicator = WebsocketCommunicator(
        application, "/ws/notifications/", headers=[(b"origin", b"http://testserver"), (b"host", b"testserver")]
    )
    connected, _ = await communicator.connect()
    assert not connected


@pytest.mark.django_db(transaction=True)
def test_socket_pushes_new_notifications_to_their_recipient(client):
    from asgiref.sync import async_to_sync

    member = UserFactory()
    client.force_login(member)
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()

    async def scenario():
        from asgiref.sync import sync_to_async

        communicator = WebsocketCommunicator(
            application,
            "/ws/notifications/",
            headers=[(b"origin", b"http://testserver"), (b"host", b"testserver"), (b"cookie", cookie)],
        )
        connected, _ = await communicator.connect()
        assert connected
        await sync_to_async(notify)(recipients=[member], kind="t", title="¡En directo!", email=False)
        message = await communicator.receive_json_from(timeout=5)
        await communicator.disconnect()
        return message

    message = async_to_sync(scenario)()
    assert message["title"] == "¡En directo!"


@pytest.mark.django_db(transaction=True)
def test_badge_pushes_are_passed_on_without_a_trip_to_the_sync_thread(client):
    """An announcement to thousands pushes one frame per open page; Channels' default
    dispatch would queue each behind the process's single sync thread (see DirectDispatch)."""
    from unittest import mock

    import channels.db
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    from apps.notifications.services import user_group

    member = UserFactory()
    client.force_login(member)
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()

    async def scenario():
        communicator = WebsocketCommunicator(
            application, "/ws/notifications/",
            headers=[(b"origin", b"http://testserver"), (b"host", b"testserver"), (b"cookie", cookie)],
        )
        assert (await communicator.connect())[0]
        with mock.patch.object(channels.db, "close_old_connections", wraps=channels.db.close_old_connections) as closes:
            for unread in range(5):
                await get_channel_layer().group_send(user_group(member.id), {"type": "notifications.read", "unread": unread})
            frames = [await communicator.receive_json_from(timeout=5) for _ in range(5)]
        await communicator.disconnect()
        return frames, closes.call_count

    frames, trips = async_to_sync(scenario)()
    assert [frame["unread"] for frame in frames] == [0, 1, 2, 3, 4]
    assert trips == 0


@pytest.mark.django_db(transaction=True)
def test_a_members_open_pages_in_one_process_are_one_group_member(client):
    """An announcement's push reaches a server process once, not once per open tab: Redis
    hands a process its channels' messages one pop at a time (apps.core.relay)."""
    from asgiref.sync import async_to_sync, sync_to_async
    from channels.layers import get_channel_layer

    from apps.notifications.services import user_group

    member = UserFactory()
    client.force_login(member)
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
    group = user_group(member.id)

    async def members():
        layer = get_channel_layer()
        return await layer.connection(layer.consistent_hash(group)).zcard(layer._group_key(group))

    async def scenario():
        tabs = [
            WebsocketCommunicator(
                application, "/ws/notifications/",
                headers=[(b"origin", b"http://testserver"), (b"host", b"testserver"), (b"cookie", cookie)],
            )
            for _ in range(3)
        ]
        for tab in tabs:
            assert (await tab.connect())[0]
        joined = await members()
        await sync_to_async(notify)(recipients=[member], kind="t", title="A todas las pestañas", email=False)
        titles = [(await tab.receive_json_from(timeout=5))["title"] for tab in tabs]
        await tabs[0].disconnect()
        after_one_closed = await members()
        for tab in tabs[1:]:
            await tab.disconnect()
        return joined, titles, after_one_closed, await members()

    joined, titles, after_one_closed, after_all_closed = async_to_sync(scenario)()
    assert joined == 1
    assert titles == ["A todas las pestañas"] * 3
    assert (after_one_closed, after_all_closed) == (1, 0)


@pytest.mark.django_db
def test_each_recipient_reads_the_message_in_their_own_language():
    from django.utils import translation
    from django.utils.translation import gettext as _

    spanish, english = UserFactory(language="es"), UserFactory(language="en")
    with translation.override("es"):  # the person acting uses Spanish
        notify(
            recipients=[spanish, english],
            kind="test.language",
            title=lambda: _("Notifications"),
            body=lambda: _("Mark all as read"),
            email=False,
        )
    by_recipient = {n.recipient_id: n for n in Notification.objects.all()}
    assert (by_recipient[spanish.pk].title, by_recipient[spanish.pk].body) == (
        "Notificaciones", "Marcar todo como leído",
    )
    assert (by_recipient[english.pk].title, by_recipient[english.pk].body) == (
        "Notifications", "Mark all as read",
    )


@pytest.mark.django_db
def test_the_worker_fan_out_gives_each_member_their_language_and_emails_only_who_wants_it():
    from django.utils import timezone
    from django.utils.translation import gettext as _

    from apps.notifications.models import NotificationEvent
    from apps.notifications.services import _texts, email_settings_update, event_expand

    spanish, english, unset, unknown = (UserFactory(language=code) for code in ("es", "en", "", "xx"))
    silent = UserFactory(language="en")
    email_settings_update(user=silent, email_enabled=False)
    gone = UserFactory(is_active=False)
    members = [spanish, english, unset, unknown, silent, gone]
    event = NotificationEvent.objects.create(
        kind="test.language", url="/notifications/", recipient_ids=sorted(m.pk for m in members),
        texts=_texts(lambda: _("Notifications"), lambda: _("Mark all as read")), enqueued_at=timezone.now(),
    )

    assert event_expand(event_id=event.pk, batch_size=2) == 5  # three batches; the inactive one skipped
    assert event_expand(event_id=event.pk, batch_size=2) == 0  # a second run adds nothing

    by_recipient = {n.recipient_id: n for n in Notification.objects.filter(event=event)}
    assert {pk: (n.title, n.body) for pk, n in by_recipient.items()} == {
        spanish.pk: ("Notificaciones", "Marcar todo como leído"),
        english.pk: ("Notifications", "Mark all as read"),
        unset.pk: ("Notificaciones", "Marcar todo como leído"),  # the site's language
        unknown.pk: ("Notificaciones", "Marcar todo como leído"),
        silent.pk: ("Notifications", "Mark all as read"),
    }
    assert {n.url for n in by_recipient.values()} == {"/notifications/"}
    deliveries = Delivery.objects.filter(notification__event=event)
    assert sorted(deliveries.values_list("notification__recipient_id", flat=True)) == sorted(
        [spanish.pk, english.pk, unset.pk, unknown.pk]
    )
    assert set(deliveries.values_list("status", "attempts", "channel")) == {(Delivery.Status.PENDING, 0, "email")}


@pytest.mark.django_db
def test_notify_returns_the_stored_notifications_of_a_small_audience():
    ana, luis = UserFactory(), UserFactory()
    returned = notify(recipients=[luis, ana], kind="test.hello", title="Hola", body="Qué tal", url="/x/", email=False)

    stored = list(Notification.objects.order_by("recipient_id"))
    assert returned == stored
    assert [
        (n.recipient_id, n.event_id, n.kind, n.title, n.body, n.url, n.created_at, n.read_at) for n in returned
    ] == [(n.recipient_id, n.event_id, n.kind, n.title, n.body, n.url, n.created_at, n.read_at) for n in stored]
    assert not returned[0]._state.adding  # saving it again updates the row instead of inserting one


@pytest.mark.django_db
def test_centre_filters_by_group_and_unread_on_the_page_and_the_api(client):
    member = UserFactory()
    notify(recipients=[member], kind="hackathons.phase_changed", title="Fase nueva", email=False)
    read, = notify(recipients=[member], kind="hackathons.results_published", title="Resultados", email=False)
    notify(recipients=[member], kind="compute.decision", title="Decisión", email=False)
    client.force_login(member)
    client.post(f"/notifications/{read.id}/open/")
    page = client.get("/notifications/?group=hackathons&unread=1")
    assert [n.title for n in page.context["page"].object_list] == ["Fase nueva"]
    api = APIClient()
    api.force_authenticate(member)
    assert api.get("/api/notifications/?group=compute").json()["count"] == 1
    assert api.get("/api/notifications/?group=hackathons&unread=true").json()["count"] == 1
    assert api.get("/api/notifications/?group=nonsense").status_code == 400


@pytest.mark.django_db(transaction=True)
def test_reading_in_one_tab_updates_the_badge_of_every_other_tab(client):
    from asgiref.sync import async_to_sync, sync_to_async

    from apps.notifications.services import notifications_mark_all_read

    member = UserFactory()
    client.force_login(member)
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
    headers = [(b"origin", b"http://testserver"), (b"host", b"testserver"), (b"cookie", cookie)]

    async def scenario():
        tabs = [WebsocketCommunicator(application, "/ws/notifications/", headers=headers) for _ in range(2)]
        for tab in tabs:
            assert (await tab.connect())[0]
        await sync_to_async(notify)(recipients=[member], kind="t", title="Uno", email=False)
        created = [await tab.receive_json_from(timeout=5) for tab in tabs]
        await sync_to_async(notifications_mark_all_read)(user=member)
        read = [await tab.receive_json_from(timeout=5) for tab in tabs]
        for tab in tabs:
            await tab.disconnect()
        return created, read

    created, read = async_to_sync(scenario)()
    assert [m["unread"] for m in created] == [1, 1]
    assert read == [{"event": "read", "unread": 0}] * 2
