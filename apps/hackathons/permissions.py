"""Who may do what with a hackathon: every per-object check of the app lives here."""

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import Exists, OuterRef, QuerySet

from apps.accounts.roles import ORGANISERS, has_role
from apps.core.statements import CompiledQuery
from apps.hackathons.models import Hackathon, Judge, Registration, Submission, Team, TeamMembership


def can_create_hackathon(user) -> bool:
    return has_role(user, ORGANISERS)


def is_organiser(user, hackathon: Hackathon) -> bool:
    """Organisers of this hackathon (and staff) manage it."""
    if not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    cache = getattr(hackathon, "_organiser_ids", None)
    if cache is None:
        prefetched = getattr(hackathon, "_prefetched_objects_cache", {}).get("organisers")
        if prefetched is not None:
            cache = {u.id for u in prefetched}
        else:
            cache = set(hackathon.organisers.values_list("id", flat=True))
        hackathon._organiser_ids = cache
    return user.id in cache


def can_view_hackathon(user, hackathon: Hackathon) -> bool:
    return hackathon.state != Hackathon.State.DRAFT or is_organiser(user, hackathon)


def can_manage_hackathon(user, hackathon: Hackathon) -> bool:
    return is_organiser(user, hackathon)


def judge_for(user, hackathon: Hackathon) -> Judge | None:
    """The viewer's judge role in this hackathon (looked up once per hackathon object)."""
    if not user.is_authenticated:
        return None
    cache = hackathon.__dict__.setdefault("_judges_by_user", {})
    if user.id not in cache:
        judge = Judge.objects.filter(hackathon=hackathon, user=user).first()
        if judge is not None:
            judge.hackathon = hackathon
        cache[user.id] = judge
    return cache[user.id]


def is_judge(user, hackathon: Hackathon) -> bool:
    judge_user_ids = getattr(hackathon, "_judge_user_ids", None)
    if judge_user_ids is not None and user.is_authenticated:
        return user.id in judge_user_ids
    return judge_for(user, hackathon) is not None


def has_conflict_of_interest(user, submission: Submission) -> bool:
    """A judge can never score a team they belong to."""
    return TeamMembership.objects.filter(team_id=submission.team_id, user=user).exists()


def can_see_scores(user, hackathon: Hackathon) -> bool:
    """Scores and the leaderboard stay with the organisers until results are published."""
    return hackathon.results_published or is_organiser(user, hackathon)


def can_see_submissions(user, hackathon: Hackathon) -> bool:
    """The gallery is public once results are published; before, organisers and judges."""
    return hackathon.results_published or is_organiser(user, hackathon) or is_judge(user, hackathon)


def is_confirmed_participant(user, hackathon: Hackathon) -> bool:
    """Teams, submissions and the "looking for a team" board are for confirmed participants."""
    if not user.is_authenticated:
        return False
    cache = hackathon.__dict__.setdefault("_confirmed_by_user", {})
    if user.id not in cache:
        cache[user.id] = Registration.objects.filter(
            hackathon=hackathon, user=user, status=Registration.Status.CONFIRMED
        ).exists()
    return cache[user.id]


def is_team_member(user, team: Team) -> bool:
    """Members act for their team: invite, submit, edit the submission."""
    return user.is_authenticated and TeamMembership.objects.filter(team=team, user=user).exists()


def can_use_team_pages(user, hackathon: Hackathon) -> bool:
    # Organisers first: that answer is cached on the hackathon, the registration is a query.
    return is_organiser(user, hackathon) or is_confirmed_participant(user, hackathon)


def _confirmed_registration_of(user_id: int) -> Exists:
    return Exists(
        Registration.objects.filter(hackathon=OuterRef("pk"), user_id=user_id, status=Registration.Status.CONFIRMED)
    )


def _with_roles_of(user_id: int, **which) -> QuerySet[Hackathon]:
    organisers = Hackathon.organisers.through.objects.filter(hackathon=OuterRef("pk")).values("user_id")
    judges = Judge.objects.filter(hackathon=OuterRef("pk")).values("user_id")
    return Hackathon.objects.filter(**which).annotate(
        viewer_confirmed=_confirmed_registration_of(user_id),
        organiser_ids=ArraySubquery(organisers),
        judge_user_ids=ArraySubquery(judges),
    )[:1]


# Read on every request of a hackathon's pages and every message of its chat: compiled once.
_with_roles_by_slug = CompiledQuery(lambda user_id, slug: _with_roles_of(user_id, slug=slug), user_id=int, slug=str)
_with_roles_by_id = CompiledQuery(lambda user_id, pk: _with_roles_of(user_id, pk=pk), user_id=int, pk=int)


def hackathon_with_roles_of(user, hackathon_id: int | None = None, *, slug: str = "") -> Hackathon | None:
    """The hackathon (by id or slug), with its organisers, its judges and `user`'s confirmed
    registration read in the same query, so `is_organiser`, `is_judge` and
    `is_confirmed_participant` answer without another one (the chat checks them on every
    message, the hackathon's pages on every request)."""
    hackathons = Hackathon.objects.filter(**({"slug": slug} if slug else {"pk": hackathon_id}))
    if not user.is_authenticated:
        return hackathons.first()
    if connection.vendor == "postgresql":
        if slug:
            hackathon = _with_roles_by_slug.first(user_id=user.pk, slug=slug)
        else:
            hackathon = _with_roles_by_id.first(user_id=user.pk, pk=hackathon_id)
    else:  # arrays are PostgreSQL's: the embedded SQLite demo asks for the two lists apart
        hackathon = hackathons.annotate(viewer_confirmed=_confirmed_registration_of(user.pk)).first()
        if hackathon is not None:
            hackathon.organiser_ids = list(hackathon.organisers.values_list("pk", flat=True))
            hackathon.judge_user_ids = list(Judge.objects.filter(hackathon=hackathon).values_list("user_id", flat=True))
    if hackathon is not None:
        hackathon._organiser_ids = set(hackathon.organiser_ids)
        hackathon._judge_user_ids = set(hackathon.judge_user_ids)
        hackathon.__dict__.setdefault("_confirmed_by_user", {})[user.id] = hackathon.viewer_confirmed
    return hackathon
