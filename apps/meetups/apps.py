from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetupsConfig(AppConfig):
    name = "apps.meetups"
    verbose_name = _("Meetups")

    def ready(self):
        from apps.accounts.personal_data import register as register_personal_data
        from apps.hub.references import register_reference_source
        from apps.meetups import data_rights
        from apps.meetups.hub_references import talks_presenting
        from apps.meetups.profile_sections import talks_section
        from apps.profiles.sections import register_profile_section

        register_reference_source("meetups", talks_presenting)
        register_profile_section("meetups", talks_section)
        register_personal_data(data_rights.PERSONAL_DATA)

        from apps.core.summaries import invalidate_on_change
        from apps.meetups.models import Talk, TalkRepository

        invalidate_on_change("meetups", [Talk, TalkRepository])  # talks on profiles and repository pages

        from apps.meetups.audiences import CHAPTER_MEMBERS, MEETUP_ATTENDEES
        from apps.notifications.audiences import register as register_audience

        register_audience(MEETUP_ATTENDEES)
        register_audience(CHAPTER_MEMBERS)
