"""The chat REST API and the services behind it (same rules as the socket)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from apps.chat import selectors, services
from apps.chat.models import Message, Report
from apps.notifications.models import Notification

pytestmark = pytest.mark.django_db


def api_for(user):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def send(user, room, body, client_id=None):
    return services.message_send(user=user, room=room, client_id=client_id or f"{user.pk}-{body}", body=body)[0]


def test_room_lookup_respects_access(chat_world):
    w = chat_world
    url = f"/api/chat/rooms/lookup/?kind=hackathon&object_id={w['hackathon'].pk}"
    assert api_for(w["outsider"]).get(url).status_code == 404
    assert api_for(None).get(url).status_code == 404
    response = api_for(w["alice"]).get(url)
    assert response.status_code == 200
    assert response.json()["id"] == w["room"].pk and response.json()["can_moderate"] is False
    assert api_for(w["alice"]).get("/api/chat/rooms/lookup/?kind=nope&object_id=1").status_code == 400
    team_url = f"/api/chat/rooms/lookup/?kind=team&object_id={w['team'].pk}"
    assert api_for(w["outsider"]).get(team_url).status_code == 404
    assert api_for(w["organiser"]).get(team_url).json()["can_moderate"] is True


def test_history_is_cursor_paginated_newest_first(chat_world):
    w = chat_world
    for n in range(7):
        send(w["alice"] if n % 2 else w["bob"], w["room"], f"m{n}")
    api = api_for(w["alice"])
    page = api.get(f"/api/chat/rooms/{w['room'].pk}/messages/?page_size=5").json()
    assert [m["body"] for m in page["results"]] == ["m6", "m5", "m4", "m3", "m2"]
    older = api.get(page["next"]).json()
    assert [m["body"] for m in older["results"]] == ["m1", "m0"] and older["next"] is None
    after = api.get(f"/api/chat/rooms/{w['room'].pk}/messages/?after=5").json()
    assert [m["revision"] for m in after] == [6, 7]
    assert api_for(w["outsider"]).get(f"/api/chat/rooms/{w['room'].pk}/messages/").status_code == 404


def test_history_query_count_does_not_grow(chat_world, django_assert_max_num_queries):
    w = chat_world
    api = api_for(w["alice"])
    url = f"/api/chat/rooms/{w['room'].pk}/messages/"
    send(w["alice"], w["room"], "one")
    with django_assert_max_num_queries(12) as small:
        api.get(url)
    for n in range(20):
        Message.objects.create(
            room=w["room"], sequence=100 + n, revision=100 + n, author=w["bob"], client_id=f"x{n}", body="b", html="<p>b</p>"
        )
    with django_assert_max_num_queries(12) as large:
        api.get(url)
    assert len(small.captured_queries) == len(large.captured_queries)


def test_send_over_rest_is_idempotent_by_client_id(chat_world):
    w = chat_world
    api = api_for(w["alice"])
    url = f"/api/chat/rooms/{w['room'].pk}/messages/"
    first = api.post(url, {"client_id": "abc", "body": "hola"})
    again = api.post(url, {"client_id": "abc", "body": "hola"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"] and Message.objects.count() == 1
    assert api.post(url, {"client_id": "e", "body": "  "}).status_code == 400
    assert api_for(w["outsider"]).post(url, {"client_id": "x", "body": "hola"}).status_code == 404


def test_markdown_is_a_safe_subset_with_ugc_links(chat_world):
    message = send(chat_world["alice"], chat_world["room"], "# Title\n[x](javascript:alert(1)) [ok](https://e.org) <img src=x onerror=y>")
    assert "<h1" not in message.html and "javascript:" not in message.html and "<img" not in message.html
    assert '<a href="https://e.org" rel="nofollow noopener ugc">ok</a>' in message.html


def test_edit_window_and_delete_rules(chat_world):
    w = chat_world
    message = send(w["alice"], w["room"], "hola")
    api = api_for(w["alice"])
    assert api.patch(f"/api/chat/messages/{message.pk}/", {"body": "hola!"}).json()["body"] == "hola!"
    assert api_for(w["bob"]).patch(f"/api/chat/messages/{message.pk}/", {"body": "x"}).status_code == 403
    Message.objects.filter(pk=message.pk).update(created_at=timezone.now() - timedelta(hours=1))
    assert api.patch(f"/api/chat/messages/{message.pk}/", {"body": "late"}).status_code == 409
    assert api.delete(f"/api/chat/messages/{message.pk}/").status_code == 403  # own, but too late
    assert api_for(w["organiser"]).delete(f"/api/chat/messages/{message.pk}/").status_code == 204
    message.refresh_from_db()
    assert message.deleted_at is not None and message.revision == 3
    log = api_for(w["organiser"]).get(f"/api/chat/rooms/{w['room'].pk}/moderation-log/").json()
    assert [entry["kind"] for entry in log["results"]] == ["delete"]
    assert api.get(f"/api/chat/rooms/{w['room'].pk}/moderation-log/").status_code == 403


def test_moderators_pin_mute_lock_and_members_report(chat_world):
    w = chat_world
    message = send(w["bob"], w["room"], "enlace útil")
    organiser = api_for(w["organiser"])
    assert organiser.post(f"/api/chat/messages/{message.pk}/pin/", {"pinned": True}).json()["pinned"] is True
    assert api_for(w["alice"]).post(f"/api/chat/messages/{message.pk}/pin/", {"pinned": False}).status_code == 403
    room_json = api_for(w["alice"]).get(f"/api/chat/rooms/{w['room'].pk}/").json()
    assert [m["id"] for m in room_json["pinned"]] == [message.pk]
    assert organiser.post(f"/api/chat/rooms/{w['room'].pk}/mutes/", {"member": w["bob"].pk, "minutes": 5}).status_code == 204
    blocked = api_for(w["bob"]).post(f"/api/chat/rooms/{w['room'].pk}/messages/", {"client_id": "m", "body": "hola"})
    assert blocked.status_code == 403
    assert api_for(w["alice"]).post(f"/api/chat/rooms/{w['room'].pk}/mutes/", {"member": w["bob"].pk, "minutes": 5}).status_code == 403
    assert organiser.patch(f"/api/chat/rooms/{w['room'].pk}/", {"locked": True}).json()["locked"] is True
    locked = api_for(w["alice"]).post(f"/api/chat/rooms/{w['room'].pk}/messages/", {"client_id": "l", "body": "hola"})
    assert locked.status_code == 409
    assert api_for(w["alice"]).post(f"/api/chat/messages/{message.pk}/report/", {"reason": "spam"}).status_code == 201
    assert api_for(w["alice"]).post(f"/api/chat/messages/{message.pk}/report/", {}).status_code == 409
    own = api_for(w["bob"]).post(f"/api/chat/messages/{message.pk}/report/", {"reason": "x"})
    assert own.status_code == 400 and own.json()["message"]
    assert Report.objects.filter(message=message).count() == 1
    assert Notification.objects.filter(recipient=w["organiser"], kind="chat.report").count() == 1
    kinds = [e["kind"] for e in organiser.get(f"/api/chat/rooms/{w['room'].pk}/moderation-log/").json()["results"]]
    assert kinds == ["lock", "mute", "pin"]


def test_mentions_notify_only_members_who_can_read_the_room(chat_world):
    w = chat_world
    send(w["alice"], w["room"], f"@{w['bob'].username} y @{w['outsider'].username}, mirad esto")
    assert list(Notification.objects.filter(kind="chat.mention").values_list("recipient", flat=True)) == [w["bob"].pk]


def test_unread_counts_follow_the_read_marker(chat_world, django_assert_num_queries):
    w = chat_world
    for n in range(3):
        send(w["bob"], w["room"], f"b{n}")
    send(w["alice"], w["room"], "mine")
    send(w["bob"], w["team_room"], "team")
    rooms = [w["room"], w["team_room"]]
    with django_assert_num_queries(1):
        assert selectors.unread_counts(w["alice"], rooms) == {w["room"].pk: 3, w["team_room"].pk: 1}
    w["room"].refresh_from_db()
    assert api_for(w["alice"]).post(f"/api/chat/rooms/{w['room'].pk}/read/", {"sequence": 2}).status_code == 204
    assert selectors.unread_counts(w["alice"], rooms)[w["room"].pk] == 1
    # A page's chat panel reads the room with the same count, in one query.
    room = w["room"]
    with django_assert_num_queries(1):
        assert selectors.room_with_unread(w["alice"], kind=room.kind, object_id=room.object_id).unread == 1
    assert selectors.room_with_unread(w["bob"], kind=room.kind, object_id=room.object_id).unread == 1  # alice's


def test_questions_anonymous_votes_once_and_ordering(chat_world):
    w = chat_world
    url = f"/api/chat/rooms/{w['room'].pk}/questions/"
    alice, bob, organiser = api_for(w["alice"]), api_for(w["bob"]), api_for(w["organiser"])
    assert alice.post(url, {"body": "¿Hay GPU?"}).status_code == 409  # Q&A off
    organiser.patch(f"/api/chat/rooms/{w['room'].pk}/", {"qa": True})
    first = alice.post(url, {"body": "¿Hay GPU?", "anonymous": True}).json()
    second = bob.post(url, {"body": "¿Cuándo se entrega?"}).json()
    for client in (alice, bob):
        assert client.post(f"/api/chat/questions/{second['id']}/vote/").json()["votes"] in (1, 2)
    assert bob.post(f"/api/chat/questions/{second['id']}/vote/").json()["votes"] == 2  # once each
    as_bob = bob.get(url).json()
    assert [q["id"] for q in as_bob] == [second["id"], first["id"]]
    assert as_bob[1]["author"] is None
    assert organiser.get(url).json()[1]["author"]["id"] == w["alice"].pk
    assert bob.patch(f"/api/chat/questions/{first['id']}/", {"hidden": True}).status_code == 403
    organiser.patch(f"/api/chat/questions/{first['id']}/", {"hidden": True})
    assert [q["id"] for q in bob.get(url).json()] == [second["id"]]
    assert organiser.patch(f"/api/chat/questions/{second['id']}/", {"answered": True}).json()["answered"] is True


def test_every_change_to_a_question_moves_its_revision_on(chat_world):
    """Votes, answered and hidden each give the question a higher revision, in the answer
    and in the list, so a page can tell an older live frame from a newer one."""
    w = chat_world
    url = f"/api/chat/rooms/{w['room'].pk}/questions/"
    alice, bob, organiser = api_for(w["alice"]), api_for(w["bob"]), api_for(w["organiser"])
    organiser.patch(f"/api/chat/rooms/{w['room'].pk}/", {"qa": True})
    question = alice.post(url, {"body": "¿Hay GPU?"}).json()
    revisions = [question["revision"]]
    revisions.append(bob.post(f"/api/chat/questions/{question['id']}/vote/").json()["revision"])
    revisions.append(bob.post(f"/api/chat/questions/{question['id']}/vote/").json()["revision"])  # no change
    for change in ({"answered": True}, {"answered": False}, {"hidden": True}):
        revisions.append(organiser.patch(f"/api/chat/questions/{question['id']}/", change).json()["revision"])
    assert revisions == [0, 1, 1, 2, 3, 4]
    assert organiser.get(url).json()[0]["revision"] == 4


def test_chat_is_in_the_openapi_schema():
    client = APIClient()
    spec = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    for path in (
        "/api/chat/rooms/{room_id}/messages/",
        "/api/chat/messages/{message_id}/",
        "/api/chat/rooms/{room_id}/mutes/",
        "/api/chat/rooms/{room_id}/questions/",
        "/api/chat/questions/{question_id}/vote/",
    ):
        assert path in spec["paths"]


def test_panel_on_hackathon_and_team_pages_with_unread(chat_world, client):
    w = chat_world
    send(w["bob"], w["room"], "hola")
    client.force_login(w["alice"])
    page = client.get(f"/hackathons/{w['hackathon'].slug}/").content.decode()
    assert f'data-room="{w["room"].pk}"' in page and "data-unread>" in page
    team_page = client.get(f"/hackathons/{w['hackathon'].slug}/team/").content.decode()
    assert f'data-room="{w["team_room"].pk}"' in team_page
    client.force_login(w["outsider"])
    assert "data-chat" not in client.get(f"/hackathons/{w['hackathon'].slug}/").content.decode()
    assert client.get(f"/chat/rooms/{w['room'].pk}/").status_code == 404


def test_personal_data_and_account_deletion(chat_world):
    from apps.accounts.services import account_delete, personal_data_export
    from tests.accounts.factories import PASSWORD

    w = chat_world
    message = send(w["alice"], w["room"], "mi mensaje")
    assert personal_data_export(user=w["alice"])["chat"]["messages"][0]["body"] == "mi mensaje"
    account_delete(user=w["alice"], password=PASSWORD)
    message.refresh_from_db()
    assert message.body == "" and message.deleted_at is not None
