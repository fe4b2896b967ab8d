"""Every write of the transparency register: funding records, unit costs, adoption counts."""

from __future__ import annotations

import logging
from datetime import date
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.compute.models import Call, Grant, Resource
from apps.core.errors import InvalidInput, NotAllowed
from apps.hub.hub_client import HubError, HubPolicy
from apps.hub.models import HubOwner, HubRepository
from apps.transparency import permissions
from apps.transparency.hub_adoption import fetch_adoption
from apps.transparency.selectors import register_cache_clear
from apps.transparency.models import ComputeUnitCost, FundingRecord, FundingRecordChange, RepositoryAdoption

logger = logging.getLogger(__name__)

TEXT_FIELDS = {"programme": 200, "funder": 200, "recipient": 200}
MAX_AMOUNT = Decimal("1000000000000")
MAX_SOURCES = 10
TARGETS = ["owners", "repositories", "calls", "grants"]


# --- Funding records --------------------------------------------------------------------------


def _clean_sources(value) -> list[dict]:
    if not isinstance(value, list):
        raise InvalidInput(errors={"sources": [_("Give the sources as a list of links.")]})
    cleaned = []
    for item in value[:MAX_SOURCES + 1]:
        url, title = (item.get("url", ""), item.get("title", "")) if isinstance(item, dict) else (item, "")
        url, title = str(url or "").strip(), str(title or "").strip()[:200]
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > 500 or "\x00" in url:
            raise InvalidInput(errors={"sources": [_("“%(url)s” is not a web address (http or https).")
                                                   % {"url": url[:80]}]})
        cleaned.append({"url": url, "title": title.replace("\x00", "")})
    if not cleaned:
        raise InvalidInput(errors={"sources": [
            _("Add at least one source: the official document or announcement of this funding.")
        ]})
    if len(cleaned) > MAX_SOURCES:
        raise InvalidInput(errors={"sources": [_("At most %(n)d sources.") % {"n": MAX_SOURCES}]})
    return cleaned


def _resolve_targets(data: dict) -> dict[str, list]:
    """Turn names (owner, "model:owner/name", call slug, grant id) into rows; unknown ones are field errors."""
    errors: dict[str, list[str]] = {}
    resolved: dict[str, list] = {}
    owners = [str(n).strip() for n in data.get("owners") or [] if str(n).strip()]
    found = {o.name.lower(): o for o in HubOwner.objects.filter(
        Q(pk__in=[]) | Q(*[Q(name__iexact=n) for n in owners], _connector=Q.OR)
    )} if owners else {}
    missing = [n for n in owners if n.lower() not in found]
    if missing:
        errors["owners"] = [_("Not in the catalogue: %(names)s.") % {"names": ", ".join(missing[:5])}]
    resolved["owners"] = list({o.pk: o for o in (found[n.lower()] for n in owners if n.lower() in found)}.values())

    repo_keys = []
    for text in data.get("repositories") or []:
        text = str(text).strip()
        kind, _sep, repo_id = text.partition(":") if ":" in text else ("model", "", text)
        if kind not in HubRepository.Kind.values or not repo_id or "\x00" in repo_id:
            errors.setdefault("repositories", []).append(
                _("Write repositories as owner/name or dataset:owner/name (“%(text)s”).") % {"text": text[:80]})
            continue
        repo_keys.append((kind, repo_id))
    repos = {(r.kind, r.repo_id): r for r in HubRepository.objects.filter(
        repo_id__in=[repo_id for _k, repo_id in repo_keys], private=False)}
    missing = [f"{k}:{r}" for k, r in repo_keys if (k, r) not in repos]
    if missing:
        errors.setdefault("repositories", []).append(
            _("Not in the catalogue: %(names)s.") % {"names": ", ".join(missing[:5])})
    resolved["repositories"] = [repos[key] for key in dict.fromkeys(repo_keys) if key in repos]

    slugs = [str(s).strip() for s in data.get("calls") or [] if str(s).strip()]
    calls = {c.slug: c for c in Call.objects.filter(slug__in=slugs)}
    if missing := [s for s in slugs if s not in calls]:
        errors["calls"] = [_("No compute call with the address %(slugs)s.") % {"slugs": ", ".join(missing[:5])}]
    resolved["calls"] = [calls[s] for s in dict.fromkeys(slugs) if s in calls]

    try:
        grant_ids = [int(g) for g in data.get("grants") or []]
    except (TypeError, ValueError):
        grant_ids, errors["grants"] = [], [_("Grants are given by their number.")]
    grants = {g.pk: g for g in Grant.objects.filter(pk__in=[g for g in grant_ids if 0 < g < 2**63])}
    if missing := [str(g) for g in grant_ids if g not in grants]:
        errors["grants"] = [_("No grant with the number %(ids)s.") % {"ids": ", ".join(missing[:5])}]
    resolved["grants"] = [grants[g] for g in dict.fromkeys(grant_ids) if g in grants]

    if errors:
        raise InvalidInput(errors=errors)
    if not any(resolved.values()):
        raise InvalidInput(errors={"repositories": [
            _("Say what the money paid for: at least one Hub owner, repository, compute call or grant.")
        ]})
    return resolved


def _clean_fields(data: dict) -> dict:
    errors: dict[str, list[str]] = {}
    cleaned = {}
    for name, limit in TEXT_FIELDS.items():
        value = str(data.get(name) or "").replace("\x00", "").strip()
        if not value:
            errors[name] = [_("This field is required.")]
        elif len(value) > limit:
            errors[name] = [_("At most %(n)d characters.") % {"n": limit}]
        cleaned[name] = value
    cleaned["purpose"] = str(data.get("purpose") or "").replace("\x00", "").strip()[:5000]
    try:
        amount = Decimal(str(data.get("amount_eur")))
        if not amount.is_finite() or amount <= 0 or amount >= MAX_AMOUNT:
            raise InvalidOperation
        cleaned["amount_eur"] = amount.quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError, TypeError):
        errors["amount_eur"] = [_("Give the amount in euros, greater than zero.")]
    awarded_on = data.get("awarded_on")
    if isinstance(awarded_on, str):
        try:
            awarded_on = date.fromisoformat(awarded_on)
        except ValueError:
            awarded_on = None
    if not isinstance(awarded_on, date) or awarded_on.year < 1990 or awarded_on > timezone.localdate():
        errors["awarded_on"] = [_("Give the date the funding was awarded (YYYY-MM-DD, not in the future).")]
    cleaned["awarded_on"] = awarded_on
    try:
        cleaned["sources"] = _clean_sources(data.get("sources"))
    except InvalidInput as exc:
        errors.update(exc.errors)
    if errors:
        raise InvalidInput(errors=errors)
    return cleaned


def _shown(record: FundingRecord) -> dict[str, str]:
    """Each field as the history shows it (text), targets included."""
    return {
        "programme": record.programme, "funder": record.funder, "recipient": record.recipient,
        "amount_eur": f"{record.amount_eur:.2f}", "awarded_on": record.awarded_on.isoformat(),
        "purpose": record.purpose, "sources": "\n".join(s["url"] for s in record.sources),
        "owners": ", ".join(sorted(o.name for o in record.owners.all())),
        "repositories": ", ".join(sorted(f"{r.kind}:{r.repo_id}" for r in record.repositories.all())),
        "calls": ", ".join(sorted(c.slug for c in record.calls.all())),
        "grants": ", ".join(sorted(str(g.pk) for g in record.grants.all())),
    }


def _save(*, actor, record: FundingRecord, data: dict, partial: bool, reason: str) -> FundingRecord:
    merged = {**(_shown_input(record) if partial else {}), **data}
    fields = _clean_fields(merged)
    targets = _resolve_targets(merged)
    before = _shown(record) if record.pk else {}
    for name, value in fields.items():
        setattr(record, name, value)
    record.save()
    for name in TARGETS:
        getattr(record, name).set(targets[name])
    after = _shown(record)
    changes = {name: [before.get(name, ""), value] for name, value in after.items() if before.get(name, "") != value}
    if changes:
        FundingRecordChange.objects.create(
            record=record, actor=actor, changes=changes, reason=reason,
            action=FundingRecordChange.Action.UPDATED if before else FundingRecordChange.Action.CREATED,
        )
    transaction.on_commit(register_cache_clear)
    return record


def _shown_input(record: FundingRecord) -> dict:
    """A stored record as service input, so a partial update validates the whole result."""
    return {
        "programme": record.programme, "funder": record.funder, "recipient": record.recipient,
        "amount_eur": record.amount_eur, "awarded_on": record.awarded_on, "purpose": record.purpose,
        "sources": record.sources, "owners": [o.name for o in record.owners.all()],
        "repositories": [f"{r.kind}:{r.repo_id}" for r in record.repositories.all()],
        "calls": [c.slug for c in record.calls.all()], "grants": [g.pk for g in record.grants.all()],
    }


def _clean_reason(reason) -> str:
    return str(reason or "").replace("\x00", "").strip()[:2000]


@transaction.atomic
def funding_record_create(*, actor, data: dict, is_demo: bool = False, reason: str = "") -> FundingRecord:
    """Record public funding; refused without a source or without anything it paid for."""
    if not permissions.can_write_funding(actor):
        raise NotAllowed()
    return _save(actor=actor, record=FundingRecord(created_by=actor, is_demo=is_demo), data=data, partial=False,
                 reason=_clean_reason(reason))


@transaction.atomic
def funding_record_update(*, actor, record_id: int, data: dict, reason: str) -> FundingRecord:
    """Correct a record, saying why; every changed field goes into its visible history with the reason."""
    if not permissions.can_write_funding(actor):
        raise NotAllowed()
    reason = _clean_reason(reason)
    if not reason:
        raise InvalidInput(errors={"reason": [
            _("Say why the record changes (a correction, a new source…): the reason is shown in its history.")
        ]})
    record = FundingRecord.objects.select_for_update().get(pk=record_id)
    return _save(actor=actor, record=record, data=data, partial=True, reason=reason)


# --- Compute unit costs -------------------------------------------------------------------------


@transaction.atomic
def unit_cost_set(*, actor, resource: Resource, euros_per_unit, source_url: str, source_title: str = "") -> ComputeUnitCost:
    """The public cost of one unit of a resource; the source is required like for funding."""
    if not permissions.can_write_funding(actor):
        raise NotAllowed()
    try:
        cost = Decimal(str(euros_per_unit))
        if not cost.is_finite() or cost <= 0 or cost >= 10**6:
            raise InvalidOperation
    except (InvalidOperation, ValueError, TypeError):
        raise InvalidInput(errors={"euros_per_unit": [_("Give a cost in euros greater than zero.")]}) from None
    source = _clean_sources([{"url": source_url, "title": source_title}])[0]
    unit_cost, _created = ComputeUnitCost.objects.update_or_create(
        resource=resource,
        defaults={"euros_per_unit": cost.quantize(Decimal("0.0001")), "source_url": source["url"],
                  "source_title": source["title"]},
    )
    transaction.on_commit(register_cache_clear)
    return unit_cost


# --- Adoption on the Hub ------------------------------------------------------------------------


def adoption_apply(*, repository: HubRepository, counts) -> bool:
    """Store a repository's derivative and Space counts; writes only when one changed."""
    values = {name: getattr(counts, name) for name in RepositoryAdoption.COUNTS}
    current = RepositoryAdoption.objects.filter(repository=repository).first()
    if current is not None and all(getattr(current, name) == value for name, value in values.items()):
        return False
    RepositoryAdoption.objects.update_or_create(
        repository=repository, defaults={**values, "changed_at": timezone.now()}
    )
    return True


def adoption_candidates(limit: int) -> list[HubRepository]:
    """Models the register shows first (funded, or of a funded owner), then the most downloaded."""
    funded = HubRepository.objects.filter(
        Q(funding_records__isnull=False) | Q(owner__funding_records__isnull=False),
        kind=HubRepository.Kind.MODEL, private=False, removed_at__isnull=True,
    ).distinct().order_by("-downloads", "repo_id")[:limit]
    chosen = list(funded)
    if len(chosen) < limit:
        chosen += list(
            HubRepository.objects.filter(kind=HubRepository.Kind.MODEL, private=False, removed_at__isnull=True)
            .exclude(pk__in=[r.pk for r in chosen]).order_by("-downloads", "repo_id")[: limit - len(chosen)]
        )
    return chosen


def adoption_sync(*, policy: HubPolicy | None = None, limit: int | None = None) -> dict:
    """Read derivatives and Spaces of the register's models; a Hub failure ends the run, keeping rows."""
    policy = policy or HubPolicy.from_settings()
    limit = settings.HUB_ADOPTION_MAX_REPOSITORIES if limit is None else limit
    result = {"checked": 0, "changed": 0, "error": ""}
    for repository in adoption_candidates(limit):
        try:
            counts = fetch_adoption(repository.repo_id, policy=policy)
        except HubError as exc:
            logger.warning("Adoption sync stopped at %s: %s", repository.repo_id, exc)
            result["error"] = str(exc.message)
            break
        result["checked"] += 1
        result["changed"] += adoption_apply(repository=repository, counts=counts)
    if result["changed"]:
        register_cache_clear()
    result["http_calls"] = policy.calls
    return result
