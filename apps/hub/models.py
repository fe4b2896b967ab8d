"""The community's repositories on the Hugging Face Hub, mirrored with their adoption history."""

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models.functions import Lower, Upper
from django.utils.translation import gettext_lazy as _


class HubOwner(models.Model):
    """A Hub organisation or user whose public repositories the catalogue follows."""

    class Kind(models.TextChoices):
        ORGANISATION = "org", _("Organisation")
        USER = "user", _("User")

    class SyncStatus(models.TextChoices):
        NEVER = "never", _("Not synced yet")
        OK = "ok", _("Up to date")
        FAILED = "failed", _("Last sync failed")

    name = models.CharField(_("Hub name"), max_length=96)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.ORGANISATION)
    display_name = models.CharField(_("display name"), max_length=200, blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="hub_owners",
        verbose_name=_("members"), help_text=_("People who may ask for a sync of this owner."),
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sync_enabled = models.BooleanField(_("synced automatically"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Written only when a sync changes something, so an idle sync writes nothing.
    sync_status = models.CharField(max_length=8, choices=SyncStatus.choices, default=SyncStatus.NEVER)
    sync_error = models.TextField(blank=True)
    sync_error_at = models.DateTimeField(null=True, blank=True)
    synced_at = models.DateTimeField(_("data changed at"), null=True, blank=True)
    repository_count = models.PositiveIntegerField(default=0)
    last_http_calls = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("Hub owner")
        verbose_name_plural = _("Hub owners")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="hub_owner_name_ci_unique")]

    def __str__(self):
        return self.display_name or self.name


class HubRepository(models.Model):
    """A model or dataset on the Hub; never deleted, only marked removed when it disappears."""

    class Kind(models.TextChoices):
        MODEL = "model", _("Model")
        DATASET = "dataset", _("Dataset")

    owner = models.ForeignKey(HubOwner, on_delete=models.CASCADE, related_name="repositories")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    repo_id = models.CharField(_("repository id"), max_length=200)
    downloads = models.PositiveBigIntegerField(_("downloads (last 30 days)"), default=0)
    downloads_all_time = models.PositiveBigIntegerField(null=True, blank=True)
    likes = models.PositiveIntegerField(default=0)
    # Change of the 30-day downloads against the snapshot about a month earlier.
    downloads_growth = models.BigIntegerField(default=0)
    tags = models.JSONField(default=list, blank=True)
    languages = models.JSONField(default=list, blank=True)
    task = models.CharField(max_length=100, blank=True)
    library = models.CharField(max_length=100, blank=True)
    licence = models.CharField(max_length=100, blank=True)
    gated = models.CharField(max_length=10, blank=True)
    private = models.BooleanField(default=False)
    hub_created_at = models.DateTimeField(null=True, blank=True)
    hub_modified_at = models.DateTimeField(null=True, blank=True)
    first_seen_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Hub repository")
        verbose_name_plural = _("Hub repositories")
        ordering = ["-downloads", "repo_id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "repo_id"], name="hub_repository_kind_id_unique"),
        ]
        indexes = [
            models.Index(fields=["kind", "-downloads"], name="hub_repo_kind_downloads_idx"),
            models.Index(fields=["kind", "-likes"], name="hub_repo_kind_likes_idx"),
            models.Index(fields=["kind", "-downloads_growth"], name="hub_repo_kind_growth_idx"),
            models.Index(fields=["kind", "-hub_modified_at"], name="hub_repo_kind_modified_idx"),
            models.Index(fields=["owner", "kind"], name="hub_repo_owner_kind_idx"),
            # Lookups by id alone (references from profiles, submissions and compute grants).
            models.Index(fields=["repo_id"], name="hub_repo_repo_id_idx"),
            # The API lists every kind together, most downloaded first.
            models.Index(fields=["-downloads", "repo_id"], name="hub_repo_downloads_idx"),
            models.Index(fields=["task"], name="hub_repo_task_idx"),
            models.Index(fields=["licence"], name="hub_repo_licence_idx"),
            # Name search (repo_id__icontains is UPPER(repo_id) LIKE UPPER('%q%') on PostgreSQL);
            # created on PostgreSQL only, see migration 0002.
            GinIndex(OpClass(Upper("repo_id"), name="gin_trgm_ops"), name="hub_repo_id_trgm_idx"),
        ]

    def __str__(self):
        return self.repo_id

    @property
    def name(self) -> str:
        return self.repo_id.split("/", 1)[-1]

    @property
    def hub_url(self) -> str:
        prefix = "" if self.kind == self.Kind.MODEL else "datasets/"
        return f"https://huggingface.co/{prefix}{self.repo_id}"


class HubRepositoryLanguage(models.Model):
    """One language a repository declares; a table of its own so the filter uses an index."""

    repository = models.ForeignKey(HubRepository, on_delete=models.CASCADE, related_name="language_rows")
    code = models.CharField(max_length=16)

    class Meta:
        verbose_name = _("repository language")
        verbose_name_plural = _("repository languages")
        constraints = [
            models.UniqueConstraint(fields=["repository", "code"], name="hub_language_unique"),
        ]
        indexes = [models.Index(fields=["code", "repository"], name="hub_language_code_idx")]


class HubSnapshot(models.Model):
    """Downloads and likes of a repository on one day, for trend charts."""

    repository = models.ForeignKey(HubRepository, on_delete=models.CASCADE, related_name="snapshots")
    day = models.DateField()
    downloads = models.PositiveBigIntegerField(default=0)
    downloads_all_time = models.PositiveBigIntegerField(null=True, blank=True)
    likes = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("Hub snapshot")
        verbose_name_plural = _("Hub snapshots")
        ordering = ["repository", "day"]
        constraints = [
            models.UniqueConstraint(fields=["repository", "day"], name="hub_snapshot_one_per_day"),
        ]
        indexes = [models.Index(fields=["day"], name="hub_snapshot_day_idx")]

    def __str__(self):
        return f"{self.repository_id} {self.day}"
