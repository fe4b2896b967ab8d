"""The register as plain data, for CSV, JSON and the API alike, and the description of its columns."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.transparency import figures

# (name, Frictionless type, unit, description); every figure is followed by its status column.
FIGURES = [
    ("funding_eur", "number", "EUR", _("Recorded public funding counted on this row (its share when split).")),
    ("compute_eur", "number", "EUR", _("Compute used on funded grants that promised it, at the resource's public cost per unit.")),
    ("money_in_eur", "number", "EUR", _("Funding plus compute used.")),
    ("downloads_30d", "integer", "downloads", _("Downloads in the 30 days up to as_of, as counted by the Hugging Face Hub.")),
    ("downloads_since_funding", "integer", "downloads", _("Downloads since the funding day, at least: see since_funding_missing_days.")),
    ("eur_per_monthly_download", "number", "EUR/download", _("money_in_eur divided by downloads_30d.")),
    ("eur_per_download_since_funding", "number", "EUR/download", _("money_in_eur divided by downloads_since_funding.")),
    ("derivatives", "integer", "models", _("Models on the Hub declaring this one as their base.")),
    ("spaces", "integer", "Spaces", _("Hub Spaces using it.")),
    ("growth_percent", "integer", "%", _("Change of downloads_30d against the 30 days before.")),
]
OTHER = [
    ("key", "string", "", _("Identifier of the row: owner/<name>, model/<id> or dataset/<id>.")),
    ("kind", "string", "", _("owner, model or dataset.")),
    ("name", "string", "", _("Hub owner or repository.")),
    ("programmes", "string", "", _("Funding programmes, separated by semicolons.")),
    ("compute_calls", "string", "", _("Public compute calls that granted it compute, separated by semicolons.")),
    ("funders", "string", "", _("Funders and compute providers, separated by semicolons.")),
    ("recipients", "string", "", _("Who received the money or the compute (institutions), separated by semicolons.")),
    ("first_funded_on", "date", "", _("First funding or grant start.")),
    ("funding_split", "boolean", "", _("True when a record naming several items was divided equally here: an estimate, not a published figure.")),
    ("since_funding_missing_days", "integer", "days", _("Days since the funding with no reading behind downloads_since_funding.")),
    ("counted_since", "date", "", _("Day counting began when the catalogue started following it after the funding.")),
    ("languages", "string", "", _("Languages of its repositories, separated by spaces.")),
    ("as_of", "date", "", _("Day the figures were rebuilt for.")),
    ("permalink", "string", "", _("Page explaining how each figure of the row was computed, as of that day.")),
    ("demo_data", "boolean", "", _("Demo data, not to be cited.")),
]
CSV_COLUMNS = [name for name, *_rest in OTHER[:9]] + [
    column for name, *_rest in FIGURES for column in (name, f"{name}_status")
] + [name for name, *_rest in OTHER[9:]]
STATUS_DESCRIPTION = _("measured (a number, 0 included), not_measured (no reading for that period: the cell is "
                       "empty, never 0) or no_downloads (a ratio whose downloads were measured as zero).")
# A cell starting with one of these runs as a formula in spreadsheet programs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _figure(row: dict, name: str, figure: figures.Figure, money: bool = False) -> None:
    value = figure.value
    if money and value is not None:
        value = f"{value:.2f}"
    row[name], row[f"{name}_status"] = value, figure.status


def row_as_dict(row, *, as_of: str, request=None) -> dict:
    """Raw values: a figure not measured is None with its status beside it."""
    path = reverse("transparency:item", kwargs={"key": row.key}) + f"?as_of={as_of}"
    data = {
        "key": row.key, "kind": row.kind, "name": row.name,
        "programmes": "; ".join(row.programmes), "compute_calls": "; ".join(row.calls),
        "funders": "; ".join(row.funders), "recipients": "; ".join(row.recipients),
        "first_funded_on": row.first_funded_on.isoformat(), "funding_split": row.is_split,
    }
    _figure(data, "funding_eur", figures.Figure(row.funding_eur), money=True)
    _figure(data, "compute_eur", row.compute_eur, money=True)
    _figure(data, "money_in_eur", row.money_in, money=True)
    _figure(data, "downloads_30d", row.downloads_30d)
    _figure(data, "downloads_since_funding", row.downloads_since_funding)
    _figure(data, "eur_per_monthly_download", row.eur_per_monthly_download, money=True)
    _figure(data, "eur_per_download_since_funding", row.eur_per_download_since, money=True)
    _figure(data, "derivatives", row.derivatives)
    _figure(data, "spaces", row.spaces)
    _figure(data, "growth_percent", row.growth_percent)
    data.update({
        "since_funding_missing_days": row.adoption.since_missing_days if row.downloads_since_funding.measured else None,
        "counted_since": row.adoption.counted_since.isoformat() if row.adoption.counted_since else None,
        "languages": " ".join(sorted(row.languages)), "as_of": as_of,
        "permalink": request.build_absolute_uri(path) if request is not None else path,
        "demo_data": row.is_demo,
    })
    return data


def totals_as_dict(totals) -> dict:
    """The rows shown added up, each repository and grant once, with the same states as a row."""
    data = {"rows": totals.rows, "repositories": totals.repositories}
    _figure(data, "money_in_eur", totals.money_in, money=True)
    _figure(data, "downloads_30d", totals.downloads_30d)
    return data


def csv_cell(value):
    """What a spreadsheet shows as written: empty for None, formulas turned into text."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def data_package(*, csv_url: str, as_of: str) -> dict:
    """A Frictionless data package descriptor of the CSV: columns, types, units and states."""
    described = {name: (kind, unit, description) for name, kind, unit, description in FIGURES + OTHER}
    fields = []
    for column in CSV_COLUMNS:
        if column.endswith("_status"):
            fields.append({"name": column, "type": "string", "description": str(STATUS_DESCRIPTION),
                           "constraints": {"enum": list(figures.STATUSES)}})
            continue
        kind, unit, description = described[column]
        field = {"name": column, "type": kind, "description": str(description)}
        if unit:
            field["unit"] = unit
        fields.append(field)
    return {
        "name": "public-money-register",
        "title": str(_("Public money and real adoption")),
        "description": str(_("What public money paid for in open models and whether anyone uses them, as of a day.")),
        "resources": [{
            "name": "register", "path": csv_url, "format": "csv", "mediatype": "text/csv",
            "encoding": "utf-8-sig", "dialect": {"delimiter": ",", "header": True},
            "schema": {"fields": fields, "missingValues": [""], "primaryKey": ["key"]},
            "as_of": as_of,
        }],
    }
