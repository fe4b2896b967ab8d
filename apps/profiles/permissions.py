"""Who may do what with profiles: the per-object checks of the app, in one place."""

from apps.accounts import roles
from apps.profiles.choices import Listing, listing_of


def is_staff(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.is_staff)


def can_view_profile(user, profile) -> bool:
    """The same rule as `selectors.profile_visible_to`, for one profile already loaded."""
    if profile.user_id == getattr(user, "pk", None) or is_staff(user):
        return True
    listing = listing_of(profile.visibility, profile.user.is_active)
    if listing == Listing.NONE:
        return False
    return listing == Listing.PUBLIC or bool(user and user.is_authenticated)


def can_edit_profile(user, profile) -> bool:
    return bool(user and user.is_authenticated) and (profile.user_id == user.pk or is_staff(user))


def can_export_talent(user) -> bool:
    """Organisers (and staff) may download the recruiter-style CSV of a search."""
    return roles.has_role(user, roles.ORGANISERS)


def can_contact(user, profile) -> bool:
    return (
        bool(user and user.is_authenticated and user.is_active)
        and profile.user_id != user.pk
        and can_view_profile(user, profile)
    )


def can_answer_contact_request(user, contact_request) -> bool:
    return bool(user and user.is_authenticated) and contact_request.profile.user_id == user.pk
