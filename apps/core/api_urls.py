from django.urls import path

from apps.core.apis import PlatformNumbersApi

urlpatterns = [
    path("stats/", PlatformNumbersApi.as_view(), name="api-stats"),
]
