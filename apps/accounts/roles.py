"""Platform-wide roles, kept as Django groups so staff can grant them in the admin."""

ORGANISERS = "organisers"
COMPUTE_OPERATORS = "compute-operators"
# Record and correct public funding in the transparency register.
AUDITORS = "auditors"

ALL_ROLES = [ORGANISERS, COMPUTE_OPERATORS, AUDITORS]


def has_role(user, role: str) -> bool:
    """Staff hold every role; others need the group."""
    if not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    return any(group.name == role for group in user.groups.all())
