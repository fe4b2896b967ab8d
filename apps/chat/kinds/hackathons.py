"""Hackathon rooms (participants, judges, organisers) and team rooms (members; organisers moderate).

Access follows the hackathons app's own permission functions; when a registration or a
team membership ends, the member's open sockets in the affected rooms are re-checked.
"""

from django.db.models.signals import post_delete, post_save

from apps.chat.rooms import register_room_kind
from apps.hackathons import permissions
from apps.hackathons.models import Hackathon, Registration, Team, TeamMembership


def _may_join_hackathon_room(user, hackathon: Hackathon) -> bool:
    if not user.is_authenticated:
        return False
    return (
        permissions.is_organiser(user, hackathon)
        or permissions.is_judge(user, hackathon)
        or permissions.is_confirmed_participant(user, hackathon)
    )


def _team_moderator(user, team: Team) -> bool:
    return permissions.is_organiser(user, team.hackathon)


def _may_join_team_room(user, team: Team) -> bool:
    return permissions.is_team_member(user, team) or _team_moderator(user, team)


def _hackathon_url(hackathon: Hackathon) -> str:
    from django.urls import reverse

    return reverse("hackathons:detail", args=[hackathon.slug])


def _team_url(team: Team) -> str:
    from django.urls import reverse

    return reverse("hackathons:team", args=[team.hackathon.slug])


def _registration_changed(sender, instance: Registration, **kwargs):
    from apps.chat.services import room_access_changed

    room_access_changed(kind="hackathon", object_id=instance.hackathon_id, user_ids=[instance.user_id])


def _membership_changed(sender, instance: TeamMembership, **kwargs):
    from apps.chat.services import room_access_changed

    room_access_changed(kind="team", object_id=instance.team_id, user_ids=[instance.user_id])


def register() -> None:
    register_room_kind(
        "hackathon",
        resolve=lambda object_id: Hackathon.objects.filter(pk=object_id).first(),
        resolve_for=permissions.hackathon_with_roles_of,
        model=Hackathon,
        can_read=_may_join_hackathon_room,
        can_moderate=permissions.is_organiser,
        title=lambda hackathon: hackathon.title,
        url=_hackathon_url,
        moderators=lambda hackathon: hackathon.organisers.all(),
    )
    register_room_kind(
        "team",
        resolve=lambda object_id: Team.objects.select_related("hackathon").filter(pk=object_id).first(),
        model=Team,
        can_read=_may_join_team_room,
        can_moderate=_team_moderator,
        title=lambda team: f"{team.name} · {team.hackathon.title}",
        url=_team_url,
        moderators=lambda team: team.hackathon.organisers.all(),
    )
    post_save.connect(_registration_changed, sender=Registration, dispatch_uid="chat-registration")
    post_delete.connect(_registration_changed, sender=Registration, dispatch_uid="chat-registration-delete")
    post_save.connect(_membership_changed, sender=TeamMembership, dispatch_uid="chat-membership")
    post_delete.connect(_membership_changed, sender=TeamMembership, dispatch_uid="chat-membership-delete")
