"""Where an error page sends people back to: where they came from, else the section they are in."""

from urllib.parse import urlsplit

from django import template
from django.urls import reverse
from django.utils.translation import gettext as _

from apps.core.navigation import main_navigation

register = template.Library()


@register.simple_tag(takes_context=True)
def way_back(context) -> dict:
    """{"url", "label"}: the previous page on this site, the current section, or the home page."""
    request = context.get("request")
    if request is None:
        return {"url": reverse("home"), "label": _("Back to the home page")}
    referer = urlsplit(request.META.get("HTTP_REFERER", ""))
    if referer.path and referer.netloc == request.get_host() and referer.path != request.path:
        path = referer.path + (f"?{referer.query}" if referer.query else "")
        return {"url": path, "label": _("Back to the previous page")}
    for item in main_navigation(request):
        if item["url"] and request.path.startswith(item["url"]) and request.path != item["url"]:
            return {"url": item["url"], "label": _("Back to %(section)s") % {"section": item["label"]}}
    return {"url": reverse("home"), "label": _("Back to the home page")}
