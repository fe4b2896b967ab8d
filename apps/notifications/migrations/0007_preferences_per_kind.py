"""E-mail preferences per kind instead of per group; each member's group choices carried over."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# The kinds of each group and their defaults when preferences became per kind, frozen
# here: the live registry (apps.notifications.kinds) may change after this migration.
KINDS_BY_GROUP = {
    "profiles": {"profiles.contact_request": "email"},
    "hackathons": {
        "hackathons.team_invitation": "email",
        "hackathons.registration_decided": "email",
        "hackathons.waitlist_promoted": "email",
        "hackathons.deadline_reminder": "email",
        "hackathons.judge_assigned": "email",
        "hackathons.results_published": "email",
        "hackathons.phase_changed": "digest",
    },
    "compute": {
        "compute.submitted": "email",
        "compute.changes_requested": "email",
        "compute.decision": "email",
        "compute.review_assigned": "email",
        "compute.review_reminder": "email",
        "compute.review_conflict": "email",
        "compute.change_requested": "email",
        "compute.usage_threshold": "email",
        "compute.grant_reminder": "email",
        "compute.grant_expired": "email",
    },
    "hub": {"hub.sync_failed": "digest"},
    "meetups": {
        "meetups.place_offered": "email",
        "meetups.promoted": "email",
        "meetups.event_changed": "email",
        "meetups.event_cancelled": "email",
        "meetups.reminder": "email",
        "meetups.removed": "email",
        "meetups.talk_decided": "email",
        "meetups.waitlisted": "digest",
        "meetups.offer_expired": "digest",
        "meetups.rsvp_confirmed": "off",
    },
    "announcements": {"announcements.message": "email"},
    "chat": {"chat.mention": "email", "chat.report": "email"},
}
ALL_EMAIL = "all"


def preferences_per_kind(apps, schema_editor):
    """Each kind of a group gets the mode the member chose for the group; choices that
    equal a kind's default are not stored (no row means the default). The master switch
    ("all") is kept as it is."""
    EmailPreference = apps.get_model("notifications", "EmailPreference")
    NotificationPreference = apps.get_model("notifications", "NotificationPreference")
    rows = []
    for user_id, group, mode in EmailPreference.objects.values_list("user_id", "group", "mode").iterator():
        kinds = {ALL_EMAIL: "email"} if group == ALL_EMAIL else KINDS_BY_GROUP.get(group, {})
        rows.extend(
            NotificationPreference(user_id=user_id, kind=kind, mode=mode)
            for kind, default in kinds.items()
            if mode != default
        )
    NotificationPreference.objects.bulk_create(rows, batch_size=5000)


def preferences_per_group(apps, schema_editor):
    """Back to groups, losing detail: a group the member chose something for keeps the
    mode all its kinds share; a group whose kinds differ goes back to e-mail, the old default."""
    EmailPreference = apps.get_model("notifications", "EmailPreference")
    NotificationPreference = apps.get_model("notifications", "NotificationPreference")
    chosen: dict[int, dict[str, str]] = {}
    for user_id, kind, mode in NotificationPreference.objects.values_list("user_id", "kind", "mode").iterator():
        chosen.setdefault(user_id, {})[kind] = mode
    rows = []
    for user_id, modes in chosen.items():
        if modes.get(ALL_EMAIL) == "off":
            rows.append(EmailPreference(user_id=user_id, group=ALL_EMAIL, mode="off"))
        for group, kinds in KINDS_BY_GROUP.items():
            group_modes = {modes.get(kind, default) for kind, default in kinds.items()}
            if modes.keys() & kinds.keys() and len(group_modes) == 1 and group_modes != {"email"}:
                rows.append(EmailPreference(user_id=user_id, group=group, mode=group_modes.pop()))
    EmailPreference.objects.bulk_create(rows, batch_size=5000)


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0006_verbose_names'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='NotificationPreference',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(max_length=64, verbose_name='kind')),
                ('mode', models.CharField(choices=[('email', 'Each one by e-mail'), ('digest', 'In my digest'), ('off', 'Only on the site')], default='email', max_length=8, verbose_name='channel')),
                ('user', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='notification_preferences', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'notification preference',
                'verbose_name_plural': 'notification preferences',
            },
        ),
        migrations.AddConstraint(
            model_name='notificationpreference',
            constraint=models.UniqueConstraint(fields=('user', 'kind'), name='notif_pref_user_kind_uniq'),
        ),
        migrations.AddIndex(
            model_name='notification',
            index=models.Index(condition=models.Q(('read_at__isnull', True)), fields=['created_at'], name='notif_unread_recent_idx'),
        ),
        migrations.RunPython(preferences_per_kind, preferences_per_group),
        migrations.DeleteModel(
            name='EmailPreference',
        ),
    ]
