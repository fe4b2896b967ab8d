"""Writes on profiles: saving a profile and its skills, avatars and contact requests (the
member's data rights in profiles: data_rights.py)."""

from collections import Counter, defaultdict
from datetime import timedelta

from django.contrib.postgres.search import SearchVector
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import F, TextField, Value
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from apps.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from apps.core.images import image_reencoded
from apps.core.summaries import invalidate
from apps.hub.services import tracked_owner_ensure
from apps.notifications.services import notify
from apps.profiles import linked_accounts, permissions, pool, validation
from apps.profiles.choices import ISO_639_1, LanguageLevel, Region, SkillLevel, Visibility, listing_of
from apps.profiles.models import (
    ContactRequest, FirstSteps, Profile, ProfileLanguage, ProfileSkill, Skill, TalentPoolCount,
)
from apps.profiles.selectors import FIRST_STEPS, fold_accents, with_handle

MAX_BIO_LENGTH = 5000
MAX_AVATAR_BYTES = 2 * 1024 * 1024
AVATAR_SIZE = 400
CONTACT_REQUESTS_PER_DAY = 10

# Fields a member edits directly, with the check that normalises each one.
EDITABLE_FIELDS = {
    "handle": validation.clean_handle,
    "display_name": None,
    "headline": None,
    "bio": None,
    "region": None,
    "country": None,
    "city": None,
    "affiliation_name": None,
    "affiliation_kind": None,
    "hf_username": validation.clean_hf_username,
    "github_username": validation.clean_github_username,
    "orcid": lambda value: validation.normalise_orcid(value) if (value or "").strip() else "",
    "website": validation.clean_website,
    "open_to_jobs": None,
    "open_to_collaboration": None,
    "open_to_mentoring": None,
    "looking_for_team": None,
    "contactable": None,
    "visibility": None,
}


# --- Creating and saving profiles ----------------------------------------------------


def _free_handle(base: str) -> str:
    base = (slugify(base)[:32].strip("-") or "member").lower()
    if len(base) < 3 or base in validation.RESERVED_HANDLES:
        base = f"{base}-ai".strip("-")
    taken = set(
        Profile.objects.annotate(handle_lower=Lower("handle"))
        .filter(handle_lower__startswith=base)
        .values_list("handle_lower", flat=True)
    )
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def profile_ensure(*, user) -> Profile:
    """The member's profile, created on first need with a free handle (members only)."""
    existing = Profile.objects.filter(user=user).first()
    if existing:
        return existing
    name = user.get_full_name() or user.username
    for _attempt in range(3):
        try:
            with transaction.atomic():
                profile, _created = Profile.objects.get_or_create(
                    user=user,
                    defaults={
                        "handle": _free_handle(user.username),
                        "display_name": name[:100],
                    },
                )
                _search_vector_refresh(profile)
                return profile
        except IntegrityError:
            continue  # a handle taken by a concurrent sign-up: pick again
    raise Conflict(_("Could not choose a free handle; please try again."))


def _clean_fields(profile: Profile, data: dict) -> tuple[dict, dict]:
    cleaned, errors = {}, {}
    for field, value in data.items():
        if field not in EDITABLE_FIELDS:
            continue
        check = EDITABLE_FIELDS[field]
        if isinstance(value, str):
            value = value.strip()
        try:
            cleaned[field] = check(value) if check else value
        except ValidationError as exc:
            errors[field] = [str(m) for m in exc.messages]
    if "handle" in cleaned:
        clash = (
            with_handle(Profile.objects.exclude(pk=profile.pk), cleaned["handle"]).exists()
        )
        if clash:
            errors["handle"] = [_("This handle is already taken.")]
    if len(cleaned.get("bio") or "") > MAX_BIO_LENGTH:
        errors["bio"] = [_("Keep it under %(max)d characters.") % {"max": MAX_BIO_LENGTH}]
    return cleaned, errors


def _clean_skills(items) -> tuple[list[tuple[Skill, int]], list[str]]:
    errors = []
    slugs = [str(item.get("skill", "")) for item in items]
    known = {skill.slug: skill for skill in Skill.objects.filter(slug__in=slugs, is_active=True)}
    result, seen = [], set()
    for slug, item in zip(slugs, items, strict=True):
        if slug not in known:
            errors.append(_("Unknown skill: %(skill)s.") % {"skill": slug[:60]})
            continue
        if slug in seen:
            errors.append(_("%(skill)s is listed twice.") % {"skill": known[slug].label})
            continue
        seen.add(slug)
        try:
            level = int(item.get("level"))
        except (TypeError, ValueError):
            level = None
        if level not in SkillLevel.values:
            errors.append(_("Choose a level for %(skill)s.") % {"skill": known[slug].label})
            continue
        result.append((known[slug], level))
    return result, errors


def _clean_languages(items) -> tuple[list[tuple[str, str]], list[str]]:
    errors, result, seen = [], [], set()
    for item in items:
        code = str(item.get("code", "")).strip().lower()
        level = item.get("level")
        if code not in ISO_639_1:
            errors.append(_("Unknown language code: %(code)s.") % {"code": code[:8]})
        elif code in seen:
            errors.append(_("A language is listed twice: %(code)s.") % {"code": code})
        elif level not in LanguageLevel.values:
            errors.append(_("Choose a level for language %(code)s.") % {"code": code})
        else:
            seen.add(code)
            result.append((code, level))
    return result, errors


@transaction.atomic
def profile_update(
    *, actor, profile: Profile, data: dict, skills: list[dict] | None = None,
    languages: list[dict] | None = None,
) -> Profile:
    """Change a profile; `skills` ([{skill, level}]) and `languages` ([{code, level}]),
    when given, replace the current lists. All errors come back together, by field."""
    if not permissions.can_edit_profile(actor, profile):
        raise NotAllowed()
    cleaned, errors = _clean_fields(profile, data)
    skill_rows, skill_errors = _clean_skills(skills) if skills is not None else (None, [])
    language_rows, language_errors = (
        _clean_languages(languages) if languages is not None else (None, [])
    )
    if skill_errors:
        errors["skills"] = skill_errors
    if language_errors:
        errors["languages"] = language_errors

    for field, value in cleaned.items():
        setattr(profile, field, value)
    if {"hf_username", "github_username"} & cleaned.keys():
        linked_accounts.verification_apply(profile, linked_accounts.proven_usernames(profile.user))
    if profile.region != Region.OTHER_COUNTRY:
        profile.country = ""
    elif not profile.country and "country" not in errors:
        errors["country"] = [_("Tell us which country you live in.")]
    try:
        profile.full_clean(exclude=["user", "avatar", "search_vector"], validate_constraints=False)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise InvalidInput(errors=errors)

    try:
        with transaction.atomic():
            profile.save()
    except IntegrityError as exc:  # a concurrent save took the same handle
        raise InvalidInput(errors={"handle": [_("This handle is already taken.")]}) from exc
    if skill_rows is not None:
        ProfileSkill.objects.filter(profile=profile).delete()
        ProfileSkill.objects.bulk_create(
            ProfileSkill(profile=profile, skill=skill, level=level) for skill, level in skill_rows
        )
    if language_rows is not None:
        ProfileLanguage.objects.filter(profile=profile).delete()
        ProfileLanguage.objects.bulk_create(
            ProfileLanguage(profile=profile, code=code, level=level) for code, level in language_rows
        )
    _search_vector_refresh(profile)
    talent_pool_refresh(profile_ids=[profile.pk])
    hub_account_track(profile=profile)
    return profile


@transaction.atomic
def linked_accounts_refresh(*, user) -> Profile:
    """After a Hugging Face or GitHub login was connected, updated or removed: take the
    proven usernames onto the profile and follow the proven Hub account."""
    profile = profile_ensure(user=user)
    linked_accounts.verification_apply(profile, linked_accounts.proven_usernames(user))
    profile.save(update_fields=["hf_username", "hf_verified", "github_username", "github_verified", "updated_at"])
    hub_account_track(profile=profile)
    return profile


def hub_account_track(*, profile: Profile) -> None:
    """Follow the member's Hugging Face account in the catalogue (idempotent), so their
    repositories and download numbers show up; hidden profiles keep it to themselves.
    Only an account the member proved by logging in to Hugging Face is followed."""
    if profile.visibility == Visibility.HIDDEN or not profile.hf_username or not profile.hf_verified:
        return
    tracked_owner_ensure(name=profile.hf_username, kind="user", member=profile.user)


def _search_vector_refresh(profile: Profile) -> None:
    """Store the weighted full-text document of a profile (PostgreSQL only).

    SQLite (the embedded demo) searches with icontains instead and needs nothing stored.
    """
    if connection.vendor != "postgresql":
        return
    skills = " ".join(
        f"{name} {name_es}"
        for name, name_es in Skill.objects.filter(profile_skills__profile=profile).values_list(
            "name", "name_es"
        )
    )

    def part(text, weight):
        folded = fold_accents(text)
        return SearchVector(Value(folded, output_field=TextField()), weight=weight, config="simple")

    Profile.objects.filter(pk=profile.pk).update(
        search_vector=part(f"{profile.display_name} {profile.handle}", "A")
        + part(skills, "A")
        + part(profile.headline, "B")
        + part(f"{profile.affiliation_name} {profile.city}", "C")
        + part(profile.bio, "D")
    )


def profile_reindex(*, profile: Profile) -> None:
    """Refresh the search document and the pool's listing after a change made outside
    `profile_update` (admin)."""
    _search_vector_refresh(profile)
    talent_pool_refresh(profile_ids=[profile.pk])


def skill_taxonomy_changed(*, skill_ids: list[int]) -> int:
    """Re-index the profiles that list skills renamed in the admin."""
    profiles = Profile.objects.filter(skills__skill_id__in=skill_ids).distinct()
    for profile in profiles:
        _search_vector_refresh(profile)
    talent_pool_refresh(profile_ids=[profile.pk for profile in profiles])
    return len(profiles)


# --- The talent pool's listing and counts ---------------------------------------------


@transaction.atomic
def talent_pool_refresh(*, profile_ids) -> int:
    """Put these profiles' listing and facet keys on their rows and move the pool's counts
    by the difference; returns how many changed.

    Every write that changes who finds a profile or what it counts under ends here, in its
    own transaction: lists, totals and facets show the change at once. The rows are locked
    (in id order) so two refreshes of one profile never both apply the same difference."""
    ids = sorted(set(profile_ids))
    if not ids:
        return 0
    profiles = list(
        Profile.objects.select_for_update(of=("self",)).filter(pk__in=ids).select_related("user").order_by("pk")
    )
    skills, languages = defaultdict(list), defaultdict(list)
    for profile_id, slug in ProfileSkill.objects.filter(profile_id__in=ids).values_list("profile_id", "skill__slug"):
        skills[profile_id].append(slug)
    for profile_id, code in ProfileLanguage.objects.filter(profile_id__in=ids).values_list("profile_id", "code"):
        languages[profile_id].append(code)
    deltas, changed = Counter(), []
    for profile in profiles:
        listing = listing_of(profile.visibility, profile.user.is_active)
        keys = pool.facet_keys(profile, skills[profile.pk], languages[profile.pk])
        if (listing, keys) == (profile.listed_for, profile.facet_keys):
            continue
        deltas.subtract(pool.contributions(profile.listed_for, profile.facet_keys))
        deltas.update(pool.contributions(listing, keys))
        profile.listed_for, profile.facet_keys = listing, keys
        changed.append(profile)
    Profile.objects.bulk_update(changed, ["listed_for", "facet_keys"])
    _pool_counts_move(deltas)
    if changed:
        invalidate("profiles")
    return len(changed)


def _pool_counts_move(deltas: Counter) -> None:
    """Add each difference to its count, creating counts on first use; in key order, so
    concurrent refreshes lock the shared rows in the same order."""
    moves = sorted((key, n) for key, n in deltas.items() if n)
    if not moves:
        return
    existing = {
        (row.audience, row.key): row
        for row in TalentPoolCount.objects.select_for_update().filter(
            audience__in={audience for (audience, _key), _n in moves}, key__in={key for (_a, key), _n in moves}
        ).order_by("audience", "key")
    }
    TalentPoolCount.objects.bulk_create(
        [TalentPoolCount(audience=audience, key=key, n=0) for (audience, key), _n in moves
         if (audience, key) not in existing],
        ignore_conflicts=True,  # a concurrent refresh created it first; it is locked below
    )
    for (audience, key), n in moves:
        TalentPoolCount.objects.filter(audience=audience, key=key).update(n=F("n") + n)


@transaction.atomic
def talent_pool_forget(*, profile_id: int) -> None:
    """Take a profile about to be deleted out of the pool's counts."""
    profile = Profile.objects.select_for_update().filter(pk=profile_id).first()
    if profile is None or profile.facet_keys is None:
        return
    deltas = Counter()
    deltas.subtract(pool.contributions(profile.listed_for, profile.facet_keys))
    _pool_counts_move(deltas)
    Profile.objects.filter(pk=profile_id).update(facet_keys=None)
    invalidate("profiles")


def talent_pool_rebuild() -> int:
    """Recompute every profile's listing and keys and count the pool from scratch: after
    bulk loads (seeding, migrations) and to repair counts by hand (docs/operations.md)."""
    with transaction.atomic():
        Profile.objects.update(facet_keys=None)
        TalentPoolCount.objects.all().delete()
    ids = list(Profile.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), 2000):
        talent_pool_refresh(profile_ids=ids[start:start + 2000])
    return len(ids)


# --- Avatars ---------------------------------------------------------------------------


def avatar_prepare(upload) -> ContentFile:
    """A square JPEG of bounded size, without the uploaded file's metadata."""
    return image_reencoded(
        upload, field="avatar", max_bytes=MAX_AVATAR_BYTES, size=(AVATAR_SIZE, AVATAR_SIZE), crop=True
    )


def _delete_file_after_commit(name: str, storage) -> None:
    if name:
        transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def profile_avatar_set(*, actor, profile: Profile, upload) -> Profile:
    if not permissions.can_edit_profile(actor, profile):
        raise NotAllowed()
    content = avatar_prepare(upload)
    old = profile.avatar.name
    profile.avatar.save(content.name, content, save=False)
    profile.save(update_fields=["avatar", "updated_at"])
    _delete_file_after_commit(old, profile.avatar.storage)
    return profile


@transaction.atomic
def profile_avatar_remove(*, actor, profile: Profile) -> Profile:
    if not permissions.can_edit_profile(actor, profile):
        raise NotAllowed()
    _delete_file_after_commit(profile.avatar.name, profile.avatar.storage)
    profile.avatar = ""
    profile.save(update_fields=["avatar", "updated_at"])
    return profile


# --- Contact requests --------------------------------------------------------------------


def _contact_inbox_url() -> str:
    return reverse("profiles:contacts")


@transaction.atomic
def contact_request_send(*, sender, profile: Profile, message: str) -> ContactRequest:
    """Ask a member to get in touch; they see the message, never the sender's e-mail."""
    if not permissions.can_contact(sender, profile):
        raise NotAllowed(_("You cannot contact this member."))
    message = (message or "").strip()
    if not 10 <= len(message) <= 2000:
        raise InvalidInput(
            errors={"message": [_("Write between 10 and 2000 characters about why you get in touch.")]}
        )
    since = timezone.now() - timedelta(days=1)
    if ContactRequest.objects.filter(sender=sender, created_at__gte=since).count() >= CONTACT_REQUESTS_PER_DAY:
        raise NotAllowed(_("You have sent many contact requests today. Please try again tomorrow."))
    if ContactRequest.objects.filter(
        sender=sender, profile=profile, status=ContactRequest.Status.PENDING
    ).exists():
        raise Conflict(_("You already have a pending request to this member."))
    try:
        with transaction.atomic():
            contact = ContactRequest.objects.create(sender=sender, profile=profile, message=message)
    except IntegrityError as exc:
        raise Conflict(_("You already have a pending request to this member.")) from exc
    sender_name = sender.public_name
    notify(
        recipients=[profile.user],
        kind="profiles.contact_request",
        title=lambda: _("%(name)s would like to get in touch") % {"name": sender_name},
        body=message,
        url=_contact_inbox_url(),
    )
    return contact




def _pending_request_for(actor, request_id: int) -> ContactRequest:
    contact = (
        ContactRequest.objects.select_for_update()
        .select_related("profile", "sender")
        .filter(pk=request_id)
        .first()
    )
    if contact is None or not permissions.can_answer_contact_request(actor, contact):
        raise NotFound()
    if contact.status != ContactRequest.Status.PENDING:
        raise Conflict(_("This request has already been answered."))
    return contact


@transaction.atomic
def contact_request_accept(*, actor, request_id: int, reply: str) -> ContactRequest:
    """Accept with a reply telling the sender how to reach you (your choice of channel)."""
    reply = (reply or "").strip()
    if not 2 <= len(reply) <= 2000:
        raise InvalidInput(
            errors={"reply": [_("Tell them how to reach you, for example a link or a time to talk.")]}
        )
    contact = _pending_request_for(actor, request_id)
    contact.status = ContactRequest.Status.ACCEPTED
    contact.reply = reply
    contact.responded_at = timezone.now()
    contact.save(update_fields=["status", "reply", "responded_at"])
    notify(
        recipients=[contact.sender],
        kind="profiles.contact_request",
        title=lambda: _("%(name)s accepted your contact request") % {"name": contact.profile.display_name},
        body=reply,
        url=_contact_inbox_url(),
    )
    return contact


@transaction.atomic
def contact_request_decline(*, actor, request_id: int) -> ContactRequest:
    """Decline quietly: the sender sees the status in their list, with no notification."""
    contact = _pending_request_for(actor, request_id)
    contact.status = ContactRequest.Status.DECLINED
    contact.responded_at = timezone.now()
    contact.save(update_fields=["status", "responded_at"])
    return contact


def first_steps_begin(*, user) -> FirstSteps:
    """A new account starts the guided setup (its sign-up); idempotent."""
    return FirstSteps.objects.get_or_create(user=user)[0]


@transaction.atomic
def first_step_pass(*, user, step: str) -> list[str]:
    """Mark a step saved or skipped; the last one finishes the setup. Returns the steps left."""
    if step not in FIRST_STEPS:
        raise NotFound()
    first_steps = FirstSteps.objects.select_for_update().filter(user=user).first()
    if first_steps is None or first_steps.finished_at is not None:
        return []
    if step not in first_steps.passed:
        first_steps.passed = [*first_steps.passed, step]
    remaining = [name for name in FIRST_STEPS if name not in first_steps.passed]
    if not remaining:
        first_steps.finished_at = timezone.now()
    first_steps.save(update_fields=["passed", "finished_at"])
    return remaining
