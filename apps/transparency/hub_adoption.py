"""What the Hub says is built on a repository, read with the official client.

Derivative models declare their parent with `base_model:` tags; the Hub adds one tag
naming the relation (`base_model:finetune:<id>`, `adapter`, `quantized`, `merge`), so a
single listing filtered on `base_model:<id>` tells how many of each there are. Spaces
that use a model are listed with `models=<id>`. Both run under the catalogue's
`HubPolicy` (retries, waits, call budget), like every other Hub read.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from huggingface_hub.errors import HfHubHTTPError

from apps.hub.hub_client import HubError, HubPolicy, HubResponseInvalid, HubUnavailable, hub_api

RELATIONS = {"finetune": "finetunes", "adapter": "adapters", "quantized": "quantizations", "merge": "merges"}


@dataclass(frozen=True)
class RemoteAdoption:
    finetunes: int = 0
    adapters: int = 0
    quantizations: int = 0
    merges: int = 0
    other_derivatives: int = 0
    spaces: int = 0


def fetch_adoption(repo_id: str, *, policy: HubPolicy) -> RemoteAdoption:
    """Count a model's derivatives by relation and the Spaces that use it."""
    api = hub_api()
    counts = dict.fromkeys([*RELATIONS.values(), "other_derivatives", "spaces"], 0)
    with policy.active():
        try:
            for info in api.list_models(filter=f"base_model:{repo_id}", expand=["tags"]):
                if getattr(info, "id", None) == repo_id:
                    continue
                tags = info.tags if isinstance(getattr(info, "tags", None), list) else []
                relation = next(
                    (RELATIONS[name] for name in RELATIONS if f"base_model:{name}:{repo_id}" in tags),
                    "other_derivatives",
                )
                counts[relation] += 1
            counts["spaces"] = sum(1 for _space in api.list_spaces(models=repo_id))
        except HubError:
            raise
        except HfHubHTTPError as exc:
            status = exc.response.status_code if exc.response is not None else "?"
            raise HubUnavailable(_("The Hub refused the request (HTTP %(status)s).") % {"status": status}) from exc
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise HubResponseInvalid(
                _("The Hub sent a response that could not be read (%(error)s).") % {"error": type(exc).__name__}
            ) from exc
    return RemoteAdoption(**counts)
