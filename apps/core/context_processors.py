from django.conf import settings

from apps.core.navigation import main_navigation


def site(request):
    """Site name, contact address and main navigation for the base layout."""
    return {
        "site_name": settings.SITE_NAME,
        "contact_email": settings.CONTACT_EMAIL,
        "main_navigation": main_navigation(request),
    }
