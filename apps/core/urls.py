from django.urls import path

from apps.core import views
from apps.core.metrics import metrics_view

urlpatterns = [
    path("", views.home, name="home"),
    path("me/", views.my_community_page, name="my-community"),
    path("accessibility/", views.accessibility_statement, name="accessibility"),
    path("healthz", views.healthz, name="healthz"),
    # Pages outside the site layout (the admin) make browsers ask for /favicon.ico.
    path("favicon.ico", views.favicon),
    path("readyz", views.readyz, name="readyz"),
    path("metrics", metrics_view, name="metrics"),
]
