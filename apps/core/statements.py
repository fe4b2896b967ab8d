"""Querysets compiled to SQL once per process, run with new values on every call.

Building a queryset (filters, subqueries, annotations) and compiling it to SQL costs a
member's page more CPU than PostgreSQL spends running it (docs/benchmarks.md). The statements
every signed-in page runs are therefore built once, with stand-in values where the member,
the page or the time go, and each call puts the real values in the stand-ins' places.
"""

from datetime import datetime
from datetime import timezone as dt_timezone

from django.db import connections
from django.db.models.query import ModelIterable, get_related_populators


class CompiledQuery:
    """`build(**params)` returns a queryset of model instances whose SQL is the same whatever
    the values of `params`, declared by type (`int`, `str` or `datetime`): only the values
    change. Anything else the queryset holds (a time, a language) is fixed at the first call.
    None is not a value (`field=None` compiles to other SQL): callers handle it apart."""

    def __init__(self, build, **types):
        self._build = build
        self._types = types
        self._compiled: dict[str, _Compiled] = {}

    def list(self, *, using: str = "default", **values) -> list:
        if set(values) != set(self._types):
            raise TypeError(f"expected values for {sorted(self._types)}, got {sorted(values)}")
        for name, value in values.items():
            kind = self._types[name]
            if not isinstance(value, kind) or isinstance(value, bool):
                raise TypeError(f"{name} must be a {kind.__name__}, not {value!r}")
        compiled = self._compiled.get(using)
        if compiled is None:
            compiled = self._compiled[using] = _Compiled(self._build, self._types, using)
        return compiled.run(values)

    def first(self, **values):
        """The first row, or None: `build` orders and limits the queryset as it needs."""
        rows = self.list(**values)
        return rows[0] if rows else None


def _stand_in(kind, index: int):
    # Values no caller passes, each found in the compiled parameters by equality and type.
    if kind is int:
        return 2_147_480_000 + index  # within every integer column's range
    if kind is str:
        return f"\x1fstand-in {index}\x1f"
    if kind is datetime:
        return datetime(2001, 2, 3, 4, 5, 6, 700 + index, tzinfo=dt_timezone.utc)
    raise TypeError(f"no stand-in for {kind.__name__}")


class _Compiled:
    """One statement compiled for one database, and what turns its rows into instances (as
    Django's `ModelIterable` does). It runs on the calling thread's connection."""

    def __init__(self, build, types: dict, using: str):
        stand_ins = {name: _stand_in(kind, index) for index, (name, kind) in enumerate(types.items())}
        queryset = build(**stand_ins).using(using)
        if queryset._iterable_class is not ModelIterable:
            raise TypeError("CompiledQuery builds querysets of model instances, not values()")
        self.using = using
        self.ops = connections[using].ops
        self.compiler = queryset.query.get_compiler(using)
        self.sql, params = self.compiler.as_sql()
        self.params = list(params)
        # Where each value goes, and in what type: psycopg's Int8 for a big integer column.
        self.places: dict[str, list[tuple[int, type]]] = {}
        for name, value in stand_ins.items():
            adapted = self._adapt(value)
            places = [
                (i, type(param))
                for i, param in enumerate(self.params)
                if isinstance(param, type(adapted)) and not isinstance(param, bool) and param == adapted
            ]
            if not places:
                raise ValueError(f"{name!r} is not among the parameters Django compiled (was it transformed?)")
            self.places[name] = places
        select, klass_info = self.compiler.select, self.compiler.klass_info
        self.model = klass_info["model"]
        fields = klass_info["select_fields"]
        self.start, self.end = fields[0], fields[-1] + 1
        self.init_list = [column[0].target.attname for column in select[self.start : self.end]]
        self.populators = get_related_populators(klass_info, select, using)
        self.annotations = dict(self.compiler.annotation_col_map)
        self.converters = self.compiler.get_converters([column[0] for column in select])

    def _adapt(self, value):
        return self.ops.adapt_datetimefield_value(value) if isinstance(value, datetime) else value

    def run(self, values: dict) -> list:
        params = list(self.params)
        for name, places in self.places.items():
            value = self._adapt(values[name])
            for place, kind in places:
                params[place] = value if type(value) is kind else kind(value)
        with connections[self.using].cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        if self.converters:
            rows = self.compiler.apply_converters(rows, self.converters)
        instances = []
        for row in rows:
            instance = self.model.from_db(self.using, self.init_list, row[self.start : self.end])
            for populator in self.populators:
                populator.populate(row, instance)
            for attribute, column in self.annotations.items():
                setattr(instance, attribute, row[column])
            instances.append(instance)
        return instances
