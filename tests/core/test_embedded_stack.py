"""`make run`'s platform as a newcomer gets it: SQLite, in-process tasks, cache and channel layer.

Everything else in the suite runs on PostgreSQL and Redis, so this is where SQL that only
PostgreSQL understands would show up (it did: announcements and every notification broke
the demo's seeding; later the organisers' dashboards). Each role of the demo clicks through
two pages of every kind its pages link to."""

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

# Every role of the demo clicks through what its pages link to (the organisers' dashboards
# once failed on SQLite alone): no page may answer 5xx.
import re
from collections import Counter, deque
from django.urls import Resolver404, resolve
START = ["/", "/hackathons/", "/meetups/", "/talent/", "/compute/", "/compute/dashboard/", "/models/",
         "/transparency/", "/notifications/", "/accounts/settings/", "/talent/me/"]
SKIP = re.compile(r"^/(static|media|admin|i18n|accounts/(logout|confirm-email|password))/|[.](csv|ics|png|svg|json)$")
crawled, failures = {}, []
for email in [None, "member001@demo.comunidad-ia.es", "organizadora@demo.comunidad-ia.es",
              "revisora@demo.comunidad-ia.es", "operador@demo.comunidad-ia.es", "admin@demo.comunidad-ia.es"]:
    person = Client(HTTP_HOST="localhost", raise_request_exception=False)
    if email:
        person.force_login(get_user_model().objects.get(email=email))
    # Two pages of each kind (route), so every kind of page is reached, not 200 profiles.
    seen, queue, of_route = set(START), deque(START), Counter()
    while queue:
        url = queue.popleft()
        response = person.get(url)
        if response.status_code >= 500:
            failures.append([email, url, response.status_code])
        if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
            for link in re.findall(r'href="(/[^"#?]*)', response.content.decode()):
                if link in seen or SKIP.search(link):
                    continue
                try:
                    route = resolve(link).route
                except Resolver404:
                    continue
                if of_route[route] < 2:
                    of_route[route] += 1
                    seen.add(link)
                    queue.append(link)
    crawled[email or "visitor"] = len(seen)
print(json.dumps({
    "vendor": connection.vendor,
    "pages": pages,
    "announced": Notification.objects.filter(event=event).count(),
    "members": get_user_model().objects.filter(is_active=True).count(),
    "deliveries": sorted(set(Delivery.objects.filter(notification__event=event).values_list("status", flat=True))),
    "crawled": crawled,
    "failures": failures,
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
    assert report["failures"] == [], report["failures"]
    # The crawl went past its 11 start pages for everyone.
    assert all(pages > 25 for pages in report["crawled"].values()), report["crawled"]
