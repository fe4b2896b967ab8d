"""Benchmark: response time and query count of the main list pages and endpoints
with realistic volumes, in a throw-away test database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/community \
    REDIS_URL=redis://127.0.0.1:6379/15 .venv/bin/python -m bench.pages [--profiles 2000]

Data is created through the same services and factories the tests use. Each URL is
requested 20 times after one warm-up; the table gives median and 95th percentile
milliseconds and the number of SQL queries of one request.

`--cpu` instead profiles each page with cProfile as a signed-in member, keeping what the
pages share through the cache (as in production): CPU milliseconds per request of
`PROFILED` requests after one warm-up, with the profiler on. Its last two rows are the
fixed cost every signed-in request pays: `/healthz` (middleware, session and member loaded)
and `/accessibility/` (a static page in the site layout).
"""

import argparse
import cProfile
import os
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "community.settings.test")

import tests.hub.endpoint_plugin  # noqa: E402,F401 - HF_ENDPOINT before huggingface_hub loads

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_databases, teardown_databases  # noqa: E402

REGIONS = ["MD", "CT", "PV", "GA", "AN", "VC", "AR"]
SKILLS = ["nlp", "speech", "computer-vision", "llm-training", "evaluation", "mlops", "hpc"]
LANGUAGES = ["es", "ca", "eu", "gl", "en"]
REPEATS = 20
PROFILED = 5


def seed(profiles: int, repositories: int, hackathons: int, funded: int) -> None:
    from apps.hackathons.models import Hackathon
    from tests.compute.factories import approved_request, make_call
    from tests.hackathons.factories import hackathon_factory
    from tests.hub import factories as hub_factories
    from tests.meetups.factories import chapter_factory, event_factory
    from tests.profiles.factories import make_profile

    started = time.perf_counter()
    for i in range(profiles):
        make_profile(
            display_name=f"Persona {i}",
            headline=f"Investigadora en {SKILLS[i % len(SKILLS)]} y datos abiertos",
            region=REGIONS[i % len(REGIONS)],
            affiliation_kind=["university", "company", "research"][i % 3],
            visibility=["public", "public", "members", "hidden"][i % 4],
            looking_for_team=i % 5 == 0,
            skills=[(SKILLS[i % len(SKILLS)], 3), (SKILLS[(i + 3) % len(SKILLS)], 2)],
            languages=[(LANGUAGES[i % 4], "native"), ("en", "professional")],
        )
    owner = hub_factories.owner("bench-org", sync=False)
    hub_factories.catalogue(
        owner,
        [
            hub_factories.remote(
                f"bench-org/modelo-{i:05d}", downloads=i * 3, likes=i % 50,
                languages=(LANGUAGES[i % 4], "en"), task=["fill-mask", "text-generation"][i % 2],
            )
            for i in range(repositories)
        ],
    )
    for i in range(hackathons):
        hackathon_factory(title=f"Hackatón {i}", state=Hackathon.State.REGISTRATION_OPEN)
    chapter = chapter_factory()
    for i in range(hackathons // 3):
        event_factory(chapter=chapter, title=f"Encuentro {i}", days=1 + i)
    call = make_call(budget=str(funded * 200), per_request_max="200")
    for _ in range(funded):
        approved_request(call=call, units="100")
    print(f"seeded in {time.perf_counter() - started:.0f} s: {profiles} profiles, {repositories} Hub "
          f"repositories, {hackathons} hackathons, {funded} funded compute requests")


def measure(client: Client, url: str) -> dict:
    client.get(url)  # warm-up (template loading, first connection)
    timings = []
    for _ in range(REPEATS):
        cache.clear()  # throttle counters; nothing here is cached otherwise
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    timings.sort()
    return {
        "url": url,
        "median_ms": round(statistics.median(timings), 1),
        "p95_ms": round(timings[int(len(timings) * 0.95) - 1], 1),
        "queries": len(queries.captured_queries),
    }


def profile_cpu(client: Client, url: str) -> dict:
    client.get(url)  # warm-up: templates, connections, and what pages share through the cache
    profiler = cProfile.Profile()
    started = time.process_time()
    profiler.enable()
    for _ in range(PROFILED):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    profiler.disable()
    cpu_ms = (time.process_time() - started) * 1000 / PROFILED
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return {"url": url, "cpu_ms": round(cpu_ms, 1), "queries": len(queries.captured_queries)}


URLS = [
    "/",
    "/talent/",
    "/talent/?q=datos&skill=nlp&language=eu",
    "/api/profiles/?page_size=50",
    "/api/profiles/?q=investigadora&skill=hpc&page_size=100",
    "/models/",
    "/models/?language=eu&sort=likes",
    "/api/hub/repositories/?page_size=100",
    "/hackathons/",
    "/api/hackathons/",
    "/compute/dashboard/",
    "/api/compute/dashboard/",
]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--profiles", type=int, default=2000)
    parser.add_argument("--repositories", type=int, default=2500)
    parser.add_argument("--hackathons", type=int, default=60)
    parser.add_argument("--funded", type=int, default=100)
    parser.add_argument("--cpu", action="store_true", help="CPU per request under cProfile, caches kept")
    args = parser.parse_args()
    settings.DEBUG = False
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        seed(args.profiles, args.repositories, args.hackathons, args.funded)
        from tests.accounts.factories import UserFactory

        from apps.hackathons.models import Hackathon

        client = Client()
        client.force_login(UserFactory())
        if args.cpu:
            hackathon = Hackathon.objects.order_by("pk").first()
            print("| URL (signed-in member) | CPU ms per request (profiled) | queries |")
            print("|---|---|---|")
            for url in [*URLS, f"/hackathons/{hackathon.slug}/", "/meetups/", "/healthz", "/accessibility/"]:
                row = profile_cpu(client, url)
                print(f"| `{row['url']}` | {row['cpu_ms']} | {row['queries']} |")
            return 0
        print("| URL (signed-in member) | median ms | p95 ms | queries |")
        print("|---|---|---|---|")
        for url in URLS:
            row = measure(client, url)
            print(f"| `{row['url']}` | {row['median_ms']} | {row['p95_ms']} | {row['queries']} |")
        return 0
    finally:
        teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    sys.exit(main())
