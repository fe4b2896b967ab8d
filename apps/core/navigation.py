"""The main navigation; sections appear as links once their app is installed."""

from functools import lru_cache

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.translation import gettext_lazy as _

SECTIONS = [
    ("talent", _("Talent"), "profiles:search"),
    ("hackathons", _("Hackathons"), "hackathons:list"),
    ("meetups", _("Meetups"), "meetups:list"),
    ("compute", _("Compute"), "compute:call-list"),
    ("models", _("Models"), "hub:catalogue"),
    ("transparency", _("Public money"), "transparency:register"),
]


@lru_cache(maxsize=8)
def _section_urls(urlconf, prefix) -> tuple:
    """Each section's URL, or None while it is not built yet: reversed once per process,
    not on every page (the URLs change only with the code)."""
    urls = []
    for key, label, url_name in SECTIONS:
        try:
            urls.append((key, label, reverse(url_name, urlconf=urlconf)))
        except NoReverseMatch:
            urls.append((key, label, None))
    return tuple(urls)


@receiver(setting_changed)
def _forget_section_urls(**kwargs):
    _section_urls.cache_clear()


def main_navigation(request) -> list[dict]:
    """Each section with its URL (None while the section is not built yet) and whether it is current."""
    return [
        {"key": key, "label": label, "url": url, "current": bool(url) and request.path.startswith(url)}
        for key, label, url in _section_urls(get_urlconf(), get_script_prefix())
    ]


def current_section(navigation: list[dict]) -> str:
    """The key of the section `navigation` marks current, or "" outside every section."""
    return next((item["key"] for item in navigation if item["current"]), "")
