from django.urls import path

from apps.notifications import apis

urlpatterns = [
    path("notifications/", apis.NotificationListApi.as_view(), name="api-notification-list"),
    path(
        "notifications/settings/", apis.EmailSettingsApi.as_view(), name="api-notification-settings"
    ),
    path(
        "notifications/<int:notification_id>/read/",
        apis.NotificationReadApi.as_view(),
        name="api-notification-read",
    ),
    path(
        "notifications/read-all/",
        apis.NotificationReadAllApi.as_view(),
        name="api-notification-read-all",
    ),
    path(
        "notifications/announcements/preview/",
        apis.AnnouncementPreviewApi.as_view(),
        name="api-announcement-preview",
    ),
    path("notifications/announcements/", apis.AnnouncementSendApi.as_view(), name="api-announcement-send"),
]
