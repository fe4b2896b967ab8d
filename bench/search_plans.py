"""EXPLAIN (ANALYZE, BUFFERS) of what a member's talent search and a catalogue search run,
on the seeded bench database (`bench/stack.py`): buffers and milliseconds per statement.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/community_facets \\
      .venv/bin/python -m bench.search_plans [--exact]

`--exact` counts every match as before the sample (EXACT_COUNT_MAX unbounded), to compare.
Buffers (shared hits + reads) do not depend on the machine's load; times do.
"""

import argparse
import re

from bench import stack

SEARCHES = (
    {"q": "persona"}, {"q": "datos"}, {"q": "modelo abierto"}, {"q": "xqzv"},
    {"q": "persona", "region": "CT"}, {"skill": "nlp"}, {"q": "datos", "language": "eu"},
    {"q": "bench000"},  # 1,000 handles: ranked
)


def explain(sql: str) -> tuple[int, float, str] | None:
    """Shared buffers touched, execution ms and the plan's node names (None for a setting)."""
    from django.db import connection

    with connection.cursor() as cursor:
        if re.match(r"(SET|RESET) ", sql):
            cursor.execute(sql)
            return None
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    top = re.search(r"Buffers: shared(?: hit=(\d+))?(?: read=(\d+))?", plan)
    buffers = sum(int(n) for n in top.groups() if n) if top else 0
    ms = float(re.search(r"Execution Time: ([\d.]+)", plan).group(1))
    nodes = sorted({m.strip() for m in re.findall(r"(?:->\s+|^)([A-Z][\w ]+? (?:Scan|Join|Sort)(?: on \w+)?)", plan, re.M)})
    return buffers, ms, ", ".join(nodes)


def statements(run) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        run()
    # Planner settings the code changes around a statement are replayed around its EXPLAIN.
    return [
        query["sql"] for query in captured.captured_queries
        if re.search(r"FROM \"(profiles|hub)_", query["sql"]) or re.match(r"(SET|RESET) ", query["sql"])
    ]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--exact", action="store_true")
    args = parser.parse_args()
    url = stack.bench_database_url()
    stack.configure_environment(url)
    import django

    django.setup()
    from django.db import transaction

    from apps.accounts.models import User
    from apps.hub import selectors as hub
    from apps.profiles import selectors

    if args.exact:
        selectors.EXACT_COUNT_MAX = 10**9
    member = User.objects.filter(is_active=True, profile__listed_for="members").order_by("pk").first()
    transaction.set_autocommit(False)  # SET LOCAL lasts until the end of this transaction
    print("| search | statement | buffers | ms | plan |\n|---|---|---|---|---|")
    for params in SEARCHES:
        search = selectors.TalentSearch(
            q=params.get("q", ""), regions=[params["region"]] if "region" in params else [],
            skills=[params["skill"]] if "skill" in params else [],
            languages=[params["language"]] if "language" in params else [],
        )
        facets = selectors._search_facets(viewer=member, search=search)
        runs = {
            f"facets (total {facets['total']:,}{', approximate' if facets['approximate'] else ''})":
                lambda: selectors._search_facets(viewer=member, search=search),
            "first page": lambda: list(selectors.talent_search(viewer=member, search=search, matches=facets["total"])[:20]),
        }
        for name, run in runs.items():
            for sql in statements(run):
                if (explained := explain(sql)) is None:
                    continue
                buffers, ms, nodes = explained
                print(f"| {params} | {name}: {sql[:60]}… | {buffers} | {ms:.1f} | {nodes} |")
    for q in ("modelo agro", "xqzv abierto", "salamandra legal"):
        repositories = hub.repository_list(kind="model", q=q)
        catalogue = lambda: (repositories.count(), list(repositories[:25]), hub._catalogue_facets(kind="model", q=q))  # noqa: E731
        for sql in statements(catalogue):
            buffers, ms, nodes = explain(sql)  # no settings around the catalogue's statements
            print(f"| /models/?q={q} | {sql[:60]}… | {buffers} | {ms:.1f} | {nodes} |")
    transaction.rollback()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
