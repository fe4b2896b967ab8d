from django.contrib import admin

from apps.meetups.models import Chapter, Event, EventTransition, Rsvp, Talk


@admin.register(Chapter)
class ChapterAdmin(admin.ModelAdmin):
    list_display = ["name", "region"]
    list_filter = ["region"]
    search_fields = ["name"]
    filter_horizontal = ["organisers"]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    """Read-mostly: RSVPs and states change through the organiser pages, where the rules live."""

    list_display = ["title", "chapter", "state", "starts_at", "capacity"]
    list_filter = ["state", "chapter"]
    search_fields = ["title"]
    readonly_fields = ["state", "created_by"]
    filter_horizontal = ["organisers"]


@admin.register(Rsvp)
class RsvpAdmin(admin.ModelAdmin):
    list_display = ["event", "user", "status", "guests", "checked_in_at"]
    list_filter = ["status"]
    raw_id_fields = ["event", "user"]
    readonly_fields = ["status", "queued_at", "offer_expires_at", "checkin_code"]


@admin.register(Talk)
class TalkAdmin(admin.ModelAdmin):
    list_display = ["title", "chapter", "event", "status"]
    list_filter = ["status"]
    raw_id_fields = ["event", "chapter", "proposed_by"]


admin.site.register(EventTransition)
