from django.contrib import admin

from apps.transparency.models import ComputeUnitCost, FundingRecord, FundingRecordChange, RepositoryAdoption


class FundingRecordChangeInline(admin.TabularInline):
    model = FundingRecordChange
    extra = 0
    can_delete = False
    readonly_fields = ["action", "actor", "changes", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(FundingRecord)
class FundingRecordAdmin(admin.ModelAdmin):
    """Read-only here: records change through the register's pages or API, so history is never skipped."""

    list_display = ["programme", "funder", "recipient", "amount_eur", "awarded_on", "is_demo"]
    list_filter = ["funder", "is_demo"]
    search_fields = ["programme", "funder", "recipient"]
    inlines = [FundingRecordChangeInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(ComputeUnitCost)
class ComputeUnitCostAdmin(admin.ModelAdmin):
    list_display = ["resource", "euros_per_unit", "source_url", "updated_at"]


@admin.register(RepositoryAdoption)
class RepositoryAdoptionAdmin(admin.ModelAdmin):
    list_display = ["repository", "finetunes", "adapters", "quantizations", "merges", "spaces", "changed_at"]
    raw_id_fields = ["repository"]
