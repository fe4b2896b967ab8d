"""Rules for the links to a person held by accounts and by the libraries it brings in."""

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.contrib.admin.models import LogEntry
from rest_framework.authtoken.models import Token, TokenProxy

from apps.accounts import personal_data as pd
from apps.accounts.models import ApiToken

RULES = [
    (ApiToken, "user", pd.DELETED, "every API token ends with the account"),
    (Token, "user", pd.DELETED, "legacy keys (migrated to ApiToken)"),
    (TokenProxy, "user", pd.DELETED, "legacy keys (migrated to ApiToken)"),
    (EmailAddress, "user", pd.DELETED, "addresses are personal"),
    (SocialAccount, "user", pd.DELETED, "linked GitHub / Hugging Face logins"),
    (LogEntry, "user", pd.KEPT, "staff audit trail of admin changes"),
]


def declare_rules() -> None:
    pd.declare_all(RULES)
