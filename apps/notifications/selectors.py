from collections.abc import Iterable

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _

from apps.core.errors import InvalidInput, NotAllowed
from apps.notifications.audiences import audience_recipients, provider_for
from apps.notifications.kinds import ALL_EMAIL, KINDS, default_mode
from apps.notifications.models import DigestSchedule, Notification, NotificationPreference, ScheduledAnnouncement

Mode = NotificationPreference.Mode


def notification_list(*, user, unread_only: bool = False, group: str = "") -> QuerySet[Notification]:
    """A member's own notifications, newest first; nobody else's are ever visible."""
    queryset = Notification.objects.filter(recipient=user)
    if unread_only:
        queryset = queryset.filter(read_at__isnull=True)
    if group:
        queryset = queryset.filter(kind__startswith=f"{group}.")
    return queryset


def unread_count(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def unread_count_of(user_field: str):
    """`unread_count` of the user in `user_field`, as an expression: read in the same
    statement as that row (the session's member, `apps.accounts.sessions`)."""
    unread = (
        Notification.objects.filter(recipient=OuterRef(user_field), read_at__isnull=True)
        .order_by()
        .values("recipient")
        .annotate(unread=Count("pk"))
        .values("unread")
    )
    return Coalesce(Subquery(unread), 0)


def unread_counts(*, user_ids) -> dict[int, int]:
    """Unread notifications of each of `user_ids`, in one query (for the live badges)."""
    rows = (
        Notification.objects.filter(recipient_id__in=list(user_ids), read_at__isnull=True)
        .values("recipient_id")
        .annotate(unread=Count("pk"))
        .values_list("recipient_id", "unread")
    )
    return dict(rows)


def notification_modes(*, user_ids: Iterable[int], kinds: Iterable[str]) -> dict[tuple[int, str], str]:
    """How each of `kinds` reaches each of `user_ids`, in one query whatever the batch.

    A member's own choice, else the kind's default; `off` for everything when the member
    switched every e-mail off.
    """
    user_ids, kinds = set(user_ids), set(kinds)
    chosen = {
        (user_id, kind): mode
        for user_id, kind, mode in NotificationPreference.objects.filter(
            user_id__in=list(user_ids), kind__in=[*kinds, ALL_EMAIL]
        ).values_list("user_id", "kind", "mode")
    }
    return {
        (user_id, kind): (
            Mode.OFF if chosen.get((user_id, ALL_EMAIL)) == Mode.OFF else chosen.get((user_id, kind), default_mode(kind))
        )
        for user_id in user_ids
        for kind in kinds
    }


def email_settings(*, user) -> dict:
    """The member's own settings: every e-mail on or off, each kind's mode, the digest."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "mode"))
    schedule = DigestSchedule.objects.filter(user=user).values_list("frequency", flat=True).first()
    return {
        "email_enabled": chosen.get(ALL_EMAIL) != Mode.OFF,
        "modes": {key: chosen.get(key, kind.default) for key, kind in KINDS.items()},
        "digest": schedule or DigestSchedule.Frequency.DAILY,
        "time_zone": user.preferred_time_zone,
    }


def announcement_audience(*, user, audience: str, params: dict) -> dict:
    """What an announcement would reach, for the preview: a description and a head count."""
    provider = provider_for(audience)
    if not provider.can_announce(user, params):
        raise NotAllowed()
    return {
        "label": provider.describe(params),
        "count": audience_recipients(audience, params).count(),
        "subsets": provider.subsets,
    }


def announcement_params(*, audience: str, query, subset: str = "") -> dict:
    """The parameters of an audience taken from a query string (only the keys it reads),
    with `subset` when one is asked for and the audience has it."""
    provider = provider_for(audience)
    params = {key: query[key] for key in provider.query_params if query.get(key)}
    if subset:
        if subset not in provider.subsets:
            raise InvalidInput(errors={"subset": [_("This audience has no such group.")]})
        params["subset"] = subset
    return params


def scheduled_announcements(*, user, audience: str, params: dict):
    """Announcements still to go to an audience (an event's people in every subset), for whoever
    may address it; nothing for anyone else."""
    if not provider_for(audience).can_announce(user, params):
        return ScheduledAnnouncement.objects.none()
    # Each parameter compared by key (not `__contains`, which SQLite, the embedded default, lacks).
    same_params = [Exact(KeyTextTransform(key, "audience_params"), str(value)) for key, value in params.items()]
    return (
        ScheduledAnnouncement.objects.filter(
            *same_params, audience=audience, state=ScheduledAnnouncement.State.SCHEDULED,
        ).order_by("send_at", "pk")
    )
