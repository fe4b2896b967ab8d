"""The notifications app's reads, called directly: a member sees only their own
notifications, unread figures count what is unread, a member's choices decide each kind's
channel, and announcement audiences answer only to who may address them."""

from datetime import timedelta

import pytest
from django.http import QueryDict
from django.utils import timezone

from apps.core.errors import InvalidInput, NotAllowed
from apps.hackathons.models import Hackathon
from apps.notifications import selectors, services
from apps.notifications.models import NotificationPreference
from tests.accounts.factories import UserFactory
from tests.hackathons.factories import hackathon_factory, participant_factory, running_schedule

pytestmark = pytest.mark.django_db
Mode = NotificationPreference.Mode


def tell(user, kind="chat.mention", title="Hola"):
    return services.notify(recipients=[user], kind=kind, title=title, email=False)[0]


def test_a_member_lists_only_their_own_notifications_newest_first():
    member, other = UserFactory(), UserFactory()
    first, second = tell(member, title="uno"), tell(member, title="dos")
    tell(other)
    assert [n.pk for n in selectors.notification_list(user=member)] == [second.pk, first.pk]


def test_unread_only_and_the_group_filter_narrow_the_list():
    member = UserFactory()
    read = tell(member, kind="chat.mention")
    unread_chat = tell(member, kind="chat.report")
    compute = tell(member, kind="compute.decision")
    services.notification_mark_read(user=member, notification_id=read.pk)
    assert [n.pk for n in selectors.notification_list(user=member, unread_only=True)] == [compute.pk, unread_chat.pk]
    assert [n.pk for n in selectors.notification_list(user=member, group="chat")] == [unread_chat.pk, read.pk]
    # A group is the part before the dot, not any prefix of it.
    assert list(selectors.notification_list(user=member, group="cha")) == []


def test_unread_figures_leave_read_notifications_and_other_members_out():
    member, other, quiet = UserFactory(), UserFactory(), UserFactory()
    for _ in range(3):
        tell(member)
    services.notification_mark_read(user=member, notification_id=tell(member).pk)
    tell(other)
    assert selectors.unread_count(user=member) == 3
    counts = selectors.unread_counts(user_ids=[member.pk, quiet.pk])
    assert counts.get(member.pk) == 3 and counts.get(quiet.pk, 0) == 0 and other.pk not in counts


def test_a_members_choice_beats_the_default_and_all_email_off_beats_every_choice():
    chooser, silent, new = UserFactory(), UserFactory(), UserFactory()
    services.email_settings_update(user=chooser, modes={"chat.mention": Mode.DIGEST, "hub.sync_failed": Mode.EMAIL})
    services.email_settings_update(user=silent, email_enabled=False, modes={"hub.sync_failed": Mode.EMAIL})
    kinds = ["chat.mention", "hub.sync_failed", "meetups.rsvp_confirmed"]
    modes = selectors.notification_modes(user_ids=[chooser.pk, silent.pk, new.pk], kinds=kinds)
    assert len(modes) == 9
    assert [modes[(chooser.pk, kind)] for kind in kinds] == [Mode.DIGEST, Mode.EMAIL, Mode.OFF]
    assert [modes[(silent.pk, kind)] for kind in kinds] == [Mode.OFF, Mode.OFF, Mode.OFF]
    assert [modes[(new.pk, kind)] for kind in kinds] == [Mode.EMAIL, Mode.DIGEST, Mode.OFF]


def test_email_settings_show_the_master_switch_and_the_daily_digest_by_default():
    member = UserFactory()
    assert (selectors.email_settings(user=member)["email_enabled"], selectors.email_settings(user=member)["digest"]) == (
        True, "daily",
    )
    services.email_settings_update(user=member, email_enabled=False, digest="weekly")
    settings = selectors.email_settings(user=member)
    assert (settings["email_enabled"], settings["digest"]) == (False, "weekly")


@pytest.fixture
def hackathon():
    hackathon = hackathon_factory(state=Hackathon.State.REGISTRATION_OPEN, schedule=running_schedule())
    participant_factory(hackathon)
    participant_factory(hackathon)
    return hackathon


def test_an_audience_preview_is_for_its_organisers_only(hackathon):
    params = {"hackathon": hackathon.slug, "subset": "confirmed"}
    preview = selectors.announcement_audience(user=hackathon.organisers.get(), audience="hackathon", params=params)
    assert preview["count"] == 2
    for outsider in (UserFactory(), hackathon.registrations.first().user):
        with pytest.raises(NotAllowed):
            selectors.announcement_audience(user=outsider, audience="hackathon", params=params)


def test_announcement_params_keep_only_the_keys_the_audience_reads():
    query = QueryDict("hackathon=ia-abierta&team=&recipients=everyone&subset=confirmed")
    assert selectors.announcement_params(audience="hackathon", query=query) == {"hackathon": "ia-abierta"}
    assert selectors.announcement_params(audience="hackathon", query=query, subset="teams") == {
        "hackathon": "ia-abierta", "subset": "teams",
    }
    with pytest.raises(InvalidInput) as refused:
        selectors.announcement_params(audience="hackathon", query=query, subset="everyone")
    assert "subset" in refused.value.errors


def test_scheduled_announcements_are_listed_only_to_who_may_announce_and_only_while_scheduled(hackathon):
    organiser = hackathon.organisers.get()
    params = {"hackathon": hackathon.slug}

    def schedule(subset):
        return services.announcement_schedule(
            sender=organiser, audience="hackathon", params={**params, "subset": subset}, title="Aviso", body="Mañana.",
            send_at=timezone.now() + timedelta(hours=1),
        )

    kept, cancelled = schedule("confirmed"), schedule("waitlisted")
    services.announcement_cancel(actor=organiser, announcement_id=cancelled.pk)
    other = hackathon_factory(state=Hackathon.State.REGISTRATION_OPEN, schedule=running_schedule(), organiser=organiser)
    services.announcement_schedule(
        sender=organiser, audience="hackathon", params={"hackathon": other.slug}, title="Otro", body="Otro.",
        send_at=timezone.now() + timedelta(hours=1),
    )
    assert list(selectors.scheduled_announcements(user=organiser, audience="hackathon", params=params)) == [kept]
    assert list(selectors.scheduled_announcements(user=UserFactory(), audience="hackathon", params=params)) == []
