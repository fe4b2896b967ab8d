"""Deleting an account reaches the copies of the member's name and words in other members'
notifications, in the notification events and in others' messages: afterwards no text
column of any table holds them."""

import pytest
from django.db import connection

from apps.accounts import services as accounts
from apps.chat import services as chat
from apps.chat.models import Message
from apps.chat.selectors import room_for
from apps.hackathons.models import Hackathon
from apps.hackathons.services import teams
from apps.notifications.models import Notification
from apps.profiles import services as profiles
from tests.accounts.factories import PASSWORD
from tests.hackathons.factories import hackathon_factory, participant_factory, running_schedule
from tests.profiles.factories import make_profile

pytestmark = pytest.mark.django_db

FIRST, LAST = "Dorotea", "Vallejo-Quintana"
USERNAME, EMAIL, DISPLAY_NAME = "dorotea_vq", "dorotea.vq@example.org", "Dora V. Quintana"
CHAT_TEXT = "el umbral secreto es 0.73 en el conjunto Ñandú"
CONTACT_TEXT = "te escribo por el dataset de lenguas cooficiales"
TEXT_TYPES = ("text", "character varying", "character", "json", "jsonb", "ARRAY")


def tables_holding(needle: str) -> list[str]:
    """Every `table.column` of the database whose text (JSON and arrays as text) contains `needle`."""
    found = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.table_name, c.column_name FROM information_schema.columns c "
            "JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name "
            "WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' AND c.data_type = ANY(%s)",
            [list(TEXT_TYPES)],
        )
        columns = cursor.fetchall()
        assert len(columns) > 100  # the walk really sees the whole schema
        for table, column in columns:
            cursor.execute(
                f'SELECT EXISTS (SELECT 1 FROM "{table}" WHERE "{column}"::text ILIKE %s)',
                ["%" + needle.replace("%", r"\%").replace("_", r"\_") + "%"],
            )
            if cursor.fetchone()[0]:
                found.append(f"{table}.{column}")
    return found


def test_a_deleted_member_is_gone_from_every_table():
    hackathon = hackathon_factory(state=Hackathon.State.IN_PROGRESS, schedule=running_schedule())
    other = participant_factory(hackathon)
    member = participant_factory(hackathon, username=USERNAME, first_name=FIRST, last_name=LAST, email=EMAIL)
    team = teams.team_create(user=other, hackathon=hackathon, name="Equipo Rojo")
    teams.team_join(user=member, team=team)
    make_profile(user=member, display_name=DISPLAY_NAME)
    other_profile = make_profile(user=other, display_name="Jordi Puig")
    room = room_for("team", team.pk)

    # Mentioned by the other member (and so notified), mentioning them back, writing to them.
    chat.message_send(user=other, room=room, client_id="a1", body=f"@{USERNAME} ¿revisamos el modelo mañana?")
    chat.message_send(user=member, room=room, client_id="d1", body=f"@{other.username} {CHAT_TEXT}")
    chat.message_send(user=member, room=room, client_id="d2", body=f"Y otra cosa: {CHAT_TEXT}, ¿vale?")
    profiles.contact_request_send(sender=member, profile=other_profile, message=CONTACT_TEXT)
    assert Notification.objects.filter(recipient=member, kind="chat.mention").exists()
    copies = Notification.objects.filter(recipient=other, kind__in=["chat.mention", "profiles.contact_request"])
    # Every copy names the member by their public name (their display name).
    assert [n.title.split(" ")[0] for n in copies] == ["Dora", "Dora"]

    needles = [FIRST, LAST, USERNAME, EMAIL, DISPLAY_NAME, CHAT_TEXT, CONTACT_TEXT]
    before = {needle: tables_holding(needle) for needle in needles}
    # The search finds the copies this test is about before the deletion.
    assert "notifications_notification.title" in before[DISPLAY_NAME]
    assert {"notifications_notification.body", "notifications_notificationevent.texts", "chat_message.body"} <= set(before[CHAT_TEXT])
    assert "notifications_notificationevent.texts" in before[USERNAME]  # the mention they received

    accounts.account_delete(user=member, password=PASSWORD)

    left = {needle: tables_holding(needle) for needle in needles}
    assert left == {needle: [] for needle in needles}
    # What the others were told stays readable, naming the anonymised account.
    mention = Notification.objects.get(recipient=other, kind="chat.mention")
    assert mention.title.startswith(f"deleted-{member.pk} ") and mention.body == ""
    assert Message.objects.get(client_id="a1").body == f"@deleted-{member.pk} ¿revisamos el modelo mañana?"
