# Galician as the platform writes it: "7 dec 2026", "1 200" (the thin space that groups
# digits in Spanish too; the RAG's norm groups digits with a space).
from django.conf.locale.gl.formats import *  # noqa: F401,F403 - extend Django's Galician formats

DATE_FORMAT = "j b Y"
DATETIME_FORMAT = "j b Y, H:i"
MONTH_DAY_FORMAT = "j b"
THOUSAND_SEPARATOR = "\u202f"
NUMBER_GROUPING = 3
