"""Invariants under real concurrency: separate database connections in threads."""

import threading

import pytest
from django.db import connection

from apps.core.errors import ApplicationError
from apps.profiles import services
from apps.profiles.models import ContactRequest, Profile
from tests.accounts.factories import UserFactory
from tests.profiles.factories import make_profile


def run_together(*calls):
    """Start every call at once, each in its own thread and connection; return outcomes."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait()
            outcomes[index] = ("ok", call())
        except ApplicationError as exc:
            outcomes[index] = ("refused", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_two_members_claiming_the_same_handle_at_once_one_wins():
    first, second = make_profile(), make_profile()
    outcomes = run_together(
        lambda: services.profile_update(actor=first.user, profile=first, data={"handle": "la-buena"}),
        lambda: services.profile_update(actor=second.user, profile=second, data={"handle": "LA-BUENA"}),
    )
    assert sorted(kind for kind, _result in outcomes) == ["ok", "refused"]
    refused = next(result for kind, result in outcomes if kind == "refused")
    assert list(refused.errors) == ["handle"]
    assert Profile.objects.filter(handle__iexact="la-buena").count() == 1


@pytest.mark.django_db(transaction=True)
def test_double_sign_up_hook_makes_one_profile():
    user = UserFactory()
    outcomes = run_together(*[lambda: services.profile_ensure(user=user)] * 3)
    assert [kind for kind, _result in outcomes] == ["ok", "ok", "ok"]
    assert Profile.objects.filter(user=user).count() == 1


@pytest.mark.django_db(transaction=True)
def test_duplicate_contact_requests_sent_at_once_leave_one_pending():
    profile = make_profile()
    sender = UserFactory()
    outcomes = run_together(
        *[lambda: services.contact_request_send(sender=sender, profile=profile, message="hola, ¿hablamos?")] * 3
    )
    assert sorted(kind for kind, _result in outcomes) == ["ok", "refused", "refused"]
    assert ContactRequest.objects.filter(sender=sender, status="pending").count() == 1
