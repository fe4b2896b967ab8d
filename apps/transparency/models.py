"""Public funding of models and compute, and what the Hub tells about their adoption."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.compute.models import Call, Grant, Resource
from apps.hub.models import HubOwner, HubRepository


class FundingRecord(models.Model):
    """Money a public funder gave for models, datasets or compute, with its sources."""

    programme = models.CharField(_("programme"), max_length=200)
    funder = models.CharField(_("funder"), max_length=200)
    recipient = models.CharField(_("recipient organisation"), max_length=200)
    amount_eur = models.DecimalField(_("amount (euros)"), max_digits=14, decimal_places=2)
    awarded_on = models.DateField(_("date"))
    purpose = models.TextField(_("what it paid for"), blank=True)
    # [{"url": ..., "title": ...}]: at least one, checked by the service.
    sources = models.JSONField(_("sources"), default=list)
    owners = models.ManyToManyField(HubOwner, blank=True, related_name="funding_records",
                                    verbose_name=_("Hub owners"))
    repositories = models.ManyToManyField(HubRepository, blank=True, related_name="funding_records",
                                          verbose_name=_("Hub repositories"))
    calls = models.ManyToManyField(Call, blank=True, related_name="funding_records",
                                   verbose_name=_("compute calls"))
    grants = models.ManyToManyField(Grant, blank=True, related_name="funding_records",
                                    verbose_name=_("compute grants"))
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-awarded_on", "-id"]
        verbose_name = _("funding record")
        verbose_name_plural = _("funding records")
        indexes = [
            models.Index(fields=["programme"], name="transp_funding_programme_idx"),
            models.Index(fields=["funder"], name="transp_funding_funder_idx"),
            models.Index(fields=["awarded_on"], name="transp_funding_date_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount_eur__gt=0), name="transp_funding_amount_positive"),
        ]

    def __str__(self):
        return f"{self.programme} · {self.recipient}"


class FundingRecordChange(models.Model):
    """One change to a funding record: who, when, and each field's old and new value."""

    class Action(models.TextChoices):
        CREATED = "created", _("created")
        UPDATED = "updated", _("updated")

    record = models.ForeignKey(FundingRecord, on_delete=models.CASCADE, related_name="changes")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=8, choices=Action.choices)
    # {"field": [old, new]} with values as shown (text), so history never breaks on schema changes.
    changes = models.JSONField(default=dict)
    # Why the record changed (a correction, a new source…); required for every update.
    reason = models.TextField(_("reason for the change"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("funding record change")
        verbose_name_plural = _("funding record changes")
        indexes = [models.Index(fields=["record", "-created_at"], name="transp_change_record_idx")]


class ComputeUnitCost(models.Model):
    """The public cost of one unit of a compute resource (e.g. euros per GPU-hour), with its source."""

    resource = models.OneToOneField(Resource, on_delete=models.CASCADE, related_name="unit_cost",
                                    verbose_name=_("resource"))
    euros_per_unit = models.DecimalField(_("euros per unit"), max_digits=10, decimal_places=4)
    source_url = models.URLField(_("source"), max_length=500)
    source_title = models.CharField(_("source title"), max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("compute unit cost")
        verbose_name_plural = _("compute unit costs")
        constraints = [
            models.CheckConstraint(condition=Q(euros_per_unit__gt=0), name="transp_unit_cost_positive"),
        ]


class RepositoryAdoption(models.Model):
    """What the Hub says is built on a repository: derivative models and Spaces using it."""

    repository = models.OneToOneField(HubRepository, on_delete=models.CASCADE, related_name="adoption")
    finetunes = models.PositiveIntegerField(default=0)
    adapters = models.PositiveIntegerField(default=0)
    quantizations = models.PositiveIntegerField(default=0)
    merges = models.PositiveIntegerField(default=0)
    other_derivatives = models.PositiveIntegerField(default=0)
    spaces = models.PositiveIntegerField(default=0)
    # Written only when a count changes, so an idle sync writes nothing.
    changed_at = models.DateTimeField(null=True, blank=True)

    COUNTS = ["finetunes", "adapters", "quantizations", "merges", "other_derivatives", "spaces"]

    class Meta:
        verbose_name = _("repository adoption")
        verbose_name_plural = _("repository adoption figures")

    @property
    def derivatives(self) -> int:
        return self.finetunes + self.adapters + self.quantizations + self.merges + self.other_derivatives
