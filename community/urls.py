from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from apps.accounts.views import account_home, language_set
from apps.core.views import public_media

# The admin speaks the platform's name and language, not "Django administration".
admin.site.site_header = format_lazy(_("{site} · administration"), site=settings.SITE_NAME)
admin.site.site_title = format_lazy(_("{site} · administration"), site=settings.SITE_NAME)
admin.site.index_title = _("Data of the platform")

urlpatterns = [
    path("", include("apps.core.urls")),
    path("accounts/settings/", account_home, name="account-home"),
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

handler404 = "apps.core.views.not_found"
handler500 = "apps.core.views.server_error"
