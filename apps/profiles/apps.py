from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProfilesConfig(AppConfig):
    name = "apps.profiles"
    verbose_name = _("Talent profiles")

    def ready(self):
        from apps.accounts.personal_data import register as register_personal_data
        from apps.core.summaries import invalidate_on_change
        from apps.hub.references import register_reference_source
        from apps.profiles import data_rights, receivers  # noqa: F401 - receivers connect the sign-up hook
        from apps.profiles.hub_references import profiles_owning
        from apps.profiles.models import Profile, ProfileLanguage, ProfileSkill, Skill

        register_reference_source("profiles", profiles_owning)
        invalidate_on_change("profiles", [Profile, ProfileSkill, ProfileLanguage, Skill])
        register_personal_data(data_rights.PERSONAL_DATA)
