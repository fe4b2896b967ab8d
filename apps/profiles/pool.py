"""What a profile is counted under in the talent pool's facets, and for which audiences.

A profile's facet keys ("skill:nlp", "language:eu", "region:MD", "kind:university",
"available:open_to_jobs") are stored on its row. Facets of a search are then counted from
the matching rows alone, and the unfiltered pool's counts (`TalentPoolCount`) are moved by
the difference whenever a profile's keys or listing change.
"""

from collections import Counter
from collections.abc import Iterable

from apps.profiles.choices import AVAILABILITY, AffiliationKind, Listing, Region, language_name

TOTAL = "total"
ANONYMOUS, MEMBER, STAFF = "anonymous", "member", "staff"
AUDIENCES_OF = {
    Listing.PUBLIC: (ANONYMOUS, MEMBER, STAFF),
    Listing.MEMBERS: (MEMBER, STAFF),
    Listing.NONE: (STAFF,),
}


def facet_keys(profile, skill_slugs: Iterable[str], language_codes: Iterable[str]) -> list[str]:
    keys = [f"skill:{slug}" for slug in sorted(set(skill_slugs))]
    keys += [f"language:{code}" for code in sorted(set(language_codes))]
    if profile.region:
        keys.append(f"region:{profile.region}")
    if profile.affiliation_kind:
        keys.append(f"kind:{profile.affiliation_kind}")
    keys += [f"available:{flag}" for flag, _label in AVAILABILITY if getattr(profile, flag)]
    return keys


def contributions(listing: str, keys: list[str] | None) -> Counter:
    """What one profile adds to the pool's counts; a profile without keys is not counted yet."""
    if keys is None:
        return Counter()
    return Counter((audience, key) for audience in AUDIENCES_OF[listing] for key in [TOTAL, *keys])


def facets_from_counts(
    counts: Counter, skills: list[dict], widened: Counter | None = None, *, approximate: bool = False
) -> dict:
    """The facet lists of pages and API from counts per key; `approximate` when the total
    and counts are estimates (a broad search counted on a sample), which pages must say.

    `widened` holds the region and kind counts of the search without those two filters
    (the "disjunctive" facets: what ticking one more would give); without it they come
    from `counts`. Every offered skill is listed, with zero when none match."""
    side = counts if widened is None else widened
    by_kind: dict[str, dict[str, int]] = {}
    for key, n in counts.items():
        facet, _sep, value = key.partition(":")
        by_kind.setdefault(facet, {})[value] = n
    regions = {key[7:]: n for key, n in side.items() if key.startswith("region:")}
    kinds = {key[5:]: n for key, n in side.items() if key.startswith("kind:")}
    skill_counts, language_counts = by_kind.get("skill", {}), by_kind.get("language", {})
    available = by_kind.get("available", {})
    ranked_skills = sorted(
        enumerate(skills), key=lambda item: (-skill_counts.get(item[1]["slug"], 0), item[0])
    )
    return {
        "total": counts.get(TOTAL, 0),
        "approximate": approximate,
        "skill": [
            {"value": skill["slug"], "label": skill["label"], "count": skill_counts.get(skill["slug"], 0)}
            for _position, skill in ranked_skills
        ],
        "language": [
            {"value": code, "label": language_name(code), "count": n}
            for code, n in sorted(language_counts.items(), key=lambda item: (-item[1], item[0]))
            if n
        ],
        "region": [
            {"value": code, "label": str(label), "count": regions[code]}
            for code, label in Region.choices if regions.get(code)
        ],
        "kind": [
            {"value": kind, "label": str(label), "count": kinds[kind]}
            for kind, label in AffiliationKind.choices if kinds.get(kind)
        ],
        "available": [
            {"value": flag, "label": str(label), "count": available.get(flag, 0)}
            for flag, label in AVAILABILITY
        ],
    }
