from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from icalendar import Calendar

from apps.hackathons.calendar import hackathon_ics
from apps.hackathons.events import emit
from apps.hackathons.models import Hackathon, ReminderSent
from apps.hackathons.services.lifecycle import deadline_reminders_send
from apps.notifications.models import Notification
from tests.hackathons.factories import hackathon_factory, participant_factory, running_schedule
from workers.hackathons import advance_hackathons, send_hackathon_reminders

pytestmark = pytest.mark.django_db


def test_ics_has_each_phase_in_the_hackathon_time_zone():
    start = datetime(2031, 3, 14, 9, 0, tzinfo=ZoneInfo("America/Mexico_City"))
    hackathon = hackathon_factory(
        timezone="America/Mexico_City",
        schedule={
            "registration_opens_at": start - timedelta(days=20),
            "registration_closes_at": start - timedelta(days=1),
            "hacking_starts_at": start,
            "hacking_ends_at": start + timedelta(hours=48),
            "judging_ends_at": start + timedelta(days=5),
            "results_at": start + timedelta(days=6),
        },
    )
    calendar = Calendar.from_ical(hackathon_ics(hackathon))
    uids = [str(e["uid"]).split("@")[0] for e in calendar.walk("VEVENT")]
    assert uids == [f"hackathon-{hackathon.pk}-{k}" for k in ("registration", "hacking", "judging", "results")]
    hacking = next(e for e in calendar.walk("VEVENT") if "hacking" in str(e["uid"]))
    assert hacking.decoded("dtstart") == start
    assert str(hacking.decoded("dtstart").tzinfo) == "America/Mexico_City"
    assert hacking.decoded("dtend") == start + timedelta(hours=48)
    assert [tz["tzid"] for tz in calendar.walk("VTIMEZONE")] == ["America/Mexico_City"]


def test_reminders_go_out_once_a_day_before_the_deadline():
    hackathon = hackathon_factory(state=Hackathon.State.REGISTRATION_OPEN, schedule=running_schedule())
    participant = participant_factory(hackathon)
    # Registration closes in 24 hours: due now; submissions close in 48 hours: not yet.
    assert deadline_reminders_send() == 1
    assert deadline_reminders_send() == 0
    assert ReminderSent.objects.get().kind == "registration_closes"
    later = timezone.now() + timedelta(days=1, hours=1)
    assert deadline_reminders_send(now=later) == 1  # the submission deadline, a day later
    kinds = Notification.objects.filter(recipient=participant).values_list("kind", flat=True)
    assert list(kinds) == ["hackathons.deadline_reminder"] * 2


def test_beat_tasks_run_the_services():
    hackathon = hackathon_factory(state=Hackathon.State.PUBLISHED, schedule=running_schedule())
    assert advance_hackathons.apply().get() == 1
    hackathon.refresh_from_db()
    assert hackathon.state == Hackathon.State.REGISTRATION_OPEN
    assert send_hackathon_reminders.apply().get() == 1  # registration closes within a day
    assert send_hackathon_reminders.apply().get() == 0  # and only once


def test_emit_refuses_unknown_events():
    hackathon = hackathon_factory()
    with pytest.raises(ValueError):
        emit("hackathons.nope", hackathon, [], title="x")


@pytest.mark.django_db
def test_the_hackathon_page_offers_google_and_outlook_for_the_hacking_days(client):
    from datetime import UTC
    from urllib.parse import parse_qs, urlsplit

    from tests.hackathons.factories import hackathon_factory

    hackathon = hackathon_factory(state=Hackathon.State.REGISTRATION_OPEN)
    page = client.get(f"/hackathons/{hackathon.slug}/")
    google = parse_qs(urlsplit(page.context["calendar_links"]["google"]).query)
    start, end = (m.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ") for m in (hackathon.hacking_starts_at, hackathon.hacking_ends_at))
    assert google["dates"] == [f"{start}/{end}"] and google["text"] == [hackathon.title]
    assert "outlook.live.com" in page.content.decode() and f"/hackathons/{hackathon.slug}/calendar.ics" in page.content.decode()
