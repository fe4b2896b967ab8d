from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from allauth.account.models import EmailAddress

        from apps.accounts import data_rights, receivers  # noqa: F401 - connects the account hooks
        from apps.accounts.models import User
        from apps.core.summaries import invalidate_on_change

        invalidate_on_change("accounts", [User, EmailAddress])
        data_rights.declare_rules()
