import django.db.models.deletion
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import migrations, models
from django.utils import timezone


def move_sessions(apps, schema_editor):
    """Members stay signed in across the deploy: each live session moves to the new table
    with its member's id read from its data; nothing stays behind in the old one."""
    Session = apps.get_model("sessions", "Session")
    MemberSession = apps.get_model("accounts", "MemberSession")
    User = apps.get_model("accounts", "User")
    store = SessionStore()
    live = Session.objects.filter(expire_date__gt=timezone.now()).order_by("pk")
    last_key = ""
    while batch := list(live.filter(pk__gt=last_key)[:5000]):
        last_key = batch[-1].pk
        user_ids = {row.pk: store.decode(row.session_data).get(SESSION_KEY) for row in batch}
        named = [int(value) for value in user_ids.values() if value and value.isdigit()]
        existing = {str(pk) for pk in User.objects.filter(pk__in=named).values_list("pk", flat=True)}
        MemberSession.objects.bulk_create(
            [
                MemberSession(session_key=row.pk, session_data=row.session_data, expire_date=row.expire_date,
                              user_id=int(user_ids[row.pk]) if user_ids[row.pk] in existing else None)
                for row in batch
            ],
            ignore_conflicts=True,
        )
    Session.objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0008_user_language_five'),
        ('sessions', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='MemberSession',
            fields=[
                ('session_key', models.CharField(max_length=40, primary_key=True, serialize=False, verbose_name='session key')),
                ('session_data', models.TextField(verbose_name='session data')),
                ('expire_date', models.DateTimeField(db_index=True, verbose_name='expire date')),
                ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='sessions', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'session',
                'verbose_name_plural': 'sessions',
                'abstract': False,
            },
        ),
        migrations.RunPython(move_sessions, migrations.RunPython.noop),
    ]
