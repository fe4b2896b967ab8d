# Catalan as the platform writes it: "7 des. 2026", "1 200" (the thin space that groups
# digits in Spanish too; the IEC admits it, and it cannot be mistaken for a decimal point).
from django.conf.locale.ca.formats import *  # noqa: F401,F403 - extend Django's Catalan formats

DATE_FORMAT = "j b Y"
DATETIME_FORMAT = "j b Y, G:i"
MONTH_DAY_FORMAT = "j b"
THOUSAND_SEPARATOR = "\u202f"
NUMBER_GROUPING = 3
