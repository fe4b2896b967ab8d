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

        from apps.compute import demo
        from apps.compute.my_community import compute_part
        from apps.compute.selectors import gpu_hours_numbers
        from apps.core.demo import register_demo_seeder
        from apps.core.my_community import register_my_community_source
        from apps.core.selectors import register_platform_numbers

        register_platform_numbers("compute", gpu_hours_numbers, topics=("compute",))
        register_my_community_source("compute", compute_part)
        register_demo_seeder("compute", demo.seed, after=("hub",))
