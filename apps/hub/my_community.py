"""The Hub's share of "My community": repositories the member is behind, most downloaded first."""

from apps.core.my_community import MyCommunityPart
from apps.hub.models import HubRepository


def hub_part(*, user, now, horizon) -> MyCommunityPart:
    repositories = list(
        HubRepository.objects.filter(owner__members=user, removed_at__isnull=True)
        .select_related("owner").order_by("-downloads", "repo_id")[:8]
    )
    return MyCommunityPart({"repositories": repositories})
