from django.contrib import admin

from apps.compute import models


@admin.register(models.Resource)
class ResourceAdmin(admin.ModelAdmin):
    list_display = ("name", "provider", "kind", "unit", "slurm_cluster")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("slurm_usage_imported_at", "slurm_usage_error", "slurm_checked_at", "slurm_differences")
    filter_horizontal = ("operators",)


class CriterionInline(admin.TabularInline):
    model = models.Criterion
    extra = 1


@admin.register(models.Call)
class CallAdmin(admin.ModelAdmin):
    list_display = ("title", "resource", "budget", "opens_at", "closes_at")
    prepopulated_fields = {"slug": ("title",)}
    filter_horizontal = ("managers", "reviewers")
    inlines = [CriterionInline]


@admin.register(models.AllocationRequest)
class AllocationRequestAdmin(admin.ModelAdmin):
    list_display = ("title", "call", "applicant", "status", "requested_units", "submitted_at")
    list_filter = ("status", "call")
    search_fields = ("title", "applicant__email")
    raw_id_fields = ("applicant", "staged_by")
    # Status changes go through the services so the audit trail stays complete.
    readonly_fields = ("status", "submitted_at", "decided_at")


@admin.register(models.Grant)
class GrantAdmin(admin.ModelAdmin):
    list_display = ("request", "call", "units", "start_date", "end_date", "usage_notified_percent")
    readonly_fields = ("units",)
    raw_id_fields = ("request", "decided_by")


@admin.register(models.ReviewerProfile)
class ReviewerProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "affiliation")
    raw_id_fields = ("user",)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records of what happened on a cluster: changed only by the services that did it."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(models.GrantSync)
class GrantSyncAdmin(ReadOnlyAdmin):
    list_display = ("account", "status", "last_synced_at", "applied_limit_minutes", "applied_blocked")
    list_filter = ("status",)
    search_fields = ("account",)


@admin.register(models.SchedulerCommand)
class SchedulerCommandAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "resource", "purpose", "actor", "returncode", "duration_ms")
    list_filter = ("resource", "purpose")


@admin.register(models.ClusterUsername)
class ClusterUsernameAdmin(ReadOnlyAdmin):
    list_display = ("username", "user", "resource", "confirmed_at")
    list_filter = ("resource",)
    search_fields = ("username", "user__email")
