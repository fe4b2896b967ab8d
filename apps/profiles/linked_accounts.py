"""Hugging Face and GitHub accounts on profiles, trusted only when proven by logging in there.

A member connects the account through its OAuth/OIDC login (allauth, with PKCE). The username
that login reports is the proof; a username typed in the profile form that differs from it is
kept and shown as unverified, but is never tracked in the Hub catalogue, listed under a
repository's people or allowed to trigger syncs.
"""

from allauth.socialaccount.models import SocialAccount

HUGGING_FACE = "huggingface"  # the provider_id of the OpenID Connect app in settings
GITHUB = "github"
# The field of each provider's user data that holds the username.
USERNAME_CLAIMS = {HUGGING_FACE: "preferred_username", GITHUB: "login"}


def proven_usernames(user) -> dict[str, str]:
    """{provider: username} for the accounts this member has logged in with."""
    result = {}
    for account in SocialAccount.objects.filter(user=user, provider__in=USERNAME_CLAIMS):
        username = (account.extra_data or {}).get(USERNAME_CLAIMS[account.provider])
        if username:
            result[account.provider] = str(username)
    return result


def verification_apply(profile, proven: dict[str, str]) -> None:
    """Fill empty usernames from proven logins and mark each as verified or not (no save)."""
    for provider, field, flag in ((HUGGING_FACE, "hf_username", "hf_verified"),
                                  (GITHUB, "github_username", "github_verified")):
        login = proven.get(provider, "")
        if login and not getattr(profile, field):
            setattr(profile, field, login)
        typed = getattr(profile, field)
        setattr(profile, flag, bool(login) and typed.lower() == login.lower())
