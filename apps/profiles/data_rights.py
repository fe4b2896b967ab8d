"""Profiles in members' data rights: the profile and contact requests in the download; on
account deletion the profile goes, and so do the names the member went by and their contact
messages wherever notifications copied them (this app knows those names, so it runs last)."""

from allauth.account.models import EmailAddress

from apps.accounts import personal_data as pd
from apps.notifications.data_rights import notifications_forget
from apps.profiles.models import ContactRequest, FirstSteps, Profile
from apps.profiles.services import EDITABLE_FIELDS, _delete_file_after_commit, talent_pool_forget


def profiles_export(user) -> dict:
    profile = Profile.objects.filter(user=user).first()
    data = {
        "profile": None,
        "contact_requests_sent": [
            {
                "to": handle, "message": message, "status": status, "reply": reply,
                "created_at": created.isoformat(),
            }
            for handle, message, status, reply, created in ContactRequest.objects.filter(
                sender=user
            ).values_list("profile__handle", "message", "status", "reply", "created_at")
        ],
        "contact_requests_received": [],
    }
    if profile:
        fields = ["handle", "display_name", "headline", "bio", *EDITABLE_FIELDS]
        data["profile"] = {field: getattr(profile, field) for field in dict.fromkeys(fields)}
        data["profile"]["avatar"] = profile.avatar.url if profile.avatar else None
        data["profile"]["skills"] = list(
            profile.skills.values_list("skill__slug", "level").order_by("skill__position")
        )
        data["profile"]["languages"] = list(profile.languages.values_list("code", "level"))
        data["contact_requests_received"] = [
            {"message": message, "status": status, "reply": reply, "created_at": created.isoformat()}
            for message, status, reply, created in profile.contact_requests.values_list(
                "message", "status", "reply", "created_at"
            )
        ]
    return data


def profiles_forget(user) -> None:
    profile = Profile.objects.filter(user=user).first()
    # Copies in other members' notifications: the names the member went by, the messages of
    # their contact requests and their replies (a contact-request notification's body is
    # the words of the member its title names).
    notifications_forget(
        names=[
            str(user), user.get_full_name(), user.username, user.email,
            *EmailAddress.objects.filter(user=user).values_list("email", flat=True),
            *([profile.display_name, profile.handle] if profile else []),
        ],
        texts=[
            *ContactRequest.objects.filter(sender=user).values_list("message", flat=True),
            *ContactRequest.objects.filter(profile__user=user).exclude(reply="").values_list("reply", flat=True),
        ],
        quoting_kinds=["profiles.contact_request"],
        replacement=pd.anonymous_name(user),
    )
    if profile is not None:
        _delete_file_after_commit(profile.avatar.name, profile.avatar.storage)
        talent_pool_forget(profile_id=profile.pk)
        profile.delete()  # its skills, languages and received requests go with it
    ContactRequest.objects.filter(sender=user).delete()
    FirstSteps.objects.filter(user=user).delete()


PERSONAL_DATA = pd.PersonalData(
    app="profiles",
    rules=[
        (Profile, "user", pd.DELETED, "the profile, its skills, languages and avatar"),
        (ContactRequest, "sender", pd.DELETED, "messages the person sent"),
        (FirstSteps, "user", pd.DELETED, "which steps of the guided setup the person went through"),
    ],
    export=profiles_export,
    forget=profiles_forget,
    forget_last=True,
)
