from drf_spectacular.utils import extend_schema
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.generics import GenericAPIView
from rest_framework.views import APIView

from apps.accounts import selectors, services
from apps.accounts.authentication import ApiTokenAuthentication
from apps.accounts.models import ApiToken, User


class MeApi(APIView):
    """The account of whoever is calling."""

    permission_classes = [IsAuthenticated]

    class OutputSerializer(serializers.ModelSerializer):
        class Meta:
            model = User
            fields = ["id", "username", "email", "first_name", "last_name", "date_joined"]

    @extend_schema(responses=OutputSerializer)
    def get(self, request):
        return Response(self.OutputSerializer(request.user).data)


class TokenOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "expires_at", "last_used_at"]


class NewTokenOutputSerializer(TokenOutputSerializer):
    token = serializers.CharField(help_text="The key; shown only this once.")

    class Meta(TokenOutputSerializer.Meta):
        fields = [*TokenOutputSerializer.Meta.fields, "token"]


def _new_token_response(token, key):
    token.token = key
    return Response(NewTokenOutputSerializer(token).data, status=201)


class TokenLifetimeInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    lifetime_days = serializers.IntegerField(required=False, allow_null=True, default=None)


class TokenObtainApi(APIView):
    """POST: exchange e-mail and password for a new API token (spends the failed-login budget).

    DELETE: revoke the token this request is authenticated with.
    """

    # Only the token itself: a session cookie must not make obtaining one demand CSRF.
    authentication_classes = [ApiTokenAuthentication]
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token_obtain"

    class InputSerializer(TokenLifetimeInputSerializer):
        email = serializers.EmailField()
        password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)

    @extend_schema(request=InputSerializer, responses={201: NewTokenOutputSerializer})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        token, key = services.api_token_issue(request=request, **data.validated_data)
        return _new_token_response(token, key)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request):
        if not isinstance(request.auth, ApiToken):
            raise NotAuthenticated(_("Send the token to revoke in the Authorization header."))
        services.api_token_revoke(user=request.user, token_id=request.auth.pk)
        return Response(status=204)


class TokenListApi(GenericAPIView):
    """GET: your API tokens. POST: a new one (key shown once). DELETE: revoke them all."""

    permission_classes = [IsAuthenticated]
    serializer_class = TokenOutputSerializer
    queryset = ApiToken.objects.none()  # for the schema; reads go through selectors.api_tokens_of

    @extend_schema(responses=TokenOutputSerializer(many=True))
    def get(self, request):
        page = self.paginate_queryset(selectors.api_tokens_of(user=request.user))
        return self.get_paginated_response(TokenOutputSerializer(page, many=True).data)

    @extend_schema(request=TokenLifetimeInputSerializer, responses={201: NewTokenOutputSerializer})
    def post(self, request):
        data = TokenLifetimeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        token, key = services.api_token_create(user=request.user, **data.validated_data)
        return _new_token_response(token, key)

    @extend_schema(request=None, responses={204: None}, operation_id="auth_tokens_revoke_all")
    def delete(self, request):
        services.api_tokens_revoke_all(user=request.user)
        return Response(status=204)


class TokenDetailApi(APIView):
    """DELETE: revoke one of your tokens."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None}, operation_id="auth_tokens_revoke")
    def delete(self, request, token_id: int):
        services.api_token_revoke(user=request.user, token_id=token_id)
        return Response(status=204)
