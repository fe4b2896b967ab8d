"""`make run`'s platform as a newcomer gets it: SQLite, in-process tasks, cache and channel layer.

Everything else in the suite runs on PostgreSQL and Redis, so this is where SQL that only
PostgreSQL understands would show up (it did: announcements and every notification broke
the demo's seeding)."""

import json

from tests.core.test_settings import run_python

FIRST_RUN = """
import json
import django
django.setup()
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test import Client

from apps.notifications.audiences import EVERYONE
from apps.notifications.models import Delivery, Notification
from apps.notifications.services import announcement_send

call_command("migrate", verbosity=0, interactive=False)
call_command("seed_demo", verbosity=0)
visitor = Client(HTTP_HOST="localhost")
pages = {url: visitor.get(url).status_code for url in
         ["/", "/talent/", "/hackathons/", "/meetups/", "/compute/dashboard/", "/models/", "/api/profiles/"]}
staff = get_user_model().objects.filter(is_staff=True).first()
member = Client(HTTP_HOST="localhost")
member.force_login(staff)
pages["/notifications/"] = member.get("/notifications/").status_code
from apps.chat.services import room_ensure
from apps.hackathons.models import Hackathon
room = room_ensure(kind="hackathon", object_id=Hackathon.objects.get(state=Hackathon.State.IN_PROGRESS).pk)
pages["hackathon room"] = member.get(f"/chat/rooms/{room.pk}/").status_code
said = member.post(f"/api/chat/rooms/{room.pk}/messages/", {"body": "Hola", "client_id": "demo-1"},
                   content_type="application/json")
pages["message posted"] = 200 if said.status_code == 201 else said.status_code
event = announcement_send(sender=staff, audience=EVERYONE, params={}, title="Hola", body="Bienvenida a todas")
print(json.dumps({
    "vendor": connection.vendor,
    "pages": pages,
    "announced": Notification.objects.filter(event=event).count(),
    "members": get_user_model().objects.filter(is_active=True).count(),
    "deliveries": sorted(set(Delivery.objects.filter(notification__event=event).values_list("status", flat=True))),
}))
"""


def test_the_demo_seeds_and_serves_on_the_embedded_stack(tmp_path):
    result = run_python(
        FIRST_RUN, "community.settings.local", timeout=300, DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["vendor"] == "sqlite"
    assert set(report["pages"].values()) == {200}, report["pages"]
    assert report["announced"] == report["members"] > 10  # every active member, once
    assert report["deliveries"] in (["sent"], ["sent", "skipped"])  # e-mailed in process, or opted out
