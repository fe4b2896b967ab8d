from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChatConfig(AppConfig):
    name = "apps.chat"
    verbose_name = _("Chat")

    def ready(self):
        from apps.accounts.personal_data import register as register_personal_data
        from apps.chat import data_rights
        from apps.chat.kinds import hackathons, meetups

        hackathons.register()
        meetups.register()
        register_personal_data(data_rights.PERSONAL_DATA)
