"""Migration operations shared by the apps."""

from django.db import migrations


class AddIndexOnPostgreSQL(migrations.AddIndex):
    """An index (GIN, trigram…) in the model state everywhere, in the database on PostgreSQL only;
    SQLite (the embedded demo) skips it."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)
