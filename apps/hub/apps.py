from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HubConfig(AppConfig):
    name = "apps.hub"
    verbose_name = _("Hugging Face Hub catalogue")

    def ready(self):
        from apps.accounts.personal_data import register as register_personal_data
        from apps.core.summaries import invalidate_on_change
        from apps.hub import data_rights
        from apps.hub.models import HubRepository

        # The sync writes in bulk (no signals) and invalidates "hub" itself.
        invalidate_on_change("hub", [HubRepository])
        register_personal_data(data_rights.PERSONAL_DATA)
