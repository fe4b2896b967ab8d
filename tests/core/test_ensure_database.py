"""`make stack` on a PostgreSQL without the database: it is created, or the command says how."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVER = "postgres://postgres@127.0.0.1:5432"


def ensure_database(database_url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "community.settings.local"}
    return subprocess.run([sys.executable, "manage.py", "ensure_database"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)


@pytest.fixture
def missing_database():
    name = f"community_missing_{secrets.token_hex(4)}"
    yield name
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def test_a_missing_database_is_created_and_a_second_run_leaves_it(missing_database):
    first = ensure_database(f"{SERVER}/{missing_database}")
    assert first.returncode == 0, first.stderr
    assert f"Created the database {missing_database}" in first.stdout
    psycopg.connect(f"{SERVER}/{missing_database}").close()
    again = ensure_database(f"{SERVER}/{missing_database}")
    assert again.returncode == 0 and f"Database {missing_database} exists." in again.stdout


def test_a_role_that_may_not_create_it_is_told_the_exact_command(missing_database):
    role = f"nocreate_{secrets.token_hex(3)}"
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE ROLE "{role}" LOGIN NOCREATEDB')
    try:
        result = ensure_database(f"postgres://{role}@127.0.0.1:5432/{missing_database}")
    finally:
        with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP ROLE "{role}"')
    assert result.returncode != 0
    assert f"createdb -h 127.0.0.1 -p 5432 -O {role} {missing_database}" in result.stderr


def test_no_server_at_the_address_says_to_start_postgresql():
    result = ensure_database("postgres://postgres@127.0.0.1:1/community")
    assert result.returncode != 0
    assert "Cannot connect to PostgreSQL at 127.0.0.1:1" in result.stderr
    assert "Start PostgreSQL" in result.stderr


def test_make_stack_creates_the_database_before_migrating_with_debug_off():
    plan = subprocess.run(["make", "-n", "stack"], cwd=ROOT, capture_output=True, text=True, timeout=30).stdout
    commands = [line for line in plan.splitlines() if "manage.py" in line or "honcho start" in line]
    assert "manage.py ensure_database" in commands[0] and "manage.py migrate" in commands[1]
    assert all("DEBUG=${DEBUG:-false}" in line and "SITE_URL=" in line for line in commands)
