from datetime import date
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

SORT_CHOICES = [
    ("eur_per_monthly_download", _("Euros per monthly download")),
    ("eur_per_download", _("Euros per download since funding")),
    ("money", _("Money in")),
    ("downloads", _("Downloads (30 days)")),
    ("downloads_since", _("Downloads since funding")),
    ("derivatives", _("Derivative models")),
    ("growth", _("Trend")),
    ("name", _("Name")),
    ("programme", _("Programme")),
    ("recipient", _("Recipient")),
]
ORDER_CHOICES = [("desc", _("Highest first (descending)")), ("asc", _("Lowest first (ascending)"))]
LANGUAGE_CHOICES = [("es", _("Spanish")), ("ca", _("Catalan")), ("eu", _("Basque")), ("gl", _("Galician")),
                    ("en", _("English"))]
ISO_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AsOfField(forms.DateField):
    """A day in the past the figures are rebuilt for; today or later means now."""

    widget = ISO_DATE

    def __init__(self, **kwargs):
        super().__init__(input_formats=["%Y-%m-%d"], required=False, label=_("Figures as of"), **kwargs)

    def validate(self, value):
        super().validate(value)
        if value and value < date(2000, 1, 1):
            raise forms.ValidationError(_("Choose a day from 2000 on."))
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("Figures can only be shown for today or a past day."))


class RegisterFilterForm(forms.Form):
    as_of = AsOfField()
    programme = forms.CharField(label=_("Programme"), required=False, max_length=200)
    funder = forms.CharField(label=_("Funder"), required=False, max_length=200)
    call = forms.CharField(label=_("Compute call"), required=False, max_length=200)
    language = forms.CharField(label=_("Language"), required=False, max_length=16)
    year = forms.IntegerField(label=_("Year of funding"), required=False, min_value=1990, max_value=2100)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)
    order = forms.ChoiceField(label=_("Order"), required=False, choices=ORDER_CHOICES)

    def filters(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "as_of": data.get("as_of"), "programme": data.get("programme") or "",
            "funder": data.get("funder") or "", "call": data.get("call") or "",
            "language": (data.get("language") or "").lower(), "year": data.get("year"),
            "sort": data.get("sort") or "eur_per_monthly_download", "descending": data.get("order") != "asc",
        }


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").replace("\x00", "").splitlines() if line.strip()]


class FundingRecordForm(forms.Form):
    """The page form; the service validates again and its field errors land here too."""

    programme = forms.CharField(label=_("Programme"), max_length=200)
    funder = forms.CharField(label=_("Funder"), max_length=200)
    recipient = forms.CharField(label=_("Recipient organisation"), max_length=200)
    amount_eur = forms.DecimalField(label=_("Amount (euros)"), min_value=Decimal("0.01"), max_digits=14, decimal_places=2)
    awarded_on = forms.DateField(label=_("Date"), widget=ISO_DATE, input_formats=["%Y-%m-%d"])
    purpose = forms.CharField(label=_("What it paid for"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    sources = forms.CharField(
        label=_("Sources"), widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: the address of the official document or announcement, then optionally a title."),
    )
    owners = forms.CharField(label=_("Hub owners"), widget=forms.Textarea(attrs={"rows": 2}), required=False,
                             help_text=_("One Hub organisation or user per line, e.g. BSC-LT."))
    repositories = forms.CharField(
        label=_("Hub repositories"), widget=forms.Textarea(attrs={"rows": 2}), required=False,
        help_text=_("One per line: owner/name for a model, dataset:owner/name for a dataset."))
    calls = forms.CharField(label=_("Compute calls"), widget=forms.Textarea(attrs={"rows": 2}), required=False,
                            help_text=_("One call address (slug) per line."))
    grants = forms.CharField(label=_("Compute grants"), widget=forms.Textarea(attrs={"rows": 1}), required=False,
                             help_text=_("Grant numbers, one per line."))
    reason = forms.CharField(label=_("Reason for the change"), widget=forms.Textarea(attrs={"rows": 2}),
                             required=False, max_length=2000,
                             help_text=_("Shown in the record's public history; required when you correct a record."))

    @classmethod
    def initial_for(cls, record) -> dict:
        return {
            "programme": record.programme, "funder": record.funder, "recipient": record.recipient,
            "amount_eur": record.amount_eur, "awarded_on": record.awarded_on, "purpose": record.purpose,
            "sources": "\n".join(f"{s['url']} {s.get('title', '')}".strip() for s in record.sources),
            "owners": "\n".join(o.name for o in record.owners.all()),
            "repositories": "\n".join(
                r.repo_id if r.kind == "model" else f"{r.kind}:{r.repo_id}" for r in record.repositories.all()),
            "calls": "\n".join(c.slug for c in record.calls.all()),
            "grants": "\n".join(str(g.pk) for g in record.grants.all()),
        }

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("reason", None)
        sources = []
        for line in _lines(data["sources"]):
            url, _sep, title = line.partition(" ")
            sources.append({"url": url, "title": title.strip()})
        data["sources"] = sources
        for name in ("owners", "repositories", "calls", "grants"):
            data[name] = _lines(data[name])
        return data
