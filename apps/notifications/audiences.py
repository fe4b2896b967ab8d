"""Who an announcement can reach: a registry that other apps plug their audiences into.

An app registers one `AudienceProvider` per kind of audience (a hackathon's participants,
a meetup's attendees, a chapter's members) from its `AppConfig.ready`. Workers ask the
provider for recipients in id order, in batches, so an audience of any size is expanded
without loading it whole; pages ask it who may announce and how to describe the audience.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from apps.core.errors import InvalidInput


@dataclass(frozen=True)
class AudienceProvider:
    """`recipients(params)` returns a User queryset; `can_announce(user, params)` guards it.

    `subsets` maps the values a sender may pick for `params["subset"]` to their labels
    (for example confirmed, waitlisted, a team); `describe(params)` names the audience;
    `query_params` are the query-string keys the announcement page passes on as params;
    `about(params)` is the (name, url) of the event or group the audience belongs to, or None:
    announcements name it and link to it.
    """

    key: str
    label: str
    recipients: Callable[[dict], QuerySet]
    can_announce: Callable[[object, dict], bool]
    describe: Callable[[dict], str]
    subsets: dict[str, str] = field(default_factory=dict)
    query_params: tuple[str, ...] = ()
    about: Callable[[dict], tuple[str, str] | None] = lambda params: None


_PROVIDERS: dict[str, AudienceProvider] = {}


def register(provider: AudienceProvider) -> None:
    _PROVIDERS[provider.key] = provider


def provider_for(key: str) -> AudienceProvider:
    try:
        return _PROVIDERS[key]
    except KeyError:
        raise InvalidInput(errors={"audience": [_("Unknown audience.")]}) from None


def audience_recipients(key: str, params: dict) -> QuerySet:
    """Active members of the audience, in id order (the order workers expand in)."""
    return provider_for(key).recipients(params).filter(is_active=True).order_by("pk")


EVERYONE = "everyone"

register(
    AudienceProvider(
        key=EVERYONE,
        label=_("Every member"),
        recipients=lambda params: get_user_model().objects.all(),
        can_announce=lambda user, params: user.is_staff,
        describe=lambda params: str(_("every member of the community")),
    )
)
