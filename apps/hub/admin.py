from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from apps.hub.models import HubOwner, HubRepository, HubSnapshot


@admin.register(HubOwner)
class HubOwnerAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "display_name", "sync_enabled", "sync_status", "repository_count", "synced_at")
    list_filter = ("kind", "sync_status", "sync_enabled")
    search_fields = ("name", "display_name")
    filter_horizontal = ("members",)
    readonly_fields = ("sync_status", "sync_error", "sync_error_at", "synced_at", "repository_count",
                       "last_http_calls", "added_by", "created_at")
    actions = ["sync_now"]

    @admin.action(description=_("Sync now"))
    def sync_now(self, request, queryset):
        from apps.hub import services

        queued = sum(services.owner_sync_request(actor=request.user, owner=owner) for owner in queryset)
        self.message_user(request, ngettext("%d sync queued.", "%d syncs queued.", queued) % queued, messages.SUCCESS)


@admin.register(HubRepository)
class HubRepositoryAdmin(admin.ModelAdmin):
    list_display = ("repo_id", "kind", "owner", "downloads", "likes", "downloads_growth", "removed_at")
    list_filter = ("kind", "owner", ("removed_at", admin.EmptyFieldListFilter))
    search_fields = ("repo_id",)
    list_select_related = ("owner",)
    # Rows mirror the Hub: a sync would overwrite manual edits.
    readonly_fields = [f.name for f in HubRepository._meta.fields]


@admin.register(HubSnapshot)
class HubSnapshotAdmin(admin.ModelAdmin):
    list_display = ("repository", "day", "downloads", "likes")
    date_hierarchy = "day"
    list_select_related = ("repository",)
    raw_id_fields = ("repository",)
