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

        from apps.accounts.sessions import read_with_the_session
        from apps.notifications.selectors import unread_count_of

        read_with_the_session("unread_notifications", unread_count_of)  # the header's badge
        register_scrape_collector(DeliveriesByStatus())

        from apps.core.demo import register_demo_context
        from apps.core.my_community import register_my_community_source
        from apps.notifications.my_community import notifications_part
        from apps.notifications.services import emails_withheld

        register_my_community_source("notifications", notifications_part)
        # The demo's people are made up: their story's notifications stay in the app, and no
        # e-mail delivery is recorded for the full stack's mailers to send to invented addresses.
        register_demo_context("notifications", emails_withheld)
