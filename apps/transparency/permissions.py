"""Who may do what in the transparency register; the one place these checks live."""

from apps.accounts import roles


def can_write_funding(user) -> bool:
    """Staff and auditors record and correct funding; everyone, signed in or not, reads."""
    return roles.has_role(user, roles.AUDITORS)
