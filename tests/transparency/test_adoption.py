"""Derivatives and Spaces read through the real huggingface_hub client from the local Hub imitation."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.hub.hub_client import HubPolicy
from apps.transparency import selectors, services
from apps.transparency.models import RepositoryAdoption
from tests.hub import factories as hub
from tests.hub.fake_hub import model_item

pytestmark = pytest.mark.django_db

BASE = "BSC-LT/ALIA-40b"


def derivative(repo_id, relation):
    return model_item(repo_id, tags=["gguf", f"base_model:{BASE}", f"base_model:{relation}:{BASE}"])


@pytest.fixture
def alia(fake_hub, staff):
    owner = hub.owner("BSC-LT")
    hub.catalogue(owner, [hub.remote(BASE, downloads=174, task="text-generation")])
    fake_hub.set_owner("BSC-LT", models=[model_item(BASE)])
    fake_hub.set_owner("someone", models=[
        *(derivative(f"someone/alia-q{i}", "quantized") for i in range(5)),
        derivative("someone/alia-legal", "finetune"),
        derivative("someone/alia-lora", "adapter"),
        model_item("someone/unrelated"),
        model_item("someone/tagged-only", tags=[f"base_model:{BASE}"]),
    ])
    fake_hub.spaces = [{"_id": f"{i:024x}", "id": f"someone/space-{i}", "models": [BASE]} for i in range(3)]
    fake_hub.spaces.append({"_id": "f" * 24, "id": "someone/other-space", "models": ["x/y"]})
    services.funding_record_create(actor=staff, data={
        "programme": "ALIA", "funder": "Ministerio", "recipient": "BSC", "amount_eur": "1000",
        "awarded_on": "2025-01-20", "sources": ["https://alia.gob.es/"], "repositories": [BASE],
    })
    return owner


def policy():
    return HubPolicy(sleep=lambda s: None, jitter=lambda: 0.5)


def test_derivatives_by_relation_and_spaces_across_pages(fake_hub, alia):
    fake_hub.page_size = 2  # every listing needs several pages, linked like the Hub does
    result = services.adoption_sync(policy=policy(), limit=1)
    assert result == {"checked": 1, "changed": 1, "error": "", "http_calls": result["http_calls"]}
    adoption = RepositoryAdoption.objects.get(repository__repo_id=BASE)
    assert (adoption.quantizations, adoption.finetunes, adoption.adapters, adoption.other_derivatives) == (5, 1, 1, 1)
    assert adoption.spaces == 3
    # 8 derivatives in pages of 2 and 3 Spaces in pages of 2: every page was followed.
    assert result["http_calls"] >= 4 + 2
    row = selectors.register_row(key=f"model/{BASE}")
    assert (row.derivatives.value, row.spaces.value) == (8, 3)


def test_429_and_5xx_are_retried_within_the_policy(fake_hub, alia):
    fake_hub.queue(429, {"Retry-After": "2"})
    fake_hub.queue(503)
    waits = []
    result = services.adoption_sync(policy=HubPolicy(sleep=waits.append, jitter=lambda: 0.5), limit=1)
    assert result["error"] == ""
    assert waits[0] == 2.0 and len(waits) == 2
    assert RepositoryAdoption.objects.get().derivatives == 8


def test_a_hub_that_keeps_failing_ends_the_run_and_keeps_rows(fake_hub, alia):
    services.adoption_sync(policy=policy(), limit=1)
    for _ in range(10):
        fake_hub.queue(500)
    result = services.adoption_sync(policy=policy(), limit=1)
    assert result["checked"] == 0 and result["error"]
    assert RepositoryAdoption.objects.get().derivatives == 8


def test_a_second_sync_with_nothing_changed_writes_nothing(fake_hub, alia):
    services.adoption_sync(policy=policy(), limit=1)
    changed_at = RepositoryAdoption.objects.get().changed_at
    with CaptureQueriesContext(connection) as queries:
        result = services.adoption_sync(policy=policy(), limit=1)
    writes = [q["sql"] for q in queries if q["sql"].split()[0] in ("INSERT", "UPDATE", "DELETE")]
    assert result["changed"] == 0 and writes == []
    assert RepositoryAdoption.objects.get().changed_at == changed_at


def test_candidates_put_funded_models_first(fake_hub, alia):
    hub.catalogue(hub.owner("otros"), [hub.remote("otros/popular", downloads=10**6)])
    assert [r.repo_id for r in services.adoption_candidates(1)] == [BASE]
    assert [r.repo_id for r in services.adoption_candidates(2)] == [BASE, "otros/popular"]
