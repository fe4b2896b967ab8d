"""Members' data rights in hackathons: their part of the personal-data download, and what
happens to their registrations when they delete their account."""

from apps.accounts import personal_data as pd
from apps.core.errors import ApplicationError
from apps.hackathons.models import (
    Hackathon,
    HackathonTransition,
    Judge,
    Registration,
    Score,
    Submission,
    Team,
    TeamInvitation,
    TeamMembership,
)

State = Hackathon.State
NOT_OVER = (State.DRAFT, State.PUBLISHED, State.REGISTRATION_OPEN, State.IN_PROGRESS, State.JUDGING)


def _iso(moment):
    return moment.isoformat() if moment else None


def hackathons_export(user) -> dict:
    registrations = Registration.objects.filter(user=user).select_related("hackathon").order_by("created_at", "id")
    memberships = TeamMembership.objects.filter(user=user).select_related("team", "hackathon").order_by("joined_at", "id")
    scores = Score.objects.filter(assignment__judge__user=user).select_related(
        "criterion", "assignment__submission__hackathon"
    ).order_by("id")
    return {"hackathons": {
        "registrations": [
            {
                "hackathon": r.hackathon.slug, "status": r.status, "motivation": r.motivation,
                "looking_for": r.looking_for, "decision_reason": r.decision_reason,
                "agreed_at": _iso(r.agreed_at), "checked_in_at": _iso(r.checked_in_at), "created_at": _iso(r.created_at),
            }
            for r in registrations
        ],
        "teams": [
            {"hackathon": m.hackathon.slug, "team": m.team.name, "joined_at": _iso(m.joined_at)} for m in memberships
        ],
        "team_invitations_received": [
            {"team": team, "status": status, "created_at": _iso(created)}
            for team, status, created in TeamInvitation.objects.filter(invitee=user)
            .order_by("created_at", "id")
            .values_list("team__name", "status", "created_at")
        ],
        "submissions_saved": [
            {"hackathon": slug, "title": title, "updated_at": _iso(updated)}
            for slug, title, updated in Submission.objects.filter(submitted_by=user)
            .order_by("created_at", "id")
            .values_list("hackathon__slug", "title", "updated_at")
        ],
        "scores_given": [
            {
                "hackathon": s.assignment.submission.hackathon.slug, "submission": s.assignment.submission.title,
                "criterion": s.criterion.name, "value": s.value, "comment": s.comment,
            }
            for s in scores
        ],
        "organised": list(user.organised_hackathons.order_by("id").values_list("slug", flat=True)),
    }}


def hackathons_forget(user) -> None:
    """Free their places in hackathons that are not over (the waitlist moves up), drop what
    they wrote about themselves, their pending invitations and unscored judging roles.

    Teams they belonged to, submissions and scores are the teams' and the jury's work:
    they stay, now attributed to the anonymised account. A team that already submitted
    keeps the person if leaving would take it below the minimum size.
    """
    from apps.hackathons.services.registrations import registration_cancel

    for registration in Registration.objects.filter(
        user=user, hackathon__state__in=[State.PUBLISHED, State.REGISTRATION_OPEN, State.IN_PROGRESS],
        status__in=[Registration.Status.PENDING, Registration.Status.CONFIRMED, Registration.Status.WAITLISTED],
    ).select_related("hackathon"):
        try:
            registration_cancel(user=user, hackathon=registration.hackathon)
        except ApplicationError:
            pass  # e.g. their team has submitted and needs them to stay complete
    Registration.objects.filter(user=user).update(motivation="", looking_for="")
    TeamInvitation.objects.filter(invitee=user, status=TeamInvitation.Status.PENDING).update(
        status=TeamInvitation.Status.WITHDRAWN
    )
    Judge.objects.filter(user=user, hackathon__state__in=NOT_OVER).exclude(assignments__scores__isnull=False).delete()


PERSONAL_DATA = pd.PersonalData(
    app="hackathons",
    rules=[
        (Hackathon, "created_by", pd.ANONYMISED, "the event stays"),
        (Hackathon, "organisers", pd.ANONYMISED, "the event's organising record stays"),
        (HackathonTransition, "actor", pd.ANONYMISED, "history of the event"),
        (Registration, "user", pd.ANONYMISED, "places freed where the event is not over; own text cleared"),
        (Registration, "decided_by", pd.ANONYMISED, "organisers' decisions stay"),
        (Team, "created_by", pd.ANONYMISED, "the team is its members' work"),
        (TeamMembership, "user", pd.ANONYMISED, "teams keep their history"),
        (TeamInvitation, "invitee", pd.ANONYMISED, "pending invitations withdrawn"),
        (TeamInvitation, "invited_by", pd.ANONYMISED, "the team's history"),
        (Submission, "submitted_by", pd.ANONYMISED, "the team's work"),
        (Judge, "user", pd.ANONYMISED, "unscored judging roles deleted; scores stay with results"),
        (Judge, "invited_by", pd.ANONYMISED, "organisers' history"),
    ],
    export=hackathons_export,
    forget=hackathons_forget,
)
