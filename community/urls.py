from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from apps.accounts.views import account_home, language_set

# The admin speaks the platform's name and language, not "Django administration".
admin.site.site_header = format_lazy(_("{site} · administration"), site=settings.SITE_NAME)
admin.site.site_title = format_lazy(_("{site} · administration"), site=settings.SITE_NAME)
admin.site.index_title = _("Data of the platform")

urlpatterns = [
    path("", include("apps.core.urls")),
    path("accounts/settings/", account_home, name="account-home"),
    path("accounts/", include("allauth.urls")),
    path("notifications/", include("apps.notifications.urls")),
    path("compute/", include("apps.compute.urls")),
    path("talent/", include("apps.profiles.urls")),
    path("hackathons/", include("apps.hackathons.urls")),
    path("i18n/setlang/", language_set, name="set_language"),
    path("admin/", admin.site.urls),
    path("models/", include("apps.hub.urls")),
    path("api/", include("community.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
