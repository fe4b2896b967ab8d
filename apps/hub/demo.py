"""Demo owners and repositories with six weeks of daily snapshots, so charts show a trend."""

import math
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

from django.utils import timezone

from apps.hub import services
from apps.hub.hub_client import RemoteRepository
from apps.hub.models import HubOwner, HubRepository, HubSnapshot

DAYS = 42

# (owner, kind, display name, [(kind, name, 30-day downloads now, monthly growth, likes, task, languages, licence)])
OWNERS = [
    ("BSC-LT", "org", "Language Technologies · Barcelona Supercomputing Center", [
        # The public flagship: about 174 downloads a month, the number the platform exists to show.
        ("model", "ALIA-40b", 174, 0.04, 38, "text-generation", ["es", "ca", "eu", "gl", "en"], "apache-2.0"),
        ("model", "ALIA-40b-instruct", 171, 0.06, 25, "text-generation", ["es", "ca", "eu", "gl", "en"], "apache-2.0"),
        ("model", "salamandra-7b-instruct", 1960, 0.35, 41, "text-generation", ["es", "ca", "eu", "gl", "en"], "apache-2.0"),
        ("model", "salamandra-2b", 96, 0.10, 18, "text-generation", ["es", "ca", "eu", "gl", "en"], "apache-2.0"),
        ("model", "roberta-base-bne", 2310, -0.05, 27, "fill-mask", ["es"], "apache-2.0"),
        ("model", "mt-aina-ca-es", 0, 0.0, 2, "translation", ["ca", "es"], "apache-2.0"),
        ("dataset", "CATalog", 58, 0.20, 9, "text-generation", ["ca"], "cc-by-4.0"),
    ]),
    ("projecte-aina", "org", "Projecte AINA", [
        ("model", "roberta-base-ca-v2", 1480, 0.08, 12, "fill-mask", ["ca"], "apache-2.0"),
        ("model", "aguila-7b", 312, -0.12, 60, "text-generation", ["ca", "es", "en"], "apache-2.0"),
        ("dataset", "catalan_general_crawling", 75, 0.02, 5, "fill-mask", ["ca"], "cc-by-4.0"),
    ]),
    ("HiTZ", "org", "HiTZ Basque Center for Language Technology", [
        ("model", "latxa-7b-v1.2", 205, 0.50, 22, "text-generation", ["eu"], "llama2"),
        ("model", "latxa-13b-v1.2", 88, 0.25, 9, "text-generation", ["eu"], "llama2"),
        ("dataset", "euscrawl", 40, 0.0, 4, "text-generation", ["eu"], "cc-by-4.0"),
        ("dataset", "eu-ca-mt-bench", 27, 0.30, 3, "translation", ["eu", "ca"], "cc-by-sa-4.0"),
    ]),
    # Owners of outputs funded by the demo's public compute call: the ledger shows their adoption.
    ("ugr-nlp", "org", "Grupo de PLN · Universidad de Granada", [
        ("model", "salamandra-legal-7b", 142, 0.45, 8, "text-generation", ["es"], "apache-2.0"),
    ]),
    ("uvigo", "org", "Universidade de Vigo", [
        ("model", "whisper-gl-large", 96, 0.30, 6, "automatic-speech-recognition", ["gl"], "apache-2.0"),
        ("dataset", "galician-speech-200h", 31, 0.20, 4, "automatic-speech-recognition", ["gl"], "cc-by-4.0"),
    ]),
    ("proxectonos", "org", "Proxecto Nós", [
        ("model", "Carballo-bloom-1.3B", 64, 0.40, 7, "text-generation", ["gl"], "mit"),
        ("model", "Nos_TTS-celtia-vits", 0, 0.0, 1, "text-to-speech", ["gl"], "cc-by-4.0"),
        ("dataset", "CorpusNos", 22, 0.10, 3, "text-generation", ["gl"], "cc-by-4.0"),
    ]),
    ("somosnlp", "org", "SomosNLP · comunidad hispanohablante", [
        ("model", "gemma-7b-it-legal-es", 131, 0.60, 15, "text-generation", ["es"], "apache-2.0"),
        ("model", "bertin-clasificador-sentimientos", 9, -0.30, 3, "text-classification", ["es"], "apache-2.0"),
        ("dataset", "recetas-de-la-abuela", 33, 0.15, 11, "question-answering", ["es"], "cc-by-sa-4.0"),
    ]),
]


def _downloads_on(now: int, growth: float, days_ago: int, wobble: int) -> int:
    """30-day downloads `days_ago` days back: a steady trend with a small weekly ripple."""
    month_ago = now / (1 + growth) if growth > -1 else now
    value = now - (now - month_ago) * days_ago / 30
    ripple = 0.015 * value * math.sin((days_ago + wobble) / 7 * 2 * math.pi)
    return max(0, round(value + ripple)) if now else 0


def seed(log, people):
    today = timezone.localdate()
    organiser = (people.get("organisers") or [None])[0]
    members = people.get("members") or []
    for index, (name, kind, display, repos) in enumerate(OWNERS):
        owner = services.tracked_owner_ensure(
            name=name, kind=kind, added_by=organiser, sync=False,
            member=members[index] if index < len(members) else None,
        )
        if owner.display_name != display:
            HubOwner.objects.filter(pk=owner.pk).update(display_name=display)
        def listing(days_ago, index=index, name=name, repos=repos):
            """What the Hub would have listed for this owner `days_ago` days back."""
            return [
                RemoteRepository(
                    kind=repo_kind, repo_id=f"{name}/{repo}", tags=[task, *languages, f"license:{licence}"],
                    downloads=_downloads_on(now, growth, days_ago, i),
                    downloads_all_time=_downloads_on(now, growth, days_ago, i) * 9 + 400 * i,
                    likes=max(0, likes - days_ago // 10), languages=sorted(languages), task=task,
                    library="transformers" if repo_kind == "model" else "", licence=licence, gated="",
                    private=False,
                    hub_created_at=datetime(2024, 3 + i, 1 + index, 9, 0, tzinfo=dt_timezone.utc),
                    hub_modified_at=datetime(2026, 1 + i, 10, 12, 0, tzinfo=dt_timezone.utc),
                )
                for i, (repo_kind, repo, now, growth, likes, task, languages, licence) in enumerate(repos)
            ]

        # The first sync creates the rows; the days between are stored in bulk, as the daily
        # syncs would have left them; today's sync then computes the trend from that history.
        services.catalogue_apply(owner=owner, remote=listing(DAYS - 1), today=today - timedelta(days=DAYS - 1))
        ids = dict(HubRepository.objects.filter(owner=owner).values_list("repo_id", "pk"))
        HubSnapshot.objects.bulk_create(
            [
                HubSnapshot(repository_id=ids[item.repo_id], day=today - timedelta(days=days_ago),
                            downloads=item.downloads, downloads_all_time=item.downloads_all_time, likes=item.likes)
                for days_ago in range(DAYS - 2, 0, -1) for item in listing(days_ago)
            ],
            batch_size=1000, ignore_conflicts=True,
        )
        services.catalogue_apply(owner=owner, remote=listing(0), today=today)
    log(f"hub: {len(OWNERS)} Hub owners with {DAYS} days of download history")
