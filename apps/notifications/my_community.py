"""Notifications' share of "My community": the latest unread ones."""

from apps.core.my_community import MyCommunityPart
from apps.notifications.selectors import notification_list


def notifications_part(*, user, now, horizon) -> MyCommunityPart:
    return MyCommunityPart({"unread": list(notification_list(user=user, unread_only=True)[:5])})
