# Basque as the platform writes it: year, month and day in that order, "2026ko abenduaren 7a"
# ("E" is the month in the genitive, locale/overrides/eu), and "1 200" with the thin space
# that groups digits in the other languages of the platform.
from django.conf.locale.eu.formats import *  # noqa: F401,F403 - extend Django's Basque formats

DATE_FORMAT = r"Y\k\o E j\a"
DATETIME_FORMAT = r"Y\k\o E j\a, H:i"
MONTH_DAY_FORMAT = r"E j\a"
THOUSAND_SEPARATOR = "\u202f"
NUMBER_GROUPING = 3
