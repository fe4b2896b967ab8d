from django.db.models import Count, QuerySet
from django.utils.translation import gettext_lazy as _

from apps.core.errors import InvalidInput, NotAllowed
from apps.notifications.audiences import audience_recipients, provider_for
from apps.notifications.groups import ALL_EMAIL, GROUPS, group_of
from apps.notifications.models import DigestSchedule, EmailPreference, Notification


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


def unread_counts(*, user_ids) -> dict[int, int]:
    """Unread notifications of each of `user_ids`, in one query (for the live badges)."""
    rows = (
        Notification.objects.filter(recipient_id__in=list(user_ids), read_at__isnull=True)
        .values("recipient_id")
        .annotate(unread=Count("pk"))
        .values_list("recipient_id", "unread")
    )
    return dict(rows)


def email_opted_out_user_ids(*, user_ids, kind: str) -> set[int]:
    """Which of `user_ids` want no e-mail of its own for `kind` (off, or in the digest)."""
    return set(
        EmailPreference.objects.filter(user_id__in=list(user_ids), group__in=[ALL_EMAIL, group_of(kind)])
        .exclude(mode=EmailPreference.Mode.EMAIL)
        .values_list("user_id", flat=True)
    )


def email_opt_outs(*, user_ids) -> dict[int, set[str]]:
    """The groups each of `user_ids` wants no e-mail of its own for, in one query."""
    groups: dict[int, set[str]] = {}
    rows = (
        EmailPreference.objects.filter(user_id__in=list(user_ids))
        .exclude(mode=EmailPreference.Mode.EMAIL)
        .values_list("user_id", "group")
    )
    for user_id, group in rows:
        groups.setdefault(user_id, set()).add(group)
    return groups


def email_settings(*, user) -> dict:
    """The member's own settings: every e-mail on or off, each group's mode, the digest."""
    modes = dict(EmailPreference.objects.filter(user=user).values_list("group", "mode"))
    schedule = DigestSchedule.objects.filter(user=user).values_list("frequency", flat=True).first()
    group_modes = {group: modes.get(group, EmailPreference.Mode.EMAIL) for group in GROUPS}
    return {
        "email_enabled": modes.get(ALL_EMAIL) != EmailPreference.Mode.OFF,
        "groups": {group: mode != EmailPreference.Mode.OFF for group, mode in group_modes.items()},
        "modes": group_modes,
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
