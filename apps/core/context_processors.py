from django.conf import settings

from apps.core.navigation import main_navigation


def site(request):
    """Site name and main navigation for the base layout."""
    return {
        "site_name": settings.SITE_NAME,
        "main_navigation": main_navigation(request),
    }
