from django.contrib import admin

from apps.compute import models


@admin.register(models.Resource)
class ResourceAdmin(admin.ModelAdmin):
    list_display = ("name", "provider", "kind", "unit")
    prepopulated_fields = {"slug": ("name",)}
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
