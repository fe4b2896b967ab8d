from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProfilesConfig(AppConfig):
    name = "apps.profiles"
    verbose_name = _("Talent profiles")

    def ready(self):
        from apps.profiles import receivers  # noqa: F401 - connects the sign-up hook
