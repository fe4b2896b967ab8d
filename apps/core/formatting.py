"""Numbers and dates written for the reader's language, for text built outside templates.

Notification titles and bodies are composed in Python under `translation.override`, so
they go through these instead of `%s`, which would print `2000.00` or `2027-02-27`.
"""

import datetime
from decimal import Decimal

from django.utils import formats


def quantity(value: Decimal | int | float | None) -> str:
    """`1 200` or `1 200,5`: grouped digits, decimals only when there are any."""
    if value is None:
        return "—"
    decimals = 0 if Decimal(value) == Decimal(value).to_integral_value() else 2
    return formats.number_format(value, decimals, force_grouping=True)


def day(value: datetime.date | None) -> str:
    """`27 feb 2027` in Spanish, `27 Feb 2027` in English."""
    return formats.date_format(value, "DATE_FORMAT") if value else "—"
