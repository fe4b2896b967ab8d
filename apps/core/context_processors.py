from django.conf import settings

from apps.core.navigation import current_section, main_navigation


def site(request):
    """Site name, contact address and main navigation for the base layout."""
    navigation = main_navigation(request)
    return {
        "site_name": settings.SITE_NAME,
        "contact_email": settings.CONTACT_EMAIL,
        "main_navigation": navigation,
        "navigation_section": current_section(navigation),
    }
