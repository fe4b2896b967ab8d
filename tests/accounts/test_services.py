from datetime import timedelta

import pytest
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.services import unverified_accounts_purge
from tests.accounts.factories import UserFactory
from tests.notifications.live_stack import wait_until
from workers.accounts import purge_unverified_accounts


def age(user, days):
    User.objects.filter(pk=user.pk).update(date_joined=timezone.now() - timedelta(days=days))


@pytest.mark.django_db
def test_purge_removes_only_old_abandoned_signups():
    abandoned = UserFactory(verified=False)
    recent = UserFactory(verified=False)
    verified = UserFactory()
    logged_in = UserFactory(verified=False, last_login=timezone.now())
    staff = UserFactory(verified=False, is_staff=True)
    for user in (abandoned, verified, logged_in, staff):
        age(user, 30)
    age(recent, 2)

    assert unverified_accounts_purge() == 1
    remaining = set(User.objects.values_list("pk", flat=True))
    assert abandoned.pk not in remaining
    assert {recent.pk, verified.pk, logged_in.pk, staff.pk} <= remaining
    assert unverified_accounts_purge() == 0


@pytest.mark.django_db(transaction=True)
def test_purge_task_runs_on_a_real_worker_through_the_broker(celery_worker):
    abandoned = UserFactory(verified=False)
    age(abandoned, 30)
    purge = purge_unverified_accounts.delay()
    assert wait_until(lambda: celery_worker.ran(purge.id), timeout=20)
    assert not User.objects.filter(pk=abandoned.pk).exists()
