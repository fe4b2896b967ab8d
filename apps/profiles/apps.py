from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProfilesConfig(AppConfig):
    name = "apps.profiles"
    verbose_name = _("Talent profiles")

    def ready(self):
        from apps.hub.references import register_reference_source
        from apps.profiles import receivers  # noqa: F401 - connects the sign-up hook
        from apps.profiles.hub_references import profiles_owning

        register_reference_source("profiles", profiles_owning)

        from apps.profiles import data_rights

        data_rights.declare_rules()
