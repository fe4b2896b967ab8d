from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from apps.notifications import services
from apps.notifications.models import Delivery, Notification, NotificationEvent, NotificationPreference


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "recipient", "created_at", "read_at")
    list_filter = ("kind",)
    search_fields = ("title", "recipient__email")
    raw_id_fields = ("recipient", "event")


@admin.register(NotificationEvent)
class NotificationEventAdmin(admin.ModelAdmin):
    list_display = ("kind", "audience", "created_at", "enqueued_at", "expanded_at")
    list_filter = ("kind", "audience")
    readonly_fields = ("expanded_through",)


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """Failed e-mails are listed here for staff, who can send them again."""

    list_display = ("notification", "recipient_email", "channel", "status", "attempts", "sent_at", "last_error")
    list_filter = ("status", "channel")
    list_select_related = ("notification__recipient",)
    search_fields = ("notification__recipient__email",)
    raw_id_fields = ("notification",)
    actions = ["resend"]

    @admin.display(description=_("recipient"))
    def recipient_email(self, delivery):
        return delivery.notification.recipient.email

    @admin.action(description=_("Send the selected failed e-mails again"))
    def resend(self, request, queryset):
        count = services.deliveries_resend(delivery_ids=queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext("%(count)d e-mail will be sent again.", "%(count)d e-mails will be sent again.", count)
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "kind", "mode")
    list_filter = ("kind", "mode")
    raw_id_fields = ("user",)
