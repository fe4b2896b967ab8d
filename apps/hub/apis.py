"""REST API of the Hub catalogue: owners, repositories and their daily snapshots."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api_filters import query_filters
from apps.core.pagination import api_pagination_counted_by_summary
from apps.core.visitor_cache import api_for_visitors, same_for_every_member
from apps.hub import selectors, services
from apps.hub.models import HubOwner, HubRepository, HubSnapshot


class OwnerOutputSerializer(serializers.ModelSerializer):
    model_count = serializers.IntegerField()
    dataset_count = serializers.IntegerField()
    total_downloads = serializers.IntegerField()

    class Meta:
        model = HubOwner
        fields = [
            "id", "name", "kind", "display_name", "sync_enabled", "sync_status", "sync_error",
            "sync_error_at", "synced_at", "repository_count", "model_count", "dataset_count",
            "total_downloads",
        ]


class OwnerListApi(GenericAPIView):
    """Tracked Hub owners (anyone may read); staff and organisers add new ones."""

    permission_classes = [AllowAny]
    serializer_class = OwnerOutputSerializer
    queryset = HubOwner.objects.none()  # for the schema; reads go through selectors

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=96)
        kind = serializers.ChoiceField(choices=HubOwner.Kind.choices)
        display_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

    def get_permissions(self):
        return [IsAuthenticated()] if self.request.method == "POST" else [AllowAny()]

    @extend_schema(responses=OwnerOutputSerializer(many=True))
    def get(self, request):
        page = self.paginate_queryset(selectors.owner_list())
        return self.get_paginated_response(OwnerOutputSerializer(page, many=True).data)

    @extend_schema(request=InputSerializer, responses={201: OwnerOutputSerializer})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        owner = services.owner_add(actor=request.user, **data.validated_data)
        return Response(OwnerOutputSerializer(selectors.owner_get(owner.name)).data, status=status.HTTP_201_CREATED)


class OwnerDetailApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=OwnerOutputSerializer)
    def get(self, request, name):
        owner = selectors.owner_get(name)
        if owner is None:
            raise Http404
        return Response(OwnerOutputSerializer(owner).data)


class OwnerSyncApi(APIView):
    """"Sync now": staff, organisers and the owner's members; one sync at a time."""

    permission_classes = [IsAuthenticated]

    class OutputSerializer(serializers.Serializer):
        queued = serializers.BooleanField()

    @extend_schema(request=None, responses={202: OutputSerializer})
    def post(self, request, name):
        owner = selectors.owner_get(name)
        if owner is None:
            raise Http404
        queued = services.owner_sync_request(actor=request.user, owner=owner)
        return Response({"queued": queued}, status=status.HTTP_202_ACCEPTED)


class RepositoryOutputSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.name")
    hub_url = serializers.CharField()

    class Meta:
        model = HubRepository
        fields = [
            "id", "repo_id", "kind", "owner", "downloads", "downloads_all_time", "likes",
            "downloads_growth", "tags", "languages", "task", "library", "licence", "gated",
            "hub_created_at", "hub_modified_at", "removed_at", "hub_url",
        ]


class RepositoryListApi(GenericAPIView):
    """Public repositories, filtered like the catalogue page."""

    permission_classes = [AllowAny]
    serializer_class = RepositoryOutputSerializer
    pagination_class = api_pagination_counted_by_summary("hub")
    queryset = HubRepository.objects.none()  # for the schema; reads go through selectors

    class FilterSerializer(serializers.Serializer):
        kind = serializers.ChoiceField(choices=HubRepository.Kind.choices, required=False)
        owner = serializers.CharField(required=False)
        language = serializers.CharField(required=False, max_length=16)
        task = serializers.CharField(required=False)
        licence = serializers.CharField(required=False)
        sort = serializers.ChoiceField(choices=list(selectors.SORTS), required=False, default="downloads")
        include_removed = serializers.BooleanField(required=False, default=False)
        q = serializers.CharField(
            required=False, allow_blank=True, max_length=selectors.SEARCH_MAX_LENGTH,
            help_text="Part of the repository id (owner/name), any case",
        )

    @extend_schema(responses=RepositoryOutputSerializer(many=True))
    @api_for_visitors("hub", members_share_by=same_for_every_member)
    def get(self, request):
        page = self.paginate_queryset(selectors.repository_list(**query_filters(self, request)))
        return self.get_paginated_response(RepositoryOutputSerializer(page, many=True).data)


def _repository_or_404(pk: int) -> HubRepository:
    repository = selectors.repository_visible().filter(pk=pk).first()
    if repository is None:
        raise Http404
    return repository


class RepositoryDetailApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=RepositoryOutputSerializer)
    def get(self, request, pk):
        return Response(RepositoryOutputSerializer(_repository_or_404(pk)).data)


class SnapshotListApi(GenericAPIView):
    """Daily downloads and likes of one repository, newest first."""

    permission_classes = [AllowAny]

    class OutputSerializer(serializers.ModelSerializer):
        class Meta:
            model = HubSnapshot
            fields = ["day", "downloads", "downloads_all_time", "likes"]

    serializer_class = OutputSerializer
    queryset = HubSnapshot.objects.none()  # for the schema; reads go through selectors

    @extend_schema(responses=OutputSerializer(many=True))
    def get(self, request, pk):
        page = self.paginate_queryset(selectors.snapshot_list(_repository_or_404(pk)))
        return self.get_paginated_response(self.OutputSerializer(page, many=True).data)
