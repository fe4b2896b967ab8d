from django.urls import path

from apps.hub import apis

urlpatterns = [
    path("hub/owners/", apis.OwnerListApi.as_view(), name="api-hub-owners"),
    path("hub/owners/<str:name>/", apis.OwnerDetailApi.as_view(), name="api-hub-owner"),
    path("hub/owners/<str:name>/sync/", apis.OwnerSyncApi.as_view(), name="api-hub-owner-sync"),
    path("hub/repositories/", apis.RepositoryListApi.as_view(), name="api-hub-repositories"),
    path("hub/repositories/<int:pk>/", apis.RepositoryDetailApi.as_view(), name="api-hub-repository"),
    path("hub/repositories/<int:pk>/snapshots/", apis.SnapshotListApi.as_view(), name="api-hub-snapshots"),
]
