from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComputeConfig(AppConfig):
    name = "apps.compute"
    verbose_name = _("Public compute")

    def ready(self):
        from apps.accounts.personal_data import register as register_personal_data
        from apps.compute import data_rights, models  # data_rights also links pending collaborators on sign-up
        from apps.compute.hub_references import grants_promising
        from apps.core.summaries import invalidate_on_change
        from apps.hub.references import register_reference_source

        register_reference_source("compute", grants_promising)
        invalidate_on_change("compute", [
            models.Resource, models.Call, models.AllocationRequest, models.Grant, models.UsageRecord,
            models.ExpectedOutput,
        ])
        register_personal_data(data_rights.PERSONAL_DATA)
