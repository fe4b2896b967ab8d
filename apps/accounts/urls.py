from django.urls import path

from apps.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/link/", views.login_link_request, name="login-link-request"),
    path("login/link/<str:token>/", views.login_link, name="login-link"),
    path("tokens/", views.api_tokens, name="api-tokens"),
    path("tokens/<int:token_id>/revoke/", views.api_token_revoke, name="api-token-revoke"),
    path("tokens/revoke-all/", views.api_tokens_revoke_all, name="api-tokens-revoke-all"),
    path("verification/resend/", views.verification_resend, name="verification-resend"),
]
