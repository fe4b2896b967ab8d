"""Rules for the links to a person that `services.account_delete` handles itself."""

from apps.accounts import personal_data as pd


def declare_rules() -> None:
    from apps.notifications.models import (
        Digest, DigestSchedule, Notification, NotificationPreference, ScheduledAnnouncement,
    )
    from apps.profiles.models import ContactRequest, FirstSteps, Profile

    pd.declare_all([
        (Profile, "user", pd.DELETED, "the profile, its skills, languages and avatar"),
        (ContactRequest, "sender", pd.DELETED, "messages the person sent"),
        (Notification, "recipient", pd.DELETED, "the person's notifications"),
        (NotificationPreference, "user", pd.DELETED, "the person's notification preferences"),
        (DigestSchedule, "user", pd.DELETED, "the person's digest settings"),
        (Digest, "user", pd.DELETED, "record of digests sent to the person"),
        (ScheduledAnnouncement, "sender", pd.DELETED, "announcements the person scheduled (those sent live on as notifications)"),
        (FirstSteps, "user", pd.DELETED, "which steps of the guided setup the person went through"),
    ])
