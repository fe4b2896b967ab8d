from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TransparencyConfig(AppConfig):
    name = "apps.transparency"
    verbose_name = _("Public money and adoption")
