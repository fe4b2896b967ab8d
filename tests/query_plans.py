"""Query-plan assertions: a list or search must not read a large table from end to end."""

from django.db import connection


def analyse(*tables: str) -> None:
    """Fresh planner statistics after a bulk seed, as autovacuum would have them in production."""
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def plan_of(queryset) -> str:
    assert connection.vendor == "postgresql", "query plans are checked on PostgreSQL"
    return queryset.explain()


def assert_no_seq_scan(plan: str, table: str) -> None:
    assert f"Seq Scan on {table}" not in plan, plan
