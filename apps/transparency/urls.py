from django.urls import path

from apps.transparency import views

app_name = "transparency"
urlpatterns = [
    path("", views.register, name="register"),
    path("register.csv", views.register_csv, name="register-csv"),
    path("register.json", views.register_json, name="register-json"),
    path("register.datapackage.json", views.register_datapackage, name="register-datapackage"),
    path("item/<path:key>/", views.item_detail, name="item"),
    path("badge/<str:kind>/<path:repo_id>.svg", views.badge, name="badge"),
    path("funding/", views.funding_list, name="funding-list"),
    path("funding/new/", views.funding_edit, name="funding-create"),
    path("funding/<int:pk>/", views.funding_detail, name="funding-detail"),
    path("funding/<int:pk>/edit/", views.funding_edit, name="funding-edit"),
]
