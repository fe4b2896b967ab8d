"""Reads on profiles. `profile_visible_to` is the one place that decides who sees whom:
pages, the API, search, facets, the CSV export and other apps all start from it."""

import re
import unicodedata
from dataclasses import dataclass, field, replace

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import Lower
from django.utils.translation import get_language

from apps.core.summaries import Summary
from apps.profiles import permissions
from apps.profiles.choices import AVAILABILITY, AffiliationKind, Region, Visibility, language_name
from apps.profiles.models import ContactRequest, Profile, ProfileLanguage, ProfileSkill, Skill

SORTS = ("relevance", "recent", "name")
# What facet counts and page totals of the talent search are recomputed after. An account
# switched off in the admin (is_active) shows within SUMMARY_MAX_AGE; deletion through
# account_delete changes the profile itself.
TALENT_TOPICS = ("profiles",)
TALENT_FACETS = Summary("talent-facets", TALENT_TOPICS)
OWN_PROFILE_UNLISTED = Summary("own-profile-unlisted", ("profiles",))


def profile_visible_to(viewer) -> QuerySet[Profile]:
    """Profiles the viewer may see: staff everything, members public and members-only
    profiles (and their own), anonymous visitors public profiles only."""
    profiles = Profile.objects.all()
    if permissions.is_staff(viewer):
        return profiles
    if viewer is not None and viewer.is_authenticated:
        return profiles.filter(
            Q(user=viewer)
            | Q(visibility__in=[Visibility.PUBLIC, Visibility.MEMBERS], user__is_active=True)
        )
    return profiles.filter(visibility=Visibility.PUBLIC, user__is_active=True)


def _with_lists(profiles: QuerySet[Profile]) -> QuerySet[Profile]:
    """Skills (with their taxonomy entry) and languages in two queries per page."""
    return profiles.prefetch_related(
        Prefetch("skills", queryset=ProfileSkill.objects.select_related("skill")),
        "languages",
    )


def with_handle(profiles: QuerySet[Profile], handle: str) -> QuerySet[Profile]:
    """Case-insensitive match that uses the Lower(handle) unique index."""
    return profiles.alias(handle_lower=Lower("handle")).filter(handle_lower=handle.lower())


def profile_detail(*, viewer, handle: str) -> Profile | None:
    return _with_lists(with_handle(profile_visible_to(viewer), handle)).first()


def profile_of(user) -> Profile | None:
    return _with_lists(Profile.objects.filter(user=user)).first()


@dataclass
class TalentSearch:
    """What a talent-pool search asks for; built from query parameters by pages and API."""

    q: str = ""
    skills: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    affiliation_kinds: list[str] = field(default_factory=list)
    availability: list[str] = field(default_factory=list)
    sort: str = "relevance"

    @classmethod
    def from_params(cls, params) -> "TalentSearch":
        def clean(value: str) -> str:
            # PostgreSQL refuses NUL characters in text: drop them rather than fail with a 500.
            return value.replace("\x00", "").strip()

        def many(name, allowed=None):
            values = [clean(v)[:60] for v in params.getlist(name) if clean(v)][:20]
            return [v for v in values if allowed is None or v in allowed]

        sort = params.get("sort", "relevance")
        return cls(
            q=clean(params.get("q") or "")[:200],
            skills=many("skill"),
            languages=many("language"),
            regions=many("region", set(Region.values)),
            affiliation_kinds=many("kind", set(AffiliationKind.values)),
            availability=many("available", {name for name, _label in AVAILABILITY}),
            sort=sort if sort in SORTS else "relevance",
        )

    @property
    def is_filtered(self) -> bool:
        return bool(
            self.q or self.skills or self.languages or self.regions or self.affiliation_kinds
            or self.availability
        )


def fold_accents(text: str) -> str:
    """'Visión' → 'vision': documents and queries are folded alike, so accents never matter
    (without needing PostgreSQL's unaccent extension)."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(char for char in decomposed if not unicodedata.combining(char)).lower()


def _tsquery(text: str) -> SearchQuery | None:
    """Every word must match, each as a prefix ('vis' finds 'vision')."""
    words = re.findall(r"\w+", fold_accents(text))[:10]
    if not words:
        return None
    return SearchQuery(" & ".join(f"{w}:*" for w in words), search_type="raw", config="simple")


def _text_filter(profiles: QuerySet[Profile], text: str) -> QuerySet[Profile]:
    if connection.vendor == "postgresql":
        query = _tsquery(text)
        if query is None:
            return profiles
        return profiles.filter(search_vector=query).annotate(rank=SearchRank(F("search_vector"), query))
    # The embedded SQLite demo: every word somewhere in the name, headline, bio or skills.
    for word in text.split()[:10]:
        skill_match = ProfileSkill.objects.filter(
            Q(skill__name__icontains=word) | Q(skill__name_es__icontains=word),
            profile=OuterRef("pk"),
        )
        profiles = profiles.filter(
            Q(display_name__icontains=word) | Q(headline__icontains=word)
            | Q(bio__icontains=word) | Q(handle__icontains=word) | Exists(skill_match)
        )
    return profiles


def _matching(viewer, search: TalentSearch, *, widen: bool = False) -> QuerySet[Profile]:
    """Visible profiles matching a search; `widen` leaves out the region and kind filters,
    which the facets count as "what you would get by ticking this one too"."""
    profiles = profile_visible_to(viewer)
    for slug in search.skills:
        profiles = profiles.filter(
            Exists(ProfileSkill.objects.filter(profile=OuterRef("pk"), skill__slug=slug))
        )
    for code in search.languages:
        profiles = profiles.filter(
            Exists(ProfileLanguage.objects.filter(profile=OuterRef("pk"), code=code))
        )
    if search.regions and not widen:
        profiles = profiles.filter(region__in=search.regions)
    if search.affiliation_kinds and not widen:
        profiles = profiles.filter(affiliation_kind__in=search.affiliation_kinds)
    for flag in search.availability:
        profiles = profiles.filter(**{flag: True})
    if search.q:
        profiles = _text_filter(profiles, search.q)
    return profiles


def talent_search(*, viewer, search: TalentSearch) -> QuerySet[Profile]:
    """Visible profiles matching a search, ordered, with skills and languages prefetched.

    Several skills or languages narrow the search (all of them); several regions or
    kinds of organisation widen it (any of them); availability flags all apply.
    """
    if search.sort == "name":
        order = [Lower("display_name"), "id"]
    elif search.sort == "relevance" and connection.vendor == "postgresql" and _tsquery(search.q) is not None:
        # Only a query with words is ranked ("¿?" or "++" filter nothing and have no rank).
        order = ["-rank", "-updated_at", "id"]
    else:
        order = ["-updated_at", "-id"]
    return _with_lists(_matching(viewer, search).order_by(*order))


def _all_of(*conditions: Q) -> Q | None:
    present = [condition for condition in conditions if condition]
    if not present:
        return None
    combined = present[0]
    for condition in present[1:]:
        combined &= condition
    return combined


def _facet_audience(viewer) -> tuple:
    """Whose view of the pool facet counts are shared by: staff, members or anonymous visitors.

    A member whose own profile is hidden also sees it, so their counts are their own."""
    if permissions.is_staff(viewer):
        return ("staff",)
    if viewer is None or not viewer.is_authenticated:
        return ("anonymous",)
    unlisted = OWN_PROFILE_UNLISTED.get(
        lambda: Profile.objects.filter(user=viewer)
        .exclude(visibility__in=[Visibility.PUBLIC, Visibility.MEMBERS]).exists(),
        viewer.pk,
    )
    return ("member", viewer.pk) if unlisted else ("member",)


def talent_facets(*, viewer, search: TalentSearch) -> dict:
    """Facet counts for a search, shared through the cache by everyone with the same view
    of the pool (recomputed after any profile change, see apps.core.summaries)."""
    return TALENT_FACETS.get(
        lambda: _talent_facets(viewer=viewer, search=search),
        _facet_audience(viewer), replace(search, sort=""), get_language(),
    )


def _talent_facets(*, viewer, search: TalentSearch) -> dict:
    """Counts per facet value for a search, in three queries.

    Skills, languages and availability count the results (ticking one narrows them).
    Regions and kinds of organisation widen a search, so each of their values counts
    the results as they would be with that value ticked too (the usual "disjunctive"
    facets): one aggregate over the search without those two filters, with a filtered
    count per value. Every skill of the taxonomy is listed, with zero when none match.
    """
    matching = _matching(viewer, search).order_by().values("pk")
    widened = Profile.objects.filter(pk__in=_matching(viewer, search, widen=True).order_by().values("pk"))
    in_regions = Q(region__in=search.regions) if search.regions else Q()
    in_kinds = Q(affiliation_kind__in=search.affiliation_kinds) if search.affiliation_kinds else Q()

    aggregates = {"total": Count("pk", filter=_all_of(in_regions, in_kinds))}
    for code in Region.values:
        aggregates[f"region_{code}"] = Count("pk", filter=_all_of(Q(region=code), in_kinds))
    for kind in AffiliationKind.values:
        aggregates[f"kind_{kind}"] = Count("pk", filter=_all_of(Q(affiliation_kind=kind), in_regions))
    for flag, _label in AVAILABILITY:
        aggregates[f"available_{flag}"] = Count(
            "pk", filter=_all_of(Q(**{flag: True}), in_regions, in_kinds)
        )
    counts = widened.aggregate(**aggregates)

    skills = (
        Skill.objects.filter(is_active=True)
        .annotate(n=Count("profile_skills", filter=Q(profile_skills__profile__in=matching)))
        .order_by("-n", "position")
    )
    languages = (
        ProfileLanguage.objects.filter(profile__in=matching)
        .values("code")
        .annotate(n=Count("profile_id"))
        .order_by("-n", "code")
    )
    return {
        "total": counts["total"],
        "skill": [{"value": s.slug, "label": s.label, "count": s.n} for s in skills],
        "language": [
            {"value": row["code"], "label": language_name(row["code"]), "count": row["n"]}
            for row in languages
        ],
        "region": [
            {"value": code, "label": str(label), "count": counts[f"region_{code}"]}
            for code, label in Region.choices
            if counts[f"region_{code}"]
        ],
        "kind": [
            {"value": kind, "label": str(label), "count": counts[f"kind_{kind}"]}
            for kind, label in AffiliationKind.choices
            if counts[f"kind_{kind}"]
        ],
        "available": [
            {"value": flag, "label": str(label), "count": counts[f"available_{flag}"]}
            for flag, label in AVAILABILITY
        ],
    }


def talent_export_rows(*, viewer, search: TalentSearch) -> QuerySet[Profile]:
    """The CSV export: the same search, only members who opted in to being contacted.

    Hidden profiles never leave the platform in a file, even for staff: a member who
    hides their profile has withdrawn from the talent pool.
    """
    return (
        talent_search(viewer=viewer, search=search)
        .filter(contactable=True)
        .exclude(visibility=Visibility.HIDDEN)
    )


def skill_taxonomy() -> QuerySet[Skill]:
    return Skill.objects.filter(is_active=True).order_by("position", "name")


def contact_requests_received(*, user) -> QuerySet[ContactRequest]:
    return ContactRequest.objects.filter(profile__user=user).select_related(
        "profile", "sender__profile"
    )


def contact_requests_sent(*, user) -> QuerySet[ContactRequest]:
    return ContactRequest.objects.filter(sender=user).select_related("profile")


# --- For other apps ---------------------------------------------------------------------


def linked_hf_usernames(*, viewer=None) -> list[str]:
    """Hugging Face usernames of the profiles the viewer may see (public ones by default),
    for the Hub catalogue to track their repositories."""
    from django.contrib.auth.models import AnonymousUser

    return list(
        profile_visible_to(viewer or AnonymousUser())
        .filter(hf_verified=True)
        .exclude(hf_username="")
        .order_by("hf_username")
        .values_list("hf_username", flat=True)
        .distinct()
    )


def skills_for_users(user_ids) -> dict[int, list[str]]:
    """Skill names per user in one query (hidden profiles left out), best level first."""
    result: dict[int, list[str]] = {user_id: [] for user_id in user_ids}
    rows = (
        ProfileSkill.objects.filter(profile__user_id__in=list(result))
        .exclude(profile__visibility=Visibility.HIDDEN)
        .order_by("profile__user_id", "-level", "skill__position")
        .values_list("profile__user_id", "skill__name", "skill__name_es")
    )
    from django.utils.translation import get_language

    spanish = (get_language() or "").startswith("es")
    for user_id, name, name_es in rows:
        result[user_id].append(name_es if spanish else name)
    return result
