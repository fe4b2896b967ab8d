"""Who may do what in the Hub catalogue; the one place these checks live."""

from apps.accounts import roles


def can_manage_owners(user) -> bool:
    """Staff and organisers add tracked owners and may sync any of them."""
    return roles.has_role(user, roles.ORGANISERS)


def can_sync_owner(user, owner) -> bool:
    """Managers, and the platform members linked to that Hub owner."""
    if not user.is_authenticated:
        return False
    return can_manage_owners(user) or owner.members.filter(pk=user.pk).exists()
