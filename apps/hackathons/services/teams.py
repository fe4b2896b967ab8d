"""Teams: create, invite by handle, accept or decline, join by code, leave.

The maximum team size holds under concurrent joins: every join locks the team row
(`select_for_update`) before counting its members, and the database allows one team
per person per hackathon.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from apps.hackathons import events, permissions
from apps.hackathons.models import Hackathon, Team, TeamInvitation, TeamMembership
from apps.hackathons.selectors import user_by_handle
from apps.hackathons.services.common import fresh, teams_open


def _require_open(hackathon: Hackathon) -> None:
    if not teams_open(hackathon):
        raise Conflict(_("Teams are locked: they can only change while registration or hacking is open."))


def _require_participant(user, hackathon: Hackathon) -> None:
    if not permissions.is_confirmed_participant(user, hackathon):
        raise NotAllowed(_("Only participants with a confirmed registration can be in a team."))


def _add_member(*, user, team: Team) -> TeamMembership:
    """Add `user` to `team` under the team row lock; the caller is inside a transaction."""
    team = Team.objects.select_for_update().select_related("hackathon").get(pk=team.pk)
    hackathon = team.hackathon
    _require_open(hackathon)
    _require_participant(user, hackathon)
    if TeamMembership.objects.filter(hackathon=hackathon, user=user).exists():
        raise Conflict(_("You are already in a team for this hackathon."))
    if team.memberships.count() >= hackathon.max_team_size:
        raise Conflict(
            _("This team is full (%(max)s members at most).") % {"max": hackathon.max_team_size}
        )
    try:
        with transaction.atomic():
            return TeamMembership.objects.create(team=team, hackathon=hackathon, user=user)
    except IntegrityError:
        raise Conflict(_("You are already in a team for this hackathon.")) from None


@transaction.atomic
def team_create(*, user, hackathon: Hackathon, name: str) -> Team:
    hackathon = fresh(hackathon)
    _require_open(hackathon)
    _require_participant(user, hackathon)
    name = name.strip()
    if not name:
        raise InvalidInput(errors={"name": [_("Give your team a name.")]})
    if TeamMembership.objects.filter(hackathon=hackathon, user=user).exists():
        raise Conflict(_("You are already in a team for this hackathon."))
    try:
        with transaction.atomic():
            team = Team.objects.create(hackathon=hackathon, name=name, created_by=user)
    except IntegrityError:
        raise InvalidInput(errors={"name": [_("A team with this name already exists.")]}) from None
    _add_member(user=user, team=team)
    return team


@transaction.atomic
def team_join(*, user, team: Team) -> TeamMembership:
    return _add_member(user=user, team=team)


@transaction.atomic
def team_join_by_code(*, user, hackathon: Hackathon, invite_code: str) -> TeamMembership:
    team = Team.objects.filter(hackathon=hackathon, invite_code=invite_code.strip()).first()
    if team is None:
        raise InvalidInput(errors={"invite_code": [_("No team of this hackathon has that code.")]})
    return _add_member(user=user, team=team)


def _require_member(user, team: Team) -> None:
    if not permissions.is_team_member(user, team):
        raise NotAllowed(_("Only members of the team can do that."))


@transaction.atomic
def team_invite(*, actor, team: Team, handle: str) -> TeamInvitation:
    hackathon = fresh(team.hackathon)
    _require_member(actor, team)
    _require_open(hackathon)
    invitee = user_by_handle(handle, viewer=actor)
    # One message for "no such handle" and "not taking part": participants cannot probe
    # which handles or usernames exist on the platform.
    if invitee is None or not permissions.is_confirmed_participant(invitee, hackathon):
        raise InvalidInput(errors={"handle": [_("No confirmed participant of this hackathon has that handle.")]})
    if TeamMembership.objects.filter(hackathon=hackathon, user=invitee).exists():
        raise InvalidInput(errors={"handle": [_("That person is already in a team.")]})
    try:
        with transaction.atomic():
            invitation = TeamInvitation.objects.create(team=team, invitee=invitee, invited_by=actor)
    except IntegrityError:
        raise InvalidInput(errors={"handle": [_("That person already has an invitation from your team.")]}) from None
    events.emit(
        events.TEAM_INVITATION, hackathon, [invitee],
        title=lambda: _("%(who)s invites you to the team %(team)s") % {"who": actor, "team": team.name},
        body=lambda: _("Hackathon: %(title)s") % {"title": hackathon.title},
        url=f"/hackathons/{hackathon.slug}/team/",
    )
    return invitation


def _pending_invitation(invitation_id: int, **scope) -> TeamInvitation:
    """The pending invitation, locked, within `scope` (its invitee, or its team)."""
    invitation = (
        TeamInvitation.objects.select_for_update()
        .filter(pk=invitation_id, status=TeamInvitation.Status.PENDING, **scope)
        .first()
    )
    if invitation is None:
        raise NotFound(_("This invitation does not exist or was already answered."))
    return invitation


def _close(invitation: TeamInvitation, status: str) -> TeamInvitation:
    invitation.status = status
    invitation.responded_at = timezone.now()
    invitation.save(update_fields=["status", "responded_at"])
    return invitation


@transaction.atomic
def invitation_accept(*, user, invitation_id: int) -> TeamMembership:
    invitation = _pending_invitation(invitation_id, invitee=user)
    membership = _add_member(user=user, team=invitation.team)
    _close(invitation, TeamInvitation.Status.ACCEPTED)
    # Other teams' invitations to this person are moot now.
    TeamInvitation.objects.filter(
        invitee=user, team__hackathon=invitation.team.hackathon_id, status=TeamInvitation.Status.PENDING
    ).update(status=TeamInvitation.Status.WITHDRAWN, responded_at=timezone.now())
    return membership


@transaction.atomic
def invitation_decline(*, user, invitation_id: int) -> TeamInvitation:
    return _close(_pending_invitation(invitation_id, invitee=user), TeamInvitation.Status.DECLINED)


@transaction.atomic
def invitation_withdraw(*, actor, team: Team, invitation_id: int) -> TeamInvitation:
    """A team member takes back a pending invitation of their team.

    The invitee is not notified: the invitation just leaves their list, and answering
    it later says it no longer exists (as after it lapses when they join another team).
    """
    _require_member(actor, team)
    return _close(_pending_invitation(invitation_id, team=team), TeamInvitation.Status.WITHDRAWN)


@transaction.atomic
def team_leave(*, user, team: Team) -> None:
    """Leave a team; the last one out dissolves it. Not below the minimum once it has submitted."""
    team = Team.objects.select_for_update().select_related("hackathon").get(pk=team.pk)
    _require_open(team.hackathon)
    membership = TeamMembership.objects.filter(team=team, user=user).first()
    if membership is None:
        raise NotAllowed(_("You are not in this team."))
    remaining = team.memberships.count() - 1
    if remaining == 0:
        team.delete()
        return
    if team.submissions.exists() and remaining < team.hackathon.min_team_size:
        raise Conflict(
            _("Your team has submitted and needs at least %(min)s members; it cannot lose one now.")
            % {"min": team.hackathon.min_team_size}
        )
    membership.delete()
