from django.urls import path

from apps.profiles import apis

urlpatterns = [
    path("profiles/", apis.ProfileListApi.as_view(), name="api-profile-list"),
    path("profiles/<slug:handle>/", apis.ProfileDetailApi.as_view(), name="api-profile-detail"),
    path("profiles/<slug:handle>/contact/", apis.ContactRequestCreateApi.as_view(), name="api-profile-contact"),
    path("skills/", apis.SkillListApi.as_view(), name="api-skill-list"),
    path("me/profile/", apis.MyProfileApi.as_view(), name="api-my-profile"),
    path("me/profile/avatar/", apis.MyAvatarApi.as_view(), name="api-my-avatar"),
    path("me/export/", apis.MyDataExportApi.as_view(), name="api-my-export"),
    path("me/delete/", apis.AccountDeleteApi.as_view(), name="api-account-delete"),
    path("me/contact-requests/", apis.ContactRequestListApi.as_view(), name="api-contact-requests"),
    path(
        "me/contact-requests/<int:request_id>/accept/",
        apis.ContactRequestAcceptApi.as_view(), name="api-contact-request-accept",
    ),
    path(
        "me/contact-requests/<int:request_id>/decline/",
        apis.ContactRequestDeclineApi.as_view(), name="api-contact-request-decline",
    ),
]
