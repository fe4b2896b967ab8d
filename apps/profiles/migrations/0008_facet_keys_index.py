"""A GIN index on the profiles' facet keys, which skill and language filters read
(`facet_keys @> '["skill:nlp"]'`). PostgreSQL only; SQLite (the embedded demo) gets no index."""

import django.contrib.postgres.indexes
from django.db import migrations

from apps.core.migration_operations import AddIndexOnPostgreSQL


class Migration(migrations.Migration):

    dependencies = [
        ("profiles", "0007_first_steps"),
    ]

    operations = [
        AddIndexOnPostgreSQL(
            model_name="profile",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.indexes.OpClass("facet_keys", name="jsonb_path_ops"),
                name="profiles_facet_keys_gin",
            ),
        ),
    ]
