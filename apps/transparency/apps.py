from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TransparencyConfig(AppConfig):
    name = "apps.transparency"
    verbose_name = _("Public money and adoption")

    def ready(self):
        from apps.accounts.personal_data import register as register_personal_data
        from apps.transparency import data_rights

        register_personal_data(data_rights.PERSONAL_DATA)
