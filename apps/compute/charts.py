"""The public dashboard's charts, drawn with the platform's server-rendered SVG charts."""

from django.utils.translation import gettext as _

from apps.core.charts import grouped_bar_chart


def ledger_chart(ledgers, *, title: str):
    return grouped_bar_chart(
        [ledger.short_name for ledger in ledgers],
        [
            (_("Budget"), [float(ledger.budget) for ledger in ledgers]),
            (_("Granted"), [float(ledger.granted) for ledger in ledgers]),
            (_("Used"), [float(ledger.used) for ledger in ledgers]),
        ],
        title=title,
    )
