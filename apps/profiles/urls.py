from django.urls import path

from apps.profiles import views

app_name = "profiles"
urlpatterns = [
    path("", views.talent_search, name="search"),
    path("export.csv", views.talent_export_csv, name="export-csv"),
    path("me/", views.my_profile, name="me"),
    path("me/edit/", views.profile_edit, name="edit"),
    path("me/first-steps/", views.first_steps, name="first-steps"),
    path("me/first-steps/<slug:step>/", views.first_steps, name="first-step"),
    path("me/account/", views.account_settings, name="account"),
    path("me/account/export.json", views.account_export, name="account-export"),
    path("contacts/", views.contact_requests, name="contacts"),
    path("contacts/<int:request_id>/accept/", views.contact_request_accept, name="contact-accept"),
    path("contacts/<int:request_id>/decline/", views.contact_request_decline, name="contact-decline"),
    path("<slug:handle>/", views.profile_detail, name="detail"),
    path("<slug:handle>/contact/", views.contact_request_create, name="contact"),
]
