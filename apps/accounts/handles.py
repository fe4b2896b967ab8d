"""The handle a member chooses at sign-up (`User.username`): how others find and @mention them.

Talent profiles start from it, so the same rules hold for both.
"""

import re

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

HANDLE_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,38}[a-z0-9])$", re.IGNORECASE)
# Handles that would clash with the pages under /talent/.
RESERVED_HANDLES = {"me", "contacts", "export", "search", "settings", "admin", "api", "new"}

# ACCOUNT_USERNAME_VALIDATORS: what the sign-up form accepts.
validators = [
    RegexValidator(
        HANDLE_RE,
        _("Use 3 to 40 letters, digits or hyphens, starting and ending with a letter or digit."),
    ),
]
