from django.urls import path, register_converter

from apps.hub import views


class RepositoryKindConverter:
    regex = "model|dataset"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(RepositoryKindConverter, "repokind")

app_name = "hub"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("owners/", views.owner_list, name="owners"),
    path("owners/<str:name>/", views.owner_detail, name="owner"),
    path("owners/<str:name>/sync/", views.owner_sync, name="owner-sync"),
    path("<repokind:kind>/<path:repo_id>/", views.repository_detail, name="repository"),
]
