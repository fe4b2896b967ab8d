"""Every read of the hackathons app, shaped for its page or endpoint and filtered by viewer."""

from dataclasses import dataclass
from fractions import Fraction

from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from django.utils.translation import gettext as _

from apps.accounts.selectors import named_people
from apps.core.errors import NotAllowed, NotFound
from apps.core.statements import CompiledQuery
from apps.hackathons import permissions
from apps.hackathons.models import (
    Hackathon,
    Judge,
    JudgeAssignment,
    Registration,
    RubricCriterion,
    Score,
    Submission,
    SubmissionRepository,
    Team,
    TeamInvitation,
    TeamMembership,
)
from apps.profiles.choices import Visibility
from apps.profiles.models import Profile
from apps.profiles.selectors import profile_visible_to, skills_for_users, with_handle

State = Hackathon.State
PERIODS = {
    "upcoming": [State.DRAFT, State.PUBLISHED, State.REGISTRATION_OPEN],
    "running": [State.IN_PROGRESS, State.JUDGING],
    "past": [State.FINISHED, State.CANCELLED],
}


def user_by_handle(handle: str, *, viewer):
    """The person a talent-profile handle names (case-insensitive, a leading @ ignored),
    among the profiles `viewer` may see: a hidden profile's handle names nobody, so
    inviting by handle can never confirm that it exists. Members without a profile yet
    are found by username.
    """
    handle = (handle or "").strip().lstrip("@")
    if not handle:
        return None
    visible = profile_visible_to(viewer).filter(user__is_active=True)
    profile = with_handle(visible, handle).select_related("user").first()
    if profile is not None:
        return profile.user
    return (
        get_user_model().objects.filter(username__iexact=handle, is_active=True, profile__isnull=True).first()
    )


def hackathon_list_audience(user) -> tuple:
    """Whose view of the list a member shares: staff see every draft, an organiser the
    drafts they organise (named, so a draft they join shows at once), everyone else the rest."""
    if user.is_authenticated and user.is_staff:
        return ("staff",)
    if not user.is_authenticated:
        return ("published",)
    drafts = Hackathon.organisers.through.objects.filter(user=user, hackathon__state=State.DRAFT)
    return ("published", *sorted(drafts.values_list("hackathon_id", flat=True)))


def hackathon_list(*, user, period: str = "", format: str = "", language: str = "", q: str = "") -> QuerySet:
    """Hackathons the viewer may see (drafts only for their organisers), with counts."""
    qs = Hackathon.objects.all()
    if user.is_authenticated and user.is_staff:
        pass
    elif user.is_authenticated:
        # Exists, not a join: a join on organisers would repeat rows and inflate the counts.
        organises = Hackathon.organisers.through.objects.filter(hackathon=OuterRef("pk"), user=user)
        qs = qs.filter(~Q(state=State.DRAFT) | Exists(organises))
    else:
        qs = qs.exclude(state=State.DRAFT)
    if period in PERIODS:
        qs = qs.filter(state__in=PERIODS[period])
    if format in Hackathon.Format.values:
        qs = qs.filter(format=format)
    # PostgreSQL refuses NUL characters in text: drop them rather than fail with a 500.
    language, q = language.replace("\x00", "").strip(), q.replace("\x00", "").strip()
    if language:
        qs = qs.filter(languages__icontains=language[:8])
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(summary__icontains=q))
    order = ["-hacking_starts_at", "-id"] if period == "past" else ["hacking_starts_at", "id"]
    # A correlated count, not a join with GROUP BY: only the rows of the page are counted,
    # and counting the list for its paginator needs no join at all.
    confirmed = (
        Registration.objects.filter(hackathon=OuterRef("pk"), status=Registration.Status.CONFIRMED)
        .order_by().values("hackathon").annotate(n=Count("pk")).values("n")
    )
    return qs.annotate(participant_count=Coalesce(Subquery(confirmed), 0)).order_by(*order)


def hackathon_numbers() -> dict[str, int]:
    """Counts for the home page, in one query (registered for `apps.core.selectors.platform_numbers`)."""
    return Hackathon.objects.aggregate(
        hackathons_upcoming=Count("id", filter=Q(state__in=[State.PUBLISHED, State.REGISTRATION_OPEN])),
        hackathons_running=Count("id", filter=Q(state__in=PERIODS["running"])),
        hackathons_finished=Count("id", filter=Q(state=State.FINISHED)),
    )


def organisers_of(hackathon: Hackathon) -> list:
    """The hackathon's organisers, with what their public names need, in one query."""
    return list(named_people().filter(organised_hackathons=hackathon).order_by("pk"))


def hackathon_get(*, user, slug: str) -> Hackathon:
    """The hackathon with the viewer's roles in it (one query); its tracks and organisers are
    read when a page draws them, which the detail page's shared fragments rarely do."""
    hackathon = permissions.hackathon_with_roles_of(user, slug=slug)
    if hackathon is None or not permissions.can_view_hackathon(user, hackathon):
        raise NotFound(_("No such hackathon."))
    return hackathon


def registration_for(*, user, hackathon: Hackathon) -> Registration | None:
    """The member's registration, with the name of their team in it (`team_name`, None
    without one) in the same query: what the hackathon's page shows of the team."""
    if not user.is_authenticated:
        return None
    return _registration_with_team_name.first(hackathon_id=hackathon.pk, user_id=user.pk)


def _registrations_with_team_name(hackathon_id: int, user_id: int) -> QuerySet[Registration]:
    team_name = TeamMembership.objects.filter(hackathon_id=hackathon_id, user_id=user_id).values("team__name")[:1]
    return Registration.objects.filter(hackathon_id=hackathon_id, user_id=user_id).annotate(
        team_name=Subquery(team_name)
    )[:1]


_registration_with_team_name = CompiledQuery(_registrations_with_team_name, hackathon_id=int, user_id=int)


def registrations_for_hackathon(*, hackathon: Hackathon, status: str = "") -> QuerySet:
    qs = hackathon.registrations.select_related("user__profile").order_by("created_at", "id")
    if status in Registration.Status.values:
        qs = qs.filter(status=status)
    return qs


def registration_counts(*, hackathon: Hackathon) -> dict[str, int]:
    rows = hackathon.registrations.values("status").annotate(n=Count("id"))
    counts = {status: 0 for status in Registration.Status.values}
    counts.update({row["status"]: row["n"] for row in rows})
    counts["checked_in"] = hackathon.registrations.filter(checked_in_at__isnull=False).count()
    return counts


def _members_prefetch():
    return Prefetch(
        "memberships", queryset=TeamMembership.objects.select_related("user__profile").order_by("joined_at", "id")
    )


def team_for_user(*, user, hackathon: Hackathon) -> Team | None:
    if not user.is_authenticated:
        return None
    return (
        Team.objects.filter(hackathon=hackathon, memberships__user=user)
        .prefetch_related(
            _members_prefetch(),
            Prefetch(
                "invitations",
                queryset=TeamInvitation.objects.filter(status=TeamInvitation.Status.PENDING).select_related(
                    "invitee__profile"
                ),
                to_attr="pending_invitations",
            ),
            Prefetch("submissions", queryset=Submission.objects.select_related("track")),
        )
        .first()
    )


def invitations_for_user(*, user, hackathon: Hackathon) -> QuerySet:
    return TeamInvitation.objects.filter(
        invitee=user, team__hackathon=hackathon, status=TeamInvitation.Status.PENDING
    ).select_related("team", "invited_by")


def visible_member_handles(*, viewer, hackathon: Hackathon, teams) -> dict[int, str]:
    """Handle per member of these teams whose profile the viewer may see (one query);
    organisers of the hackathon see everyone (by username when there is no profile)."""
    user_ids = {m.user_id for team in teams for m in team.memberships.all()}
    if permissions.is_organiser(viewer, hackathon):
        handles = {m.user_id: m.user.username for team in teams for m in team.memberships.all()}
        handles.update(Profile.objects.filter(user_id__in=user_ids).values_list("user_id", "handle"))
        return handles
    return dict(profile_visible_to(viewer).filter(user_id__in=user_ids).values_list("user_id", "handle"))


def teams_for_hackathon(*, hackathon: Hackathon) -> QuerySet:
    return (
        hackathon.teams.annotate(member_count=Count("memberships", distinct=True))
        .prefetch_related(_members_prefetch())
        .order_by("name", "id")
    )


@dataclass
class Seeker:
    """A participant looking for a team, as shown on the board."""

    user: object
    looking_for: str
    skills: list[str]


def looking_for_team(*, viewer, hackathon: Hackathon, page: int | str | None = 1, per_page: int = 24):
    """Confirmed participants without a team, as a page of `Seeker`s with their
    talent-pool skills. People who hid their profile are listed only to the organisers
    (and to themselves), and never with skills."""
    in_team = TeamMembership.objects.filter(hackathon=hackathon, user=OuterRef("user"))
    registrations = hackathon.registrations.filter(status=Registration.Status.CONFIRMED)
    if not permissions.is_organiser(viewer, hackathon):
        hidden = Profile.objects.filter(user=OuterRef("user"), visibility=Visibility.HIDDEN)
        registrations = registrations.exclude(Q(Exists(hidden)) & ~Q(user_id=viewer.pk))
    registrations = (
        registrations
        .exclude(Exists(in_team))
        .select_related("user__profile")
        .order_by("created_at", "id")
    )
    result = Paginator(registrations, per_page).get_page(page)
    skills = skills_for_users([r.user_id for r in result.object_list])
    result.object_list = [
        Seeker(user=r.user, looking_for=r.looking_for, skills=skills.get(r.user_id, [])) for r in result.object_list
    ]
    return result


def submissions_for_hackathon(*, user, hackathon: Hackathon) -> QuerySet:
    """Submissions the viewer may see: all for organisers/judges, or all once results are out."""
    if not permissions.can_see_submissions(user, hackathon):
        raise NotAllowed(_("Submissions are shown once results are published."))
    return (
        hackathon.submissions.select_related("team", "track")
        .prefetch_related("repositories", Prefetch("team__memberships", queryset=TeamMembership.objects.select_related("user__profile")))
        .order_by("track__position", "created_at", "id")
    )


def submissions_referencing(repo_ids, *, kind: str = "", public_only: bool = True) -> QuerySet:
    """Submissions built on any of the given Hub repositories (for the catalogue to link);
    `kind` keeps a model and a dataset that share an `owner/name` apart."""
    repositories = SubmissionRepository.objects.filter(submission=OuterRef("pk"), repo_id__in=list(repo_ids))
    if kind:
        repositories = repositories.filter(kind=kind)
    qs = Submission.objects.filter(Exists(repositories))
    if public_only:
        qs = qs.filter(hackathon__results_published_at__isnull=False)
    return qs.select_related("hackathon", "team", "track").prefetch_related("repositories").order_by("-created_at", "-id")


def judge_assignments(*, judge: Judge, criteria: int) -> QuerySet:
    """A judge's assignments; `complete` once all `criteria` rubric criteria are scored."""
    return (
        JudgeAssignment.objects.filter(judge=judge)
        .select_related("submission__team", "submission__track")
        .annotate(scored=Count("scores"))
        .annotate(complete=Q(scored__gte=criteria) if criteria else Q(pk__isnull=True))
        .order_by("submission__track__position", "submission__created_at", "submission_id")
    )


def judging_progress(*, hackathon: Hackathon) -> list[dict]:
    """Per judge: submissions assigned and fully scored."""
    criteria = hackathon.criteria.count()
    judges = hackathon.judges.select_related("user__profile").annotate(
        assigned=Count("assignments", distinct=True),
    ).order_by("created_at", "id")
    done: dict[int, int] = {}
    scored = JudgeAssignment.objects.filter(judge__hackathon=hackathon).annotate(n=Count("scores"))
    for judge_id, n in scored.values_list("judge_id", "n"):
        if criteria and n >= criteria:
            done[judge_id] = done.get(judge_id, 0) + 1
    return [{"judge": j, "assigned": j.assigned, "completed": done.get(j.id, 0)} for j in judges]


@dataclass
class LeaderboardRow:
    position: int
    submission: Submission
    score: Fraction
    judges: int

    @property
    def percent(self) -> float:
        return round(float(self.score) * 100, 2)


def leaderboard(*, user, hackathon: Hackathon) -> list[LeaderboardRow]:
    """Ranking per track by the mean of judges' weighted, normalised scores.

    A judge's score of a submission is sum(weight * value / max_score) / sum(weight), from
    0 to 1, counted only when the judge scored every criterion. Ties are broken by more
    judges, then the earlier submission, then the lower id, so the order never changes
    between two reads. Hidden from all but organisers until results are published.
    """
    if not permissions.can_see_scores(user, hackathon):
        raise NotAllowed(_("Scores are hidden until the results are published."))
    criteria = {c.id: c for c in RubricCriterion.objects.filter(hackathon=hackathon)}
    total_weight = sum(c.weight for c in criteria.values())
    per_judge: dict[tuple[int, int], list[Score]] = {}
    for score in Score.objects.filter(assignment__submission__hackathon=hackathon).select_related("assignment"):
        per_judge.setdefault((score.assignment.submission_id, score.assignment.judge_id), []).append(score)
    judged: dict[int, list[Fraction]] = {}
    for (submission_id, _judge_id), scores in per_judge.items():
        if not total_weight or {s.criterion_id for s in scores} != set(criteria):
            continue  # an incomplete scorecard does not count
        value = sum(Fraction(criteria[s.criterion_id].weight * s.value, criteria[s.criterion_id].max_score) for s in scores)
        judged.setdefault(submission_id, []).append(value / total_weight)
    submissions = hackathon.submissions.select_related("team", "track").prefetch_related("repositories")
    rows = []
    for submission in submissions:
        marks = judged.get(submission.id, [])
        mean = sum(marks, Fraction(0)) / len(marks) if marks else Fraction(0)
        rows.append(LeaderboardRow(position=0, submission=submission, score=mean, judges=len(marks)))
    rows.sort(key=lambda r: (r.submission.track.position, r.submission.track_id, -r.score, -r.judges, r.submission.created_at, r.submission.id))
    track, position = None, 0
    for row in rows:
        if row.submission.track_id != track:
            track, position = row.submission.track_id, 0
        position += 1
        row.position = position
    return rows


def transitions_for(*, hackathon: Hackathon) -> QuerySet:
    return hackathon.transitions.select_related("actor").order_by("created_at", "id")
