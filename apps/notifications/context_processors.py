from apps.notifications.selectors import unread_count


def unread_notifications(request):
    """The unread badge in the header (one cheap indexed count for members)."""
    if not request.user.is_authenticated:
        return {}
    return {"unread_notifications": unread_count(user=request.user)}
