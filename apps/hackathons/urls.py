from django.urls import path

from apps.hackathons import views

app_name = "hackathons"
urlpatterns = [
    path("", views.hackathon_list, name="list"),
    path("new/", views.hackathon_create, name="create"),
    path("<slug:slug>/", views.hackathon_detail, name="detail"),
    path("<slug:slug>/edit/", views.hackathon_edit, name="edit"),
    path("<slug:slug>/duplicate/", views.hackathon_duplicate, name="duplicate"),
    path("<slug:slug>/calendar.ics", views.hackathon_calendar, name="calendar"),
    path("<slug:slug>/register/", views.registration_page, name="register"),
    path("<slug:slug>/register/cancel/", views.registration_cancel, name="register-cancel"),
    path("<slug:slug>/team/", views.team_page, name="team"),
    path("<slug:slug>/team/action/", views.team_action, name="team-action"),
    path("<slug:slug>/submit/<int:track_id>/", views.submission_page, name="submit"),
    path("<slug:slug>/judging/", views.judging_list, name="judging"),
    path("<slug:slug>/judging/<int:submission_id>/", views.judging_score, name="score"),
    path("<slug:slug>/results/", views.results_page, name="results"),
    path("<slug:slug>/manage/", views.dashboard, name="manage"),
    path("<slug:slug>/manage/action/", views.dashboard_action, name="manage-action"),
]
