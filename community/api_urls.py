"""Every app's REST API under /api/."""

from django.urls import include, path

urlpatterns = [
    path("", include("apps.core.api_urls")),
    path("", include("apps.accounts.api_urls")),
    path("", include("apps.notifications.api_urls")),
    path("", include("apps.hub.api_urls")),
    path("", include("apps.compute.api_urls")),
    path("", include("apps.profiles.api_urls")),
    path("", include("apps.hackathons.api_urls")),
    path("", include("apps.chat.api_urls")),
    path("", include("apps.transparency.api_urls")),
    path("", include("apps.meetups.api_urls")),
]
