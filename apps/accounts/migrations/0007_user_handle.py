"""Every member gets a handle that does not come from their e-mail address.

Until now sign-up derived `username` from the address ("nueva.212255" for
nueva.212255@example.org), and talent profiles took their handle and display name from it,
so chat, Q&A and check-in lists showed part of everyone's address. Those handles are
replaced by one built from the member's name, or "member-" and six random characters;
handles members chose themselves are kept. Then `username` becomes unique
case-insensitively, as the handle it now is.
"""

import re
import secrets

from django.db import migrations, models
from django.db.models.functions import Lower
from django.utils.text import slugify


def _letters(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", (text or "").lower())


def derived_from_email(name: str, email: str) -> bool:
    """allauth built usernames from the local part, cut to length or with digits added."""
    name, local = _letters(name), _letters((email or "").split("@")[0])
    return bool(name and local) and (name.startswith(local) or local.startswith(name))


def _free(base: str, taken: set) -> str:
    candidate = base if base != "member" else f"member-{secrets.token_hex(3)}"
    while candidate.lower() in taken:
        candidate = f"{base}-{secrets.token_hex(3)}"
    taken.add(candidate.lower())
    return candidate


def give_handles(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    Profile = apps.get_model("profiles", "Profile")
    taken = {name.lower() for name in User.objects.values_list("username", flat=True)}
    taken |= {handle.lower() for handle in Profile.objects.values_list("handle", flat=True)}
    seen = set()
    for user in User.objects.order_by("pk").iterator():
        old = user.username
        if not derived_from_email(old, user.email) and old.lower() not in seen:
            seen.add(old.lower())
            continue
        full_name = f"{user.first_name} {user.last_name}".strip()
        base = slugify(full_name)[:32].strip("-")
        base = base if len(base) >= 3 else "member"  # a name may look like the address; it is still a name
        user.username = _free(base, taken)
        seen.add(user.username.lower())
        user.save(update_fields=["username"])
        profile = Profile.objects.filter(user=user).first()
        if profile is None:
            continue
        if derived_from_email(profile.handle, user.email) or profile.handle.lower() == old.lower():
            profile.handle = user.username
        if profile.display_name.lower() in (old.lower(), user.email.split("@")[0].lower()):
            profile.display_name = (full_name or user.username)[:100]
        profile.save(update_fields=["handle", "display_name"])


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0006_verbose_names"),
        ("profiles", "0005_verbose_names"),
    ]

    operations = [
        migrations.RunPython(give_handles, migrations.RunPython.noop, elidable=True),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.UniqueConstraint(Lower("username"), name="accounts_user_handle_ci_unique"),
        ),
    ]
