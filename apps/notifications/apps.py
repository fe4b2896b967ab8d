from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "apps.notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from apps.accounts.personal_data import register as register_personal_data
        from apps.core.metrics import register_scrape_collector
        from apps.notifications import data_rights
        from apps.notifications.metrics import DeliveriesByStatus

        register_personal_data(data_rights.PERSONAL_DATA)
        register_scrape_collector(DeliveriesByStatus())
