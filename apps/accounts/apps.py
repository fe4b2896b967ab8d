from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    # Not "Accounts": allauth's e-mail addresses already use that name in the admin.
    verbose_name = _("Members and roles")

    def ready(self):
        from allauth.account.models import EmailAddress

        from apps.accounts import data_rights, personal_data, receivers  # noqa: F401 - connects the account hooks
        from apps.accounts.models import User
        from apps.core.summaries import invalidate_on_change

        invalidate_on_change("accounts", [User, EmailAddress])
        personal_data.register(data_rights.PERSONAL_DATA)
        post_migrate.connect(receivers.name_the_site, sender=self, dispatch_uid="accounts.name_the_site")
