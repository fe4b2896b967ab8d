"""The member's API tokens as the token page lists them."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.accounts import selectors
from apps.accounts.models import ApiToken
from apps.accounts.services import api_token_create
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_only_the_members_own_tokens_that_still_work_newest_first():
    member, other = UserFactory(), UserFactory()
    older, _ = api_token_create(user=member, name="old")
    newer, _ = api_token_create(user=member, name="new")
    expired, _ = api_token_create(user=member, name="expired")
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    ApiToken.objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(days=1))
    api_token_create(user=other, name="theirs")
    assert list(selectors.api_tokens_of(user=member)) == [newer, older]
