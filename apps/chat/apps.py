from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChatConfig(AppConfig):
    name = "apps.chat"
    verbose_name = _("Chat")

    def ready(self):
        from apps.chat import receivers
        from apps.chat.kinds import hackathons, meetups

        hackathons.register()
        meetups.register()
        receivers.declare_personal_data_rules()
