from django.urls import path

from apps.transparency import apis

urlpatterns = [
    path("transparency/register/", apis.RegisterApi.as_view(), name="api-transparency-register"),
    path("transparency/funding/", apis.FundingRecordListApi.as_view(), name="api-transparency-funding"),
    path("transparency/funding/<int:pk>/", apis.FundingRecordDetailApi.as_view(),
         name="api-transparency-funding-detail"),
    path("transparency/funding/<int:pk>/history/", apis.FundingRecordHistoryApi.as_view(),
         name="api-transparency-funding-history"),
]
