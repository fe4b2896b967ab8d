import factory
from allauth.account.models import EmailAddress

from apps.accounts.models import User

PASSWORD = "a-long-test-password-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    # The handle is chosen at sign-up and has nothing to do with the address, as on the site.
    username = factory.Sequence(lambda n: f"person-{n}")
    email = factory.Sequence(lambda n: f"inbox.{n}@example.org")
    first_name = factory.Faker("first_name", locale="es_ES")
    last_name = factory.Faker("last_name", locale="es_ES")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified(user, create, extracted, **kwargs):
        """Users have a verified primary address unless `verified=False` is passed."""
        if create:
            EmailAddress.objects.create(
                user=user, email=user.email, primary=True, verified=extracted is not False
            )


def api_token_key(user, **kwargs) -> str:
    """The key of a new API token for `user`, made through the service members use."""
    from apps.accounts.services import api_token_create

    return api_token_create(user=user, name="test", **kwargs)[1]
