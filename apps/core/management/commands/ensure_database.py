"""`make stack`'s first step: create the PostgreSQL database DATABASE_URL names when it is missing.

Without it a first `make stack` on a fresh PostgreSQL ends in "couldn't get a connection"
from the pool, which says nothing about the database not existing.
"""

import psycopg
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from psycopg import sql


class Command(BaseCommand):
    help = "Create the PostgreSQL database named by DATABASE_URL if it does not exist yet."

    def handle(self, *args, **options):
        db = settings.DATABASES["default"]
        if db["ENGINE"] != "django.db.backends.postgresql":
            self.stdout.write("Not PostgreSQL: nothing to create.")
            return
        name = db["NAME"]
        where = {"host": db.get("HOST") or None, "port": db.get("PORT") or None,
                 "user": db.get("USER") or None, "password": db.get("PASSWORD") or None, "connect_timeout": 5}
        address = f"{where['host'] or 'localhost'}:{where['port'] or 5432}"
        try:
            psycopg.connect(dbname=name, **where).close()
        except psycopg.OperationalError as exc:
            if f'database "{name}" does not exist' not in str(exc):
                raise CommandError(
                    f"Cannot connect to PostgreSQL at {address} as {where['user'] or 'the current user'}: {exc}\n"
                    "Start PostgreSQL (e.g. `service postgresql start`) or correct DATABASE_URL, "
                    "then run `make stack` again."
                ) from exc
        else:
            self.stdout.write(f"Database {name} exists.")
            return
        try:
            with psycopg.connect(dbname="postgres", autocommit=True, **where) as conn:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        except psycopg.Error as exc:
            raise CommandError(
                f"The database {name} does not exist and could not be created: {exc}\n"
                f"Create it as a PostgreSQL superuser:  createdb -h {where['host'] or 'localhost'} "
                f"-p {where['port'] or 5432} -O {where['user'] or '$USER'} {name}\n"
                "then run `make stack` again."
            ) from exc
        self.stdout.write(self.style.SUCCESS(f"Created the database {name} at {address}."))
