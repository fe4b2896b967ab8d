from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "apps.notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from apps.core.metrics import register_scrape_collector
        from apps.notifications.metrics import DeliveriesByStatus

        register_scrape_collector(DeliveriesByStatus())
