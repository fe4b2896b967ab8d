from django import template

from apps.notifications import selectors

register = template.Library()


@register.inclusion_tag("notifications/_scheduled.html", takes_context=True)
def scheduled_announcements(context, audience: str, params=None, **more):
    """The announcements still to go to an event's people (whatever group of them each picked),
    with a way to cancel each; shown on the organiser's dashboard and on the announcement page."""
    request = context["request"]
    params = {key: str(value) for key, value in {**(params or {}), **more}.items() if key != "subset"}
    return {
        "announcements": list(selectors.scheduled_announcements(user=request.user, audience=audience, params=params)),
        "back": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
    }
