from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from apps.accounts.views import language_set
from apps.core.views import public_media

urlpatterns = [
    path("", include("apps.core.urls")),
    path("accounts/", include("apps.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("notifications/", include("apps.notifications.urls")),
    path("compute/", include("apps.compute.urls")),
    path("talent/", include("apps.profiles.urls")),
    path("hackathons/", include("apps.hackathons.urls")),
    path("chat/", include("apps.chat.urls")),
    path("meetups/", include("apps.meetups.urls")),
    path("i18n/setlang/", language_set, name="set_language"),
    path("admin/", admin.site.urls),
    path("models/", include("apps.hub.urls")),
    path("transparency/", include("apps.transparency.urls")),
    path("api/", include("community.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file, so the CSP needs no inline scripts.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

if settings.SERVE_MEDIA:
    # Public uploads (avatars, hackathon covers). Private files never live under MEDIA_ROOT:
    # they have their own permission-checked views. See docs/operations.md, "Security".
    urlpatterns += [re_path(r"^media/(?P<path>.+)$", public_media, name="media")]
