from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProfilesConfig(AppConfig):
    name = "apps.profiles"
    verbose_name = _("Talent profiles")

    def ready(self):
        from apps.accounts.adapter import register_next_step
        from apps.accounts.sessions import read_with_the_session
        from apps.accounts.personal_data import register as register_personal_data
        from apps.core.demo import register_demo_seeder
        from apps.core.my_community import register_my_community_source
        from apps.core.selectors import register_platform_numbers
        from apps.core.summaries import invalidate_on_change
        from apps.hub.references import register_reference_source
        from apps.profiles import data_rights, demo, receivers  # noqa: F401 - receivers connect the sign-up hook
        from apps.profiles.hub_references import profiles_owning
        from apps.profiles.models import Profile, ProfileLanguage, ProfileSkill, Skill
        from apps.profiles.my_community import profiles_part
        from apps.profiles.selectors import first_steps_next, own_unlisted_of, profile_numbers

        register_reference_source("profiles", profiles_owning)
        invalidate_on_change("profiles", [Profile, ProfileSkill, ProfileLanguage, Skill])
        register_personal_data(data_rights.PERSONAL_DATA)
        register_my_community_source("profiles", profiles_part)
        register_next_step(first_steps_next)
        register_platform_numbers("profiles", profile_numbers, topics=("profiles",))
        register_demo_seeder("profiles", demo.seed)
        # Every list of profiles a member opens adds their own profile if the pool hides it.
        read_with_the_session("own_unlisted_profile_pk", own_unlisted_of("pk"))
        read_with_the_session("own_unlisted_facet_keys", own_unlisted_of("facet_keys"))
