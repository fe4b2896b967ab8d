"""Checks on profile fields shared by the services (forms and API both end there)."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from apps.accounts.handles import HANDLE_RE, RESERVED_HANDLES

HF_USERNAME_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,94}[A-Za-z0-9])?$")
GITHUB_USERNAME_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$")
ORCID_RE = re.compile(r"^(\d{4})-?(\d{4})-?(\d{4})-?(\d{3}[\dX])$")


def orcid_check_character(first_15_digits: str) -> str:
    """ISO 7064 MOD 11-2 check character of the first 15 digits of an ORCID iD."""
    total = 0
    for char in first_15_digits:
        total = (total + int(char)) * 2
    check = (12 - total % 11) % 11
    return "X" if check == 10 else str(check)


def orcid_checksum_valid(digits: str) -> bool:
    return len(digits) == 16 and digits[15] == orcid_check_character(digits[:15])


def normalise_orcid(value: str) -> str:
    """'0000000218250097' or an orcid.org URL → '0000-0002-1825-0097', or ValidationError."""
    value = (value or "").strip().upper()
    for prefix in ("HTTPS://ORCID.ORG/", "HTTP://ORCID.ORG/", "ORCID.ORG/"):
        if value.startswith(prefix):
            value = value[len(prefix):]
    match = ORCID_RE.match(value)
    if not match:
        raise ValidationError(_("An ORCID iD has 16 characters: 0000-0002-1825-0097."))
    digits = "".join(match.groups())
    if not orcid_checksum_valid(digits):
        raise ValidationError(_("This ORCID iD has a typo: its check digit does not match."))
    return "-".join(match.groups())


def clean_handle(value: str) -> str:
    value = (value or "").strip().lstrip("@")
    if not HANDLE_RE.match(value):
        raise ValidationError(
            _("Use 3 to 40 letters, digits or hyphens, starting and ending with a letter or digit.")
        )
    if value.lower() in RESERVED_HANDLES:
        raise ValidationError(_("This handle is reserved. Please choose another one."))
    return value


def clean_hf_username(value: str) -> str:
    value = (value or "").strip().removeprefix("https://huggingface.co/").strip("/")
    if value and not HF_USERNAME_RE.match(value):
        raise ValidationError(_("Enter a Hugging Face username, such as 'bigscience'."))
    return value


def clean_github_username(value: str) -> str:
    value = (value or "").strip().removeprefix("https://github.com/").strip("/")
    if value and not GITHUB_USERNAME_RE.match(value):
        raise ValidationError(_("Enter a GitHub username: letters, digits and single hyphens."))
    return value


def clean_website(value: str) -> str:
    value = (value or "").strip()
    if value:
        URLValidator(schemes=["http", "https"], message=_("Enter a web address starting with https://."))(value)
    return value
