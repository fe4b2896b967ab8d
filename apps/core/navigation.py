"""The main navigation; sections appear as links once their app is installed."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

SECTIONS = [
    ("talent", _("Talent"), "profiles:search"),
    ("hackathons", _("Hackathons"), "hackathons:list"),
    ("meetups", _("Meetups"), "meetups:list"),
    ("compute", _("Compute"), "compute:call-list"),
    ("models", _("Models"), "hub:catalogue"),
    ("transparency", _("Public money"), "transparency:register"),
]


def main_navigation(request) -> list[dict]:
    """Each section with its URL, or None while the section is not built yet."""
    items = []
    for key, label, url_name in SECTIONS:
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            url = None
        current = bool(url) and request.path.startswith(url)
        items.append({"key": key, "label": label, "url": url, "current": current})
    return items
