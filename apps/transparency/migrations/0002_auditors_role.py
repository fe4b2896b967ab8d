from django.db import migrations


def create_auditors(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name="auditors")


class Migration(migrations.Migration):
    dependencies = [
        ("transparency", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_auditors, migrations.RunPython.noop)]
