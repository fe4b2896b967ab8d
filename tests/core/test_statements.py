"""Querysets compiled once per process (`apps.core.statements.CompiledQuery`): the same rows
and instances as the ORM's own queryset, built once, run on the caller's connection."""

import threading
from datetime import datetime, timedelta

import pytest
from django.db import connection, connections
from django.db.models import CharField, F, Value
from django.db.models.functions import Concat
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.accounts.models import User
from apps.core.statements import CompiledQuery
from apps.profiles.models import Profile
from tests.accounts.factories import UserFactory
from tests.profiles.factories import make_profile

pytestmark = pytest.mark.django_db


def _profiles(handle: str, joined_before: datetime, min_id: int):
    return (
        Profile.objects.select_related("user")
        .annotate(shown_as=Concat(F("handle"), Value(" · "), F("user__email"), output_field=CharField()))
        .filter(handle=handle, user__date_joined__lt=joined_before, user_id__gte=min_id)
        .order_by("pk")
    )


def test_it_returns_what_the_orm_returns_with_related_rows_and_annotations_for_any_values():
    built = []
    compiled = CompiledQuery(
        lambda **values: built.append(values) or _profiles(**values), handle=str, joined_before=datetime, min_id=int
    )
    profiles = [make_profile(UserFactory(), handle=f"persona{i}") for i in range(3)]
    later = timezone.now() + timedelta(days=1)
    for profile in profiles + [None]:
        values = {"handle": profile.handle if profile else "nadie", "joined_before": later, "min_id": 0}
        expected = list(_profiles(**values))
        with CaptureQueriesContext(connection) as queries:
            got = compiled.list(**values)
        assert [(p.pk, p.shown_as, p.user.email) for p in got] == [(p.pk, p.shown_as, p.user.email) for p in expected]
        assert len(queries) == 1  # the member came with the profile
    assert compiled.first(handle=profiles[0].handle, joined_before=profiles[0].user.date_joined, min_id=0) is None
    assert compiled.first(handle=profiles[1].handle, joined_before=later, min_id=profiles[1].user_id + 1) is None
    assert len(built) == 1  # built and compiled once, for the first call


def test_values_that_would_change_the_sql_or_the_wrong_kind_are_refused():
    compiled = CompiledQuery(lambda email: User.objects.filter(email__icontains=email), email=str)
    with pytest.raises(ValueError, match="email"):  # Django wraps it in %…%: not a plain parameter
        compiled.list(email="ana")
    by_id = CompiledQuery(lambda pk: User.objects.filter(pk=pk), pk=int)
    for wrong in ({"pk": None}, {"pk": "1"}, {"pk": True}, {}, {"pk": 1, "other": 2}):
        with pytest.raises(TypeError):
            by_id.list(**wrong)


def test_it_runs_on_the_calling_threads_connection_and_transaction_not_the_compiling_ones():
    by_email = CompiledQuery(lambda email: User.objects.filter(email=email), email=str)

    def compile_elsewhere():
        assert by_email.list(email="nadie@example.org") == []
        connections.close_all()

    elsewhere = threading.Thread(target=compile_elsewhere)
    elsewhere.start()
    elsewhere.join()
    member = UserFactory()  # not committed (the test's transaction): only this thread sees it
    assert [user.pk for user in by_email.list(email=member.email)] == [member.pk]


def test_a_big_integer_column_gets_its_value_in_the_type_django_gave_the_stand_in():
    from apps.chat.models import Room

    room = Room.objects.create(kind="hackathon", object_id=7)
    by_target = CompiledQuery(lambda object_id: Room.objects.filter(kind="hackathon", object_id=object_id), object_id=int)
    assert [found.pk for found in by_target.list(object_id=7)] == [room.pk]
    assert by_target.list(object_id=8) == []
