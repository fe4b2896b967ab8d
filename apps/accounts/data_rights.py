"""The account's own part of members' data rights, and the links to a person held by the
libraries accounts brings in. Deleting the account row itself is `services.account_delete`'s
last step, after every app's part."""

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.contrib.admin.models import LogEntry
from rest_framework.authtoken.models import Token, TokenProxy

from apps.accounts import personal_data as pd
from apps.accounts.models import ApiToken, MemberSession


def account_export(user) -> dict:
    return {
        "account": {
            "username": user.username,
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
            "email_addresses": list(EmailAddress.objects.filter(user=user).values("email", "verified", "primary")),
        },
    }


PERSONAL_DATA = pd.PersonalData(
    app="accounts",
    rules=[
        (ApiToken, "user", pd.DELETED, "every API token ends with the account"),
        (Token, "user", pd.DELETED, "legacy keys (migrated to ApiToken)"),
        (TokenProxy, "user", pd.DELETED, "legacy keys (migrated to ApiToken)"),
        (MemberSession, "user", pd.DELETED, "every device's session ends with the account"),
        (EmailAddress, "user", pd.DELETED, "addresses are personal"),
        (SocialAccount, "user", pd.DELETED, "linked GitHub / Hugging Face logins"),
        (LogEntry, "user", pd.KEPT, "staff audit trail of admin changes"),
    ],
    export=account_export,
)
