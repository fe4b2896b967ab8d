"""Funding records made the way auditors make them: through the service."""

from apps.transparency import services

FUNDING = {
    "programme": "Programa de prueba", "funder": "Ministerio", "recipient": "Centro público",
    "amount_eur": "120000.00", "awarded_on": "2025-01-10",
    "sources": [{"url": "https://example.org/boe/123", "title": "BOE"}], "repositories": ["lab/modelo"],
}


def funding_record(actor, **fields):
    """A record of `FUNDING` with `fields` in place of its own (what it paid for included)."""
    return services.funding_record_create(actor=actor, data={**FUNDING, **fields})
