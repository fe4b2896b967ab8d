from django.urls import path

from apps.accounts.apis import MeApi, TokenObtainApi

urlpatterns = [
    path("me/", MeApi.as_view(), name="api-me"),
    path("auth/token/", TokenObtainApi.as_view(), name="api-token-obtain"),
]
