"""Name search in the catalogue: a trigram GIN index on UPPER(repo_id), the expression
`repo_id__icontains` filters on. PostgreSQL only; SQLite (the embedded demo) gets no index."""

import django.contrib.postgres.indexes
import django.contrib.postgres.operations
import django.db.models.functions.text
from django.db import migrations

from apps.core.migration_operations import AddIndexOnPostgreSQL


class TrigramExtensionKept(django.contrib.postgres.operations.TrigramExtension):
    """pg_trgm, created on PostgreSQL only (CreateExtension checks that itself). Reversing keeps it:
    other indexes may use it, and the stock reverse would query pg_extension on SQLite too."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        pass


class Migration(migrations.Migration):

    dependencies = [
        ('hub', '0001_initial'),
    ]

    operations = [
        TrigramExtensionKept(),
        AddIndexOnPostgreSQL(
            model_name='hubrepository',
            index=django.contrib.postgres.indexes.GinIndex(django.contrib.postgres.indexes.OpClass(django.db.models.functions.text.Upper('repo_id'), name='gin_trgm_ops'), name='hub_repo_id_trgm_idx'),
        ),
    ]
