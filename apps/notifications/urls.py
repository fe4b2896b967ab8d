from django.urls import path

from apps.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.notification_list, name="list"),
    path("<int:notification_id>/open/", views.notification_open, name="open"),
    path("settings/", views.email_settings, name="settings"),
    path("read-all/", views.notification_read_all, name="read-all"),
    path("announce/<slug:audience>/", views.announcement_page, name="announce"),
    path("announcements/<int:announcement_id>/cancel/", views.announcement_cancel, name="announcement-cancel"),
    path("unsubscribe/<str:token>/", views.email_unsubscribe, name="unsubscribe"),
]
