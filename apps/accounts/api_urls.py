from django.urls import path

from apps.accounts.apis import MeApi, TokenDetailApi, TokenListApi, TokenObtainApi

urlpatterns = [
    path("me/", MeApi.as_view(), name="api-me"),
    path("auth/token/", TokenObtainApi.as_view(), name="api-token-obtain"),
    path("auth/tokens/", TokenListApi.as_view(), name="api-token-list"),
    path("auth/tokens/<int:token_id>/", TokenDetailApi.as_view(), name="api-token-detail"),
]
