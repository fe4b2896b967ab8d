"""Judging: the rubric, judges and their assignments, and scorecards."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from apps.core.errors import Conflict, InvalidInput, NotAllowed
from apps.hackathons import events, permissions
from apps.hackathons.models import (
    Hackathon,
    Judge,
    JudgeAssignment,
    RubricCriterion,
    Score,
    Submission,
    TeamMembership,
)
from apps.hackathons.selectors import user_by_handle
from apps.hackathons.services.common import fresh, lock_hackathon, require_organiser

MAX_WEIGHT = 100
MAX_SCORE = 1000
RUBRIC_EDITABLE = (
    Hackathon.State.DRAFT, Hackathon.State.PUBLISHED, Hackathon.State.REGISTRATION_OPEN, Hackathon.State.IN_PROGRESS
)


@transaction.atomic
def criterion_add(
    *, actor, hackathon: Hackathon, name: str, weight: int = 1, max_score: int = 10, description: str = ""
) -> RubricCriterion:
    require_organiser(actor, hackathon)
    hackathon = lock_hackathon(hackathon.pk)
    if hackathon.state not in RUBRIC_EDITABLE:
        raise Conflict(_("The rubric cannot change once judging has started."))
    errors = {}
    if not name.strip():
        errors["name"] = [_("A name is required.")]
    if not isinstance(weight, int) or not 1 <= weight <= MAX_WEIGHT:
        errors["weight"] = [_("The weight is a whole number from 1 to %(max)s.") % {"max": MAX_WEIGHT}]
    if not isinstance(max_score, int) or not 1 <= max_score <= MAX_SCORE:
        errors["max_score"] = [_("The maximum score is a whole number from 1 to %(max)s.") % {"max": MAX_SCORE}]
    if errors:
        raise InvalidInput(errors=errors)
    try:
        with transaction.atomic():
            return RubricCriterion.objects.create(
                hackathon=hackathon, name=name.strip(), weight=weight, max_score=max_score,
                description=description, position=hackathon.criteria.count(),
            )
    except IntegrityError:
        raise InvalidInput(errors={"name": [_("There is already a criterion with this name.")]}) from None


@transaction.atomic
def criterion_remove(*, actor, criterion: RubricCriterion) -> None:
    require_organiser(actor, criterion.hackathon)
    # The lock orders this against "start judging": a criterion never vanishes mid-judging.
    if lock_hackathon(criterion.hackathon_id).state not in RUBRIC_EDITABLE:
        raise Conflict(_("The rubric cannot change once judging has started."))
    criterion.delete()


@transaction.atomic
def judge_add(*, actor, hackathon: Hackathon, handle: str) -> Judge:
    require_organiser(actor, hackathon)
    hackathon = fresh(hackathon)
    if hackathon.state in (Hackathon.State.FINISHED, Hackathon.State.CANCELLED):
        raise Conflict(_("This hackathon is over."))
    user = user_by_handle(handle, viewer=actor)
    if user is None:
        raise InvalidInput(errors={"handle": [_("Nobody has that handle.")]})
    try:
        with transaction.atomic():
            judge = Judge.objects.create(hackathon=hackathon, user=user, invited_by=actor)
    except IntegrityError:
        raise InvalidInput(errors={"handle": [_("This person is already a judge.")]}) from None
    if hackathon.state == Hackathon.State.DRAFT:
        return judge  # a draft is for its organisers only; judges hear of it when it is published
    events.emit(
        events.JUDGE_ASSIGNED, hackathon, [user],
        title=lambda: _("You are a judge of %(title)s") % {"title": hackathon.title},
        body=lambda: _("Submissions will be assigned to you when judging starts."),
        url=f"/hackathons/{hackathon.slug}/judging/",
    )
    if hackathon.state == Hackathon.State.JUDGING:
        assignments_create(hackathon=hackathon)
    return judge


@transaction.atomic
def judge_remove(*, actor, judge: Judge) -> None:
    """Take a judge off the panel, with their assignments.

    Scores already given are never deleted: once a judge has scored anything they
    stay on the panel (organisers can still hand out more assignments to others).
    """
    require_organiser(actor, judge.hackathon)
    hackathon = lock_hackathon(judge.hackathon_id)
    if hackathon.state in (Hackathon.State.FINISHED, Hackathon.State.CANCELLED):
        raise Conflict(_("This hackathon is over; its panel of judges is kept as it was."))
    judge = Judge.objects.select_for_update().get(pk=judge.pk)
    # Locking the assignments makes a scorecard being saved right now either land
    # first (and the removal is refused) or find its assignment gone.
    list(JudgeAssignment.objects.select_for_update().filter(judge=judge).values_list("id", flat=True))
    if Score.objects.filter(assignment__judge=judge).exists():
        raise Conflict(_("This judge has already given scores and cannot be removed; their scores count."))
    judge.delete()  # cascades to their (unscored) assignments


@transaction.atomic
def judges_assign(*, actor, hackathon: Hackathon) -> int:
    """Organisers hand submissions that arrived late (or new judges) out again."""
    require_organiser(actor, hackathon)
    if fresh(hackathon).state != Hackathon.State.JUDGING:
        raise Conflict(_("Submissions are assigned to judges once judging starts."))
    return assignments_create(hackathon=hackathon)


def assignments_create(*, hackathon: Hackathon) -> int:
    """Assign every judge every submission except their own team's (idempotent)."""
    judges = list(hackathon.judges.select_related("user"))
    submissions = list(hackathon.submissions.all())
    members = set(
        TeamMembership.objects.filter(hackathon=hackathon).values_list("team_id", "user_id")
    )
    existing = set(
        JudgeAssignment.objects.filter(judge__hackathon=hackathon).values_list("judge_id", "submission_id")
    )
    new = [
        JudgeAssignment(judge=judge, submission=submission)
        for judge in judges
        for submission in submissions
        if (submission.team_id, judge.user_id) not in members and (judge.id, submission.id) not in existing
    ]
    JudgeAssignment.objects.bulk_create(new, ignore_conflicts=True)
    notified = {a.judge_id for a in new}
    if notified:
        events.emit(
            events.JUDGE_ASSIGNED, hackathon, [j.user for j in judges if j.id in notified],
            title=lambda: _("Submissions of %(title)s are waiting for your scores") % {"title": hackathon.title},
            url=f"/hackathons/{hackathon.slug}/judging/",
        )
    return len(new)


@transaction.atomic
def scorecard_submit(*, user, submission: Submission, scores: dict[int, tuple[int, str]]) -> list[Score]:
    """A judge's marks for every criterion of one submission: {criterion_id: (value, comment)}."""
    hackathon = Hackathon.objects.get(pk=submission.hackathon_id)  # fresh state, not a cached one
    judge = permissions.judge_for(user, hackathon)
    if judge is None:
        raise NotAllowed(_("Only judges of this hackathon can score."))
    if permissions.has_conflict_of_interest(user, submission):
        raise NotAllowed(_("You cannot score a team you belong to."))
    assignment = JudgeAssignment.objects.select_for_update().filter(judge=judge, submission=submission).first()
    if assignment is None:
        raise NotAllowed(_("This submission is not assigned to you."))
    if hackathon.state != Hackathon.State.JUDGING:
        raise Conflict(_("Scores can only be given while the hackathon is being judged."))
    criteria = list(hackathon.criteria.all())
    errors = {}
    for criterion in criteria:
        value, _comment = scores.get(criterion.id, (None, ""))
        if value is None or not isinstance(value, int):
            errors[f"criterion_{criterion.id}"] = [_("Give a score.")]
        elif not 0 <= value <= criterion.max_score:
            errors[f"criterion_{criterion.id}"] = [
                _("The score goes from 0 to %(max)s.") % {"max": criterion.max_score}
            ]
    if errors:
        raise InvalidInput(errors=errors)
    saved = []
    for criterion in criteria:
        value, comment = scores[criterion.id]
        score, _created = Score.objects.update_or_create(
            assignment=assignment, criterion=criterion, defaults={"value": value, "comment": comment.strip()}
        )
        saved.append(score)
    return saved
