"""The account area: every setting a member has, on one page and in one sub-navigation.

A section appears once its page exists (its URL name or path resolves), so pages built by
other apps (API tokens) join the area without changes here.
"""

from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils.translation import gettext_lazy as _

# key, label, description, URL name or path
SECTIONS = [
    ("profile", _("Profile"), _("Your public talent profile: skills, languages, links."), "profiles:edit"),
    ("email", _("E-mail addresses"), _("Add, verify and choose your main address."), "account_email"),
    ("password", _("Password"), _("Change your password."), "account_change_password"),
    ("linked", _("Linked accounts"), _("Hugging Face, GitHub and other accounts you sign in with."),
     "socialaccount_connections"),
    ("notifications", _("Notification settings"), _("What we e-mail you about."), "notifications:settings"),
    ("calendar", _("Meetup calendar"), _("A private calendar address with the meetups you go to."),
     "meetups:my-calendar"),
    ("tokens", _("API tokens"), _("Tokens for scripts that use the API, with their expiry."), "/accounts/tokens/"),
    ("data", _("Your data and account"), _("Download everything we hold about you, or delete your account."),
     "profiles:account"),
]


def _url(target: str) -> str | None:
    if target.startswith("/"):
        try:
            resolve(target)
        except Resolver404:
            return None
        return target
    try:
        return reverse(target)
    except NoReverseMatch:
        return None


def account_sections(request) -> list[dict]:
    """The sections whose pages exist, each marked current when the member is on it."""
    sections = []
    for key, label, description, target in SECTIONS:
        url = _url(target)
        if url:
            sections.append({"key": key, "label": label, "description": description, "url": url,
                             "current": request.path == url})
    return sections
