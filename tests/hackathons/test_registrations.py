import pytest
from django.utils import timezone

from apps.core.errors import Conflict, InvalidInput, NotAllowed
from apps.hackathons.models import Hackathon, Registration
from apps.hackathons.services import registrations
from apps.notifications.models import Notification
from tests.accounts.factories import UserFactory
from tests.hackathons.concurrency import run_at_once
from tests.hackathons.factories import hackathon_factory, participant_factory, running_schedule, team_factory

pytestmark = pytest.mark.django_db
State = Hackathon.State
Status = Registration.Status


def open_hackathon(**fields):
    return hackathon_factory(state=State.REGISTRATION_OPEN, schedule=running_schedule(), **fields)


def register(hackathon, user=None, **kwargs):
    user = user or UserFactory()
    kwargs.setdefault("agreed", True)
    return registrations.registration_create(user=user, hackathon=hackathon, **kwargs)


def test_agreement_is_required():
    with pytest.raises(InvalidInput) as exc:
        register(open_hackathon(), agreed=False)
    assert "agreed" in exc.value.errors


def test_refused_when_registration_is_not_open():
    for state in (State.DRAFT, State.PUBLISHED, State.JUDGING, State.FINISHED, State.CANCELLED):
        with pytest.raises(Conflict):
            register(hackathon_factory(state=state, schedule=running_schedule()))


def test_capacity_fills_then_waitlists_and_a_cancellation_promotes_the_first_waiting():
    hackathon = open_hackathon(capacity=2)
    first, second = register(hackathon), register(hackathon)
    third, fourth = register(hackathon), register(hackathon)
    assert [r.status for r in (first, second, third, fourth)] == [Status.CONFIRMED] * 2 + [Status.WAITLISTED] * 2
    registrations.registration_cancel(user=first.user, hackathon=hackathon)
    third.refresh_from_db()
    fourth.refresh_from_db()
    assert (third.status, fourth.status) == (Status.CONFIRMED, Status.WAITLISTED)
    assert Notification.objects.filter(recipient=third.user, kind="hackathons.waitlist_promoted").exists()
    with pytest.raises(Conflict):
        register(hackathon, second.user)


def test_cancelling_leaves_the_team():
    hackathon = open_hackathon()
    team, (a, b) = team_factory(hackathon)
    registrations.registration_cancel(user=b, hackathon=hackathon)
    assert list(team.memberships.values_list("user", flat=True)) == [a.id]


def test_approval_policy_pending_then_approved_or_rejected_with_reason():
    hackathon = open_hackathon(join_policy=Hackathon.JoinPolicy.APPROVAL, capacity=1)
    organiser = hackathon.organisers.get()
    one, two, three = register(hackathon), register(hackathon), register(hackathon)
    assert one.status == Status.PENDING
    with pytest.raises(NotAllowed):
        registrations.registration_decide(actor=two.user, registration=one, approve=True)
    assert registrations.registration_decide(actor=organiser, registration=one, approve=True).status == Status.CONFIRMED
    assert registrations.registration_decide(actor=organiser, registration=two, approve=True).status == Status.WAITLISTED
    with pytest.raises(InvalidInput):
        registrations.registration_decide(actor=organiser, registration=three, approve=False)
    rejected = registrations.registration_decide(actor=organiser, registration=three, approve=False, reason="Fuera de plazo")
    assert rejected.status == Status.REJECTED
    assert Notification.objects.get(recipient=three.user).body == "Fuera de plazo"
    with pytest.raises(Conflict):
        register(hackathon, three.user)


def test_invite_only_and_email_domain_policies():
    invite_only = open_hackathon(join_policy=Hackathon.JoinPolicy.INVITE)
    guest, stranger = UserFactory(email="guest@lab.org"), UserFactory()
    registrations.registration_invites_add(actor=invite_only.organisers.get(), hackathon=invite_only, emails=["GUEST@lab.org"])
    assert register(invite_only, guest).status == Status.CONFIRMED
    with pytest.raises(NotAllowed):
        register(invite_only, stranger)

    domain = open_hackathon(join_policy=Hackathon.JoinPolicy.DOMAIN, allowed_email_domains="uni.es, lab.org")
    assert register(domain, UserFactory(email="ana@uni.es")).status == Status.CONFIRMED
    with pytest.raises(NotAllowed, match="uni.es"):
        register(domain, UserFactory(email="ana@gmail.com"))


def test_check_in_only_for_confirmed_people_at_venue_events_on_the_day():
    hackathon = hackathon_factory(
        state=State.IN_PROGRESS, schedule=running_schedule(), format=Hackathon.Format.VENUE, venue="Bilbao"
    )
    organiser = hackathon.organisers.get()
    registration = register(hackathon)
    with pytest.raises(NotAllowed):
        registrations.registration_check_in(actor=registration.user, registration=registration)
    checked = registrations.registration_check_in(actor=organiser, registration=registration)
    assert checked.checked_in_at <= timezone.now()
    online = open_hackathon()
    online_registration = register(online)
    with pytest.raises(Conflict, match="venue"):
        registrations.registration_check_in(actor=online.organisers.get(), registration=online_registration)


def test_participant_factory_registers_with_looking_for():
    hackathon = open_hackathon()
    user = participant_factory(hackathon)
    assert Registration.objects.get(user=user).looking_for == "Python, NLP"


@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_never_exceed_capacity():
    """Six people register for the last two places at once, each on its own connection."""
    hackathon = open_hackathon(capacity=2)
    people = [UserFactory() for _ in range(6)]
    run_at_once(lambda user: registrations.registration_create(user=user, hackathon=hackathon, agreed=True), people)
    statuses = sorted(Registration.objects.values_list("status", flat=True))
    assert statuses == [Status.CONFIRMED] * 2 + [Status.WAITLISTED] * 4


def test_edit_keeps_schedule_valid(client):
    hackathon = open_hackathon()
    organiser = hackathon.organisers.get()
    client.force_login(organiser)
    url = f"/hackathons/{hackathon.slug}/edit/"
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    for name in ("registration_opens_at", "registration_closes_at", "hacking_starts_at", "hacking_ends_at", "judging_ends_at", "results_at"):
        data[name] = data[name].strftime("%Y-%m-%dT%H:%M")
    data["capacity"] = ""
    data["title"] = "Nuevo título"
    assert client.post(url, data).status_code == 302
    hackathon.refresh_from_db()
    assert hackathon.title == "Nuevo título"
    data["judging_ends_at"] = "2000-01-01T00:00"
    response = client.post(url, data)
    assert response.status_code == 200 and "judging_ends_at" in response.context["form"].errors
    client.force_login(UserFactory())
    assert client.post(url, data).status_code == 403
