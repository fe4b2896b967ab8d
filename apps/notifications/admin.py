from django.contrib import admin

from apps.notifications.models import EmailOptOut, Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "recipient", "created_at", "read_at", "emailed_at")
    list_filter = ("kind",)
    search_fields = ("title", "recipient__email")
    raw_id_fields = ("recipient",)


@admin.register(EmailOptOut)
class EmailOptOutAdmin(admin.ModelAdmin):
    list_display = ("user", "group", "created_at")
    list_filter = ("group",)
    raw_id_fields = ("user",)
