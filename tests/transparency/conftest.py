import pytest
from django.contrib.auth.models import Group

from apps.accounts import roles
from tests.accounts.factories import UserFactory


@pytest.fixture
def auditor(db):
    user = UserFactory()
    user.groups.add(Group.objects.get_or_create(name=roles.AUDITORS)[0])
    return user


@pytest.fixture
def staff(db):
    return UserFactory(is_staff=True)


@pytest.fixture
def member(db):
    return UserFactory()


@pytest.fixture
def demo(db):
    """The demo's accounts, catalogue, compute and register, seeded the way `seed_demo` does."""
    from apps.accounts import demo as accounts_demo
    from apps.compute import demo as compute_demo
    from apps.hub import demo as hub_demo
    from apps.transparency import demo as transparency_demo

    people = accounts_demo.seed(lambda *a: None)
    for seeder in (hub_demo.seed, compute_demo.seed, transparency_demo.seed):
        seeder(lambda *a: None, people)
    return people


from tests.hub.conftest import fake_hub  # noqa: E402,F401 - the Hub imitation, shared with the hub tests
