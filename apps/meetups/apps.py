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
        from apps.meetups.models import Chapter, Event, Rsvp, Talk, TalkRepository
        from apps.meetups.selectors import EVENT_LIST_TOPICS

        invalidate_on_change("meetups", [Talk, TalkRepository])  # talks on profiles and repository pages
        invalidate_on_change(*EVENT_LIST_TOPICS, [Event, Chapter, Rsvp])  # the list of events

        from apps.meetups.audiences import CHAPTER_MEMBERS, MEETUP_ATTENDEES
        from apps.notifications.audiences import register as register_audience

        register_audience(MEETUP_ATTENDEES)
        register_audience(CHAPTER_MEMBERS)

        from apps.core.demo import register_demo_seeder
        from apps.core.my_community import register_my_community_source
        from apps.core.selectors import register_platform_numbers
        from apps.meetups import demo
        from apps.meetups.my_community import meetups_part
        from apps.meetups.selectors import meetup_numbers

        # Upcoming meetups follow the clock more than writes: the summary's age bounds them.
        register_platform_numbers("meetups", meetup_numbers)
        register_my_community_source("meetups", meetups_part)
        register_demo_seeder("meetups", demo.seed, after=("hackathons",))
