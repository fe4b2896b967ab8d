from django.urls import path

from apps.compute import views

app_name = "compute"
urlpatterns = [
    path("", views.call_list, name="call-list"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("calls/new/", views.call_create, name="call-create"),
    path("calls/<slug:slug>/", views.call_detail, name="call-detail"),
    path("calls/<slug:slug>/apply/", views.request_create, name="request-create"),
    path("calls/<slug:slug>/edit/", views.call_edit, name="call-edit"),
    path("calls/<slug:slug>/manage/", views.call_manage, name="call-manage"),
    path("calls/<slug:slug>/assign-csv/", views.assign_csv, name="assign-csv"),
    path("calls/<slug:slug>/apply-staged/", views.staged_apply, name="apply-staged"),
    path("calls/<slug:slug>/decisions.csv", views.decisions_export, name="decisions-export"),
    path("requests/", views.my_requests, name="my-requests"),
    path("requests/<int:pk>/", views.request_detail, name="request-detail"),
    path("requests/<int:pk>/edit/", views.request_edit, name="request-edit"),
    path("requests/<int:pk>/attachments/", views.attachment_add, name="attachment-add"),
    path("requests/<int:pk>/attachments/<int:attachment_id>/", views.attachment_download, name="attachment"),
    path("requests/<int:pk>/change/", views.change_request_create, name="change-request"),
    path("requests/<int:pk>/cluster-username/", views.cluster_username, name="cluster-username"),
    path("requests/<int:pk>/assign/", views.request_assign, name="request-assign"),
    path("requests/<int:pk>/decide/", views.request_decide, name="request-decide"),
    path("requests/<int:pk>/decide/confirm/", views.request_decide_confirm, name="request-decide-confirm"),
    path("requests/<int:pk>/<slug:action>/", views.request_action, name="request-action"),
    path("changes/<int:pk>/decide/", views.change_request_decide, name="change-decide"),
    path("reviews/", views.review_queue, name="review-queue"),
    path("reviews/<int:pk>/", views.review_page, name="review"),
    path("reviews/<int:pk>/conflict/", views.review_conflict, name="review-conflict"),
    path("grants/", views.grant_list, name="grant-list"),
    path("usage/import/", views.usage_import, name="usage-import"),
    path("usage/report/", views.usage_report, name="usage-report"),
    path("resources/<slug:slug>/scheduler/", views.resource_scheduler, name="resource-scheduler"),
    path("resources/<slug:slug>/scheduler/<slug:action>/", views.resource_scheduler_action,
         name="resource-scheduler-action"),
]
