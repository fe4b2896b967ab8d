"""API authentication by `ApiToken`: `Authorization: Token <key>` (or `Bearer <key>`)."""

from datetime import timedelta

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from apps.accounts.models import ApiToken
from apps.accounts.services import api_token_digest

SCHEMES = (b"token", b"bearer")
# Writing last_used_at on every call would turn each read into a write; an hour is precise enough.
LAST_USED_PRECISION = timedelta(hours=1)


class ApiTokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() not in SCHEMES:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid token header."))
        try:
            key = parts[1].decode()
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token header.")) from None
        token = (
            ApiToken.objects.select_related("user")
            .filter(key_digest=api_token_digest(key))
            .first()
        )
        now = timezone.now()
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if token.expires_at <= now:
            raise exceptions.AuthenticationFailed(_("The token has expired."))
        if token.last_used_at is None or token.last_used_at < now - LAST_USED_PRECISION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request):
        """A 401 with this challenge for a request that presented credentials.

        Anonymous requests without an Authorization header keep their 403, so pages'
        JavaScript and the permission matrix see the same answers as before.
        """
        if authentication.get_authorization_header(request):
            return 'Token realm="api"'
        return None


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema describes `ApiTokenAuthentication`."""

    target_class = ApiTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey", "in": "header", "name": "Authorization",
            "description": 'An API token with the prefix "Token ", e.g. "Token 9f3…". Expires; see /accounts/tokens/.',
        }
