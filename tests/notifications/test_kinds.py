"""The registry of kinds is complete, and the group preferences of before carry over per kind."""

import re
from importlib import import_module
from pathlib import Path

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from apps.notifications.kinds import KINDS
from tests.accounts.factories import UserFactory

APPS = Path(__file__).resolve().parents[2] / "apps"
# How services name the kinds they emit: `kind="compute.decision"`, hackathon event
# constants, and the meetups helper `_tell("place_offered", ...)`.
EMITTED = [
    (re.compile(r'kind="([a-z_]+\.[a-z_]+)"'), "{}"),
    (re.compile(r'^[A-Z_]+ = "((?:hackathons|announcements)\.[a-z_]+)"', re.M), "{}"),
    (re.compile(r'_tell\(\s*"([a-z_]+)"'), "meetups.{}"),
]


def _emitted_kinds() -> set[str]:
    found = set()
    for path in APPS.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        text = path.read_text()
        for pattern, template in EMITTED:
            found.update(template.format(name) for name in pattern.findall(text))
    return found


def test_every_kind_the_code_emits_is_registered_and_every_registered_kind_is_emitted():
    emitted = _emitted_kinds()
    assert len(emitted) > 25  # the scan really finds them
    assert emitted == set(KINDS)


MIGRATION_BEFORE = [("notifications", "0006_verbose_names")]
MIGRATION_AFTER = [("notifications", "0007_preferences_per_kind")]


@pytest.mark.django_db(transaction=True)
def test_group_choices_become_per_kind_choices_and_come_back():
    quiet, digests, everything_off, untouched = (UserFactory() for _ in range(4))
    executor = MigrationExecutor(connection)
    executor.migrate(MIGRATION_BEFORE)
    try:
        old_apps = executor.loader.project_state(MIGRATION_BEFORE).apps
        EmailPreference = old_apps.get_model("notifications", "EmailPreference")
        EmailPreference.objects.bulk_create([
            EmailPreference(user_id=quiet.pk, group="compute", mode="off"),
            EmailPreference(user_id=digests.pk, group="meetups", mode="digest"),
            EmailPreference(user_id=everything_off.pk, group="all", mode="off"),
        ])
        executor = MigrationExecutor(connection)
        executor.migrate(MIGRATION_AFTER)
        new_apps = executor.loader.project_state(MIGRATION_AFTER).apps
        Preference = new_apps.get_model("notifications", "NotificationPreference")
        stored = {}
        for user_id, kind, mode in Preference.objects.values_list("user_id", "kind", "mode"):
            stored.setdefault(user_id, {})[kind] = mode
        # The kinds the migration knew: kinds added later (compute.scheduler_drift) start at their default.
        frozen = import_module("apps.notifications.migrations.0007_preferences_per_kind").KINDS_BY_GROUP
        assert stored[quiet.pk] == {kind: "off" for kind in frozen["compute"]}
        # Every meetup kind in the digest; those whose default is already the digest need no row.
        assert stored[digests.pk] == {
            kind: "digest" for kind, k in KINDS.items() if kind.startswith("meetups.") and k.default != "digest"
        }
        assert stored[everything_off.pk] == {"all": "off"}
        assert untouched.pk not in stored

        executor = MigrationExecutor(connection)
        executor.migrate(MIGRATION_BEFORE)
        old_apps = executor.loader.project_state(MIGRATION_BEFORE).apps
        back = old_apps.get_model("notifications", "EmailPreference").objects.values_list("user_id", "group", "mode")
        assert sorted(back) == sorted([
            (quiet.pk, "compute", "off"), (digests.pk, "meetups", "digest"), (everything_off.pk, "all", "off"),
        ])
    finally:
        MigrationExecutor(connection).migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
