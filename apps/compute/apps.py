from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComputeConfig(AppConfig):
    name = "apps.compute"
    verbose_name = _("Public compute")

    def ready(self):
        from apps.compute import data_rights  # connects its account-deletion and export receivers
        from apps.compute.hub_references import grants_promising
        from apps.hub.references import register_reference_source

        register_reference_source("compute", grants_promising)
        data_rights.declare_rules()
