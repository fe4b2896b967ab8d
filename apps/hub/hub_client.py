"""Reading an owner's repositories from the Hugging Face Hub with the official client.

`huggingface_hub` retries 429 and 5xx on its own, with real `time.sleep` and a fixed
policy. During a sync our transport (installed through the client's documented
`set_client_factory` hook) answers those statuses itself: it waits the reset time the
Hub announces (`RateLimit: "api";r=0;t=N` or `Retry-After`), retries 5xx with
exponential backoff and jitter, counts every HTTP call and spends from a shared
call budget. When it gives up it raises a `HubError`, which the client does not retry,
so the policy lives in one place and tests can inject the sleep and the clock.
Outside a sync the transport passes requests through untouched.
"""

from __future__ import annotations

import contextlib
import logging
import random
import re
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime

import httpx2
import huggingface_hub
from django.conf import settings
from django.conf.locale import LANG_INFO
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from huggingface_hub import HfApi
from huggingface_hub.errors import HfHubHTTPError
from huggingface_hub.utils import parse_ratelimit_headers

logger = logging.getLogger(__name__)

MODEL_FIELDS = [
    "author", "createdAt", "lastModified", "downloads", "downloadsAllTime", "likes", "tags",
    "pipeline_tag", "library_name", "gated", "private", "cardData",
]
DATASET_FIELDS = [
    "author", "createdAt", "lastModified", "downloads", "downloadsAllTime", "likes", "tags",
    "gated", "private", "cardData",
]
KNOWN_LANGUAGES = frozenset(LANG_INFO) | {"an", "oc", "ast", "ext", "lad"}


class HubError(Exception):
    """The Hub could not be read; the message is shown on the owner's status."""

    def __init__(self, message, *, retry_after: float | None = None):
        self.message = message
        self.retry_after = retry_after
        super().__init__(str(message))


class HubRateLimited(HubError):
    pass


class HubUnavailable(HubError):
    pass


class HubResponseInvalid(HubError):
    pass


class HubOwnerNotFound(HubError):
    pass


class HubDeadlineExceeded(HubError):
    """The sync run used up its overall time (HUB_SYNC_DEADLINE_SECONDS)."""


# --- Call budget ------------------------------------------------------------------------


@dataclass
class CallBudget:
    """A fixed window of `limit` calls per `window` seconds, shared by every worker (cache)."""

    limit: int
    window: int = 300

    @classmethod
    def from_settings(cls) -> CallBudget:
        limit = settings.HUB_CALL_BUDGET_TOKEN if settings.HF_TOKEN else settings.HUB_CALL_BUDGET_ANONYMOUS
        return cls(limit=limit, window=settings.HUB_CALL_BUDGET_WINDOW)

    def take(self, *, clock: Callable[[], float], sleep: Callable[[float], None]) -> None:
        """Spend one call, waiting for the next window when this one is used up."""
        while True:
            now = clock()
            window_index = int(now // self.window)
            key = f"hub:call-budget:{self.window}:{window_index}"
            cache.add(key, 0, timeout=self.window + 60)
            try:
                spent = cache.incr(key)
            except ValueError:  # the key expired between add and incr
                continue
            if spent <= self.limit:
                return
            sleep((window_index + 1) * self.window - now + 0.01)


# --- Retry policy -------------------------------------------------------------------------


@dataclass
class HubPolicy:
    """How one sync treats the Hub: retries, waits, budget; also counts HTTP calls."""

    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.time
    jitter: Callable[[], float] = random.random
    max_retries: int = 4
    base_wait: float = 1.0
    max_backoff: float = 30.0
    max_rate_limit_wait: float = 120.0
    budget: CallBudget | None = None
    # Overall limit of one sync run, counted from `active()`: every request, read and wait.
    deadline_seconds: float | None = None
    request_timeout: float = 30.0
    calls: int = 0
    waits: list[float] = field(default_factory=list)
    deadline_at: float | None = None

    @classmethod
    def from_settings(cls, **overrides) -> HubPolicy:
        overrides.setdefault("budget", CallBudget.from_settings())
        overrides.setdefault("max_rate_limit_wait", settings.HUB_MAX_RATE_LIMIT_WAIT)
        overrides.setdefault("deadline_seconds", settings.HUB_SYNC_DEADLINE_SECONDS)
        return cls(**overrides)

    def remaining(self) -> float:
        """Seconds left before the deadline; raises once it has passed."""
        if self.deadline_at is None:
            return self.request_timeout
        left = self.deadline_at - self.clock()
        if left <= 0:
            raise HubDeadlineExceeded(
                _("The Hub did not answer within the %(seconds)d s a sync may take; the sync stopped.")
                % {"seconds": round(self.deadline_seconds)}
            )
        return left

    def request_timeouts(self) -> dict[str, float]:
        """Timeouts for the next request: the usual per-request one, shortened by the deadline."""
        seconds = min(self.request_timeout, self.remaining())
        return {"connect": seconds, "read": seconds, "write": seconds, "pool": seconds}

    def backoff(self, attempt: int) -> float:
        """Exponential backoff with "equal jitter": between half and all of base·2^attempt."""
        ceiling = min(self.max_backoff, self.base_wait * 2**attempt)
        return ceiling / 2 + ceiling / 2 * self.jitter()

    def wait(self, seconds: float) -> None:
        # A pause that would end past the deadline ends the run now instead.
        if self.deadline_at is not None and seconds >= self.remaining():
            raise HubDeadlineExceeded(
                _("A %(wait)d s pause would pass the %(seconds)d s a sync may take; the sync stopped.")
                % {"wait": round(seconds), "seconds": round(self.deadline_seconds)}
            )
        self.waits.append(seconds)
        self.sleep(seconds)

    @contextlib.contextmanager
    def active(self) -> Iterator[HubPolicy]:
        _install_transport()
        if self.deadline_seconds is not None and self.deadline_at is None:
            self.deadline_at = self.clock() + self.deadline_seconds
        token = _active_policy.set(self)
        try:
            yield self
        finally:
            _active_policy.reset(token)


_active_policy: ContextVar[HubPolicy | None] = ContextVar("hub_policy", default=None)


def rate_limit_wait(headers, *, now: datetime | None = None) -> float | None:
    """Seconds the Hub asks us to wait: its RateLimit reset time, else Retry-After."""
    info = parse_ratelimit_headers(headers)
    if info is not None and info.remaining == 0:
        return float(info.reset_in_seconds)
    value = (headers.get("retry-after") or "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (moment - (now or timezone.now())).total_seconds())


class PolicyTransport(httpx2.BaseTransport):
    """Applies the active `HubPolicy` to every request the client sends."""

    def __init__(self):
        self._inner = httpx2.HTTPTransport()

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        policy = _active_policy.get()
        if policy is None:
            return self._inner.handle_request(request)
        attempt = 0
        while True:
            if policy.budget is not None:
                policy.budget.take(clock=policy.clock, sleep=policy.wait)
            policy.calls += 1
            # Set here, below huggingface_hub: its paginator passes timeout=None, which
            # would otherwise replace the client's timeout and let a silent Hub hang the run.
            request.extensions = {**request.extensions, "timeout": policy.request_timeouts()}
            try:
                response = self._inner.handle_request(request)
            except httpx2.TransportError as exc:
                if attempt >= policy.max_retries:
                    raise HubUnavailable(_("The Hub could not be reached: %(error)s") % {"error": exc}) from exc
                policy.wait(policy.backoff(attempt))
                attempt += 1
                continue
            status = response.status_code
            if status == 429:
                wait = rate_limit_wait(response.headers)
                response.close()
                wait = policy.backoff(attempt) if wait is None else wait
                if attempt >= policy.max_retries or wait > policy.max_rate_limit_wait:
                    raise HubRateLimited(
                        _("The Hub's rate limit was reached; it asked us to wait %(seconds)d s.")
                        % {"seconds": round(wait)},
                        retry_after=wait,
                    )
                policy.wait(wait)
            elif status >= 500:
                response.close()
                if attempt >= policy.max_retries:
                    raise HubUnavailable(
                        _("The Hub answered with error %(status)d %(times)d times in a row.")
                        % {"status": status, "times": attempt + 1}
                    )
                policy.wait(policy.backoff(attempt))
            else:
                response.stream = _DeadlineStream(response.stream, policy)
                return response
            attempt += 1

    def close(self) -> None:
        self._inner.close()


class _DeadlineStream(httpx2.SyncByteStream):
    """A response body that stops when the sync's deadline passes, however slowly it trickles."""

    def __init__(self, stream, policy: HubPolicy):
        self._stream, self._policy = stream, policy

    def __iter__(self):
        for chunk in self._stream:
            self._policy.remaining()
            yield chunk

    def close(self) -> None:
        self._stream.close()


def _client_factory() -> httpx2.Client:
    # Same client as huggingface_hub's default factory, plus our transport and a timeout.
    from huggingface_hub.utils._http import hf_request_event_hook

    return httpx2.Client(
        event_hooks={"request": [hf_request_event_hook]},
        follow_redirects=True,
        timeout=httpx2.Timeout(30.0),
        transport=PolicyTransport(),
    )


def _install_transport() -> None:
    # Checked on every sync, not once: if other code swapped the factory, the policy
    # would silently stop applying (and the client's own sleeping retries would return).
    from huggingface_hub.utils import _http

    if getattr(_http, "_GLOBAL_CLIENT_FACTORY", None) is not _client_factory:
        huggingface_hub.set_client_factory(_client_factory)


# --- Reading an owner -----------------------------------------------------------------------


@dataclass(frozen=True)
class RemoteRepository:
    """One repository as the Hub describes it, cleaned of missing or malformed values."""

    kind: str
    repo_id: str
    downloads: int
    downloads_all_time: int | None
    likes: int
    tags: list
    languages: list
    task: str
    library: str
    licence: str
    gated: str
    private: bool
    hub_created_at: datetime | None
    hub_modified_at: datetime | None


def _count(value) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float) and value >= 0:
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _text(value, limit: int = 100) -> str:
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str)), "")
    return value.strip()[:limit] if isinstance(value, str) else ""


def _prefixed(tags: list[str], prefix: str) -> list[str]:
    return [t[len(prefix):] for t in tags if t.startswith(prefix)]


def _languages(tags: list[str], card_value, kind: str) -> list[str]:
    found = set(_prefixed(tags, "language:"))
    if isinstance(card_value, str):
        card_value = [card_value]
    if isinstance(card_value, list):
        found.update(v for v in card_value if isinstance(v, str))
    if kind == "model":
        # On models the Hub lists declared languages as bare ISO codes among the tags.
        found.update(t for t in tags if t in KNOWN_LANGUAGES)
    cleaned = {code.strip().lower()[:16] for code in found if code and code.strip()}
    return sorted(cleaned)[:50]


def normalise(info, *, kind: str) -> RemoteRepository | None:
    """A `ModelInfo`/`DatasetInfo` as stored fields; None when it has no usable id."""
    repo_id = getattr(info, "id", None)
    if not isinstance(repo_id, str) or not repo_id.strip() or len(repo_id) > 200:
        return None
    raw_tags = info.tags if isinstance(getattr(info, "tags", None), list) else []
    tags = [t[:100] for t in raw_tags if isinstance(t, str)][:200]
    card = getattr(info, "card_data", None)
    card_get = card.get if hasattr(card, "get") else (lambda key, default=None: default)
    licence = _text(card_get("license")) or _text(_prefixed(tags, "license:"))
    if kind == "model":
        task = _text(getattr(info, "pipeline_tag", None))
        library = _text(getattr(info, "library_name", None))
    else:
        task = _text(_prefixed(tags, "task_categories:"))
        library = _text(_prefixed(tags, "library:"))
    gated = getattr(info, "gated", None)
    created, modified = getattr(info, "created_at", None), getattr(info, "last_modified", None)
    return RemoteRepository(
        kind=kind,
        repo_id=repo_id.strip(),
        downloads=_count(getattr(info, "downloads", None)) or 0,
        downloads_all_time=_count(getattr(info, "downloads_all_time", None)),
        likes=_count(getattr(info, "likes", None)) or 0,
        tags=tags,
        languages=_languages(tags, card_get("language"), kind),
        task=task,
        library=library,
        licence=licence,
        gated=gated[:10] if isinstance(gated, str) else ("auto" if gated is True else ""),
        private=getattr(info, "private", None) is True,
        hub_created_at=created if isinstance(created, datetime) else None,
        hub_modified_at=modified if isinstance(modified, datetime) else None,
    )


OWNER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,95}$")


def hub_api() -> HfApi:
    # token=False keeps the client from picking up a token saved on the machine.
    return HfApi(endpoint=settings.HF_ENDPOINT, token=settings.HF_TOKEN or False)


def fetch_owner_repositories(owner_name: str, *, kind: str, policy: HubPolicy) -> tuple[list[RemoteRepository], int]:
    """Every model and dataset of an owner, and how many items had to be skipped."""
    api = hub_api()
    repositories, skipped = [], 0
    with policy.active():
        try:
            listings = [
                ("model", api.list_models(author=owner_name, expand=MODEL_FIELDS)),
                ("dataset", api.list_datasets(author=owner_name, expand=DATASET_FIELDS)),
            ]
            for repo_kind, listing in listings:
                for info in listing:
                    item = normalise(info, kind=repo_kind)
                    if item is None:
                        skipped += 1
                    else:
                        repositories.append(item)
            if not repositories:
                _check_owner_exists(api, owner_name, kind)
        except HubError:
            raise
        except HfHubHTTPError as exc:
            status = exc.response.status_code if exc.response is not None else "?"
            raise HubUnavailable(
                _("The Hub refused the request (HTTP %(status)s).") % {"status": status}
            ) from exc
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            logger.warning("Unreadable Hub response for %s: %s", owner_name, exc)
            raise HubResponseInvalid(
                _("The Hub sent a response that could not be read (%(error)s).") % {"error": type(exc).__name__}
            ) from exc
    return repositories, skipped


def _check_owner_exists(api: HfApi, owner_name: str, kind: str) -> None:
    """An empty listing must not mark everything removed when the owner is simply gone."""
    try:
        if kind == "user":
            api.get_user_overview(owner_name)
        else:
            api.get_organization_overview(owner_name)
    except HfHubHTTPError as exc:
        if exc.response is not None and exc.response.status_code == 404:
            raise HubOwnerNotFound(
                _("No %(kind)s called “%(name)s” exists on the Hub.")
                % {"kind": _("user") if kind == "user" else _("organisation"), "name": owner_name}
            ) from exc
        raise
