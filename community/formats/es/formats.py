# Spanish as the platform writes it: "27 feb 2027", "1 200" (a thin space groups digits
# in scientific and public-sector Spanish, and cannot be mistaken for a decimal point).
from django.conf.locale.es.formats import *  # noqa: F401,F403 - extend Django's Spanish formats

DATE_FORMAT = "j b Y"
DATETIME_FORMAT = "j b Y, H:i"
MONTH_DAY_FORMAT = "j b"
THOUSAND_SEPARATOR = "\u202f"
NUMBER_GROUPING = 3
