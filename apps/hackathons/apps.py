from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HackathonsConfig(AppConfig):
    name = "apps.hackathons"
    verbose_name = _("Hackathons")

    def ready(self):
        from apps.accounts.personal_data import register as register_personal_data
        from apps.core.summaries import invalidate_on_change
        from apps.hackathons import data_rights
        from apps.hackathons.models import Hackathon, Registration, Submission, SubmissionRepository, Team, Track
        from apps.hackathons.hub_references import submissions_using
        from apps.hub.references import register_reference_source

        register_reference_source("hackathons", submissions_using)
        # What public pages show of hackathons: lists with participant counts, submissions on
        # profiles and repository pages (apps/core/visitor_cache.py).
        invalidate_on_change("hackathons", [Hackathon, Track, Registration, Team, Submission, SubmissionRepository])
        register_personal_data(data_rights.PERSONAL_DATA)

        from apps.hackathons.audiences import HACKATHON_PARTICIPANTS
        from apps.notifications.audiences import register as register_audience

        register_audience(HACKATHON_PARTICIPANTS)
