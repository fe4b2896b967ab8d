from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HubConfig(AppConfig):
    name = "apps.hub"
    verbose_name = _("Hugging Face Hub catalogue")

    def ready(self):
        from apps.hub import data_rights  # connects its account-deletion receiver

        data_rights.declare_rules()
