"""The register as plain data, for CSV, JSON and the API alike."""

from django.urls import reverse

CSV_COLUMNS = [
    "key", "kind", "name", "programmes", "funders", "first_funded_on", "funding_eur", "compute_eur",
    "money_in_eur", "downloads_30d", "downloads_since_funding", "counted_since", "eur_per_monthly_download",
    "eur_per_download_since_funding", "derivatives", "spaces", "growth_percent", "languages", "as_of",
    "permalink", "demo_data",
]


def row_as_dict(row, *, as_of: str, request=None) -> dict:
    path = reverse("transparency:item", kwargs={"key": row.key}) + f"?as_of={as_of}"
    permalink = request.build_absolute_uri(path) if request is not None else path

    def money(value):
        return None if value is None else f"{value:.2f}"

    return {
        "key": row.key, "kind": row.kind, "name": row.name,
        "programmes": "; ".join(row.programmes), "funders": "; ".join(row.funders),
        "first_funded_on": row.first_funded_on.isoformat(),
        "funding_eur": money(row.funding_eur), "compute_eur": money(row.compute_eur),
        "money_in_eur": money(row.money_in), "downloads_30d": row.downloads_30d,
        "downloads_since_funding": row.downloads_since_funding,
        "counted_since": row.since_tracking_began.isoformat() if row.since_tracking_began else None,
        "eur_per_monthly_download": money(row.eur_per_monthly_download),
        "eur_per_download_since_funding": money(row.eur_per_download_since),
        "derivatives": row.derivatives, "spaces": row.spaces, "growth_percent": row.growth_percent,
        "languages": " ".join(sorted(row.languages)), "as_of": as_of, "permalink": permalink,
        "demo_data": row.is_demo,
    }
