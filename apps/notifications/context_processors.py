from apps.notifications.selectors import unread_count


def unread_notifications(request):
    """The unread badge in the header: counted with the session where it loaded the member
    (`apps.accounts.sessions`), else one cheap indexed count."""
    user = request.user
    if not user.is_authenticated:
        return {}
    counted = getattr(user, "unread_notifications", None)
    return {"unread_notifications": counted if counted is not None else unread_count(user=user)}
