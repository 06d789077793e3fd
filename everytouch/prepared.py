"""A hot ORM query turned into SQL once, then run with new values: for the few reads a phone
system makes on every ring.

Django builds and compiles a queryset's SQL on every evaluation; for a small indexed lookup
that costs 10-20 times the database's own work (about 0.7 ms against 0.04 ms on this machine;
docs/benchmarks.md, "Identify"). A ``PreparedQuery`` is written as an ordinary ``values_list``
queryset, so the ORM still names the tables, joins and columns and quotes them for each
database; it is compiled the first time a thread's connection runs it, and later runs only
execute the SQL through Django's cursor (so query logging and ``assert_num_queries`` see it)
and apply the same converters the ORM would (datetimes on SQLite, for instance).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet
from django.db.models.sql.compiler import SQLCompiler


@dataclass(frozen=True)
class Param:
    """Where the query's ``index``-th argument goes in the compiled SQL's parameters."""

    index: int


def _stand_in(kind: type[str] | type[int], index: int) -> str | int:
    """A value of the argument's type that no real query would use, found again by equality."""
    if kind is int:
        return -(2**62) + index
    return f"\x00prepared-param-{index}\x00"


@dataclass(frozen=True)
class _Compiled:
    sql: str
    # Where each SQL parameter comes from: an argument (Param) or a constant the ORM put in.
    params: tuple[object, ...]
    compiler: SQLCompiler
    converters: dict[int, tuple[list[Any], Any]]


class PreparedQuery:
    """``build(*args)`` returns a ``values_list`` queryset; ``rows(*args)`` runs it.

    ``kinds`` gives each argument's type (``str`` or ``int``). Each argument must reach the SQL
    as one parameter, unchanged: an exact-match filter on a plain column (not ``icontains``,
    which would wrap it in ``%...%``); ``_compile`` refuses a query where one does not.
    """

    def __init__(
        self, build: Callable[..., QuerySet[Any, Any]], *kinds: type[str] | type[int]
    ) -> None:
        self.build = build
        self.kinds = kinds
        self.arity = len(kinds)
        # Per thread: Django's connections are per thread, and so are the compiler's converters.
        self._local = threading.local()

    def _compile(self, alias: str) -> _Compiled:
        stand_ins = [_stand_in(kind, i) for i, kind in enumerate(self.kinds)]
        queryset = self.build(*stand_ins)
        compiler = queryset.query.get_compiler(using=alias)
        sql, raw_params = compiler.as_sql()
        where = {value: Param(i) for i, value in enumerate(stand_ins)}
        params = tuple(where.get(p, p) if isinstance(p, str | int) else p for p in raw_params)
        used = {p.index for p in params if isinstance(p, Param)}
        if used != set(range(self.arity)):
            raise ValueError(f"every argument must be one SQL parameter; got {raw_params!r}")
        fields = [s[0] for s in compiler.select[0 : compiler.col_count]]
        return _Compiled(sql, params, compiler, compiler.get_converters(fields))

    def compiled(self, alias: str = DEFAULT_DB_ALIAS) -> _Compiled:
        cache: dict[str, _Compiled] = self._local.__dict__.setdefault("compiled", {})
        found = cache.get(alias)
        if found is None:
            found = cache[alias] = self._compile(alias)
        return found

    def rows(self, *args: object, using: str = DEFAULT_DB_ALIAS) -> list[Sequence[Any]]:
        if len(args) != self.arity:
            raise TypeError(f"expected {self.arity} arguments, got {len(args)}")
        done = self.compiled(using)
        values: list[Any] = [args[p.index] if isinstance(p, Param) else p for p in done.params]
        with connections[using].cursor() as cursor:
            cursor.execute(done.sql, values)
            rows: list[Sequence[Any]] = cursor.fetchall()
        if done.converters:
            rows = list(done.compiler.apply_converters(rows, done.converters))
        return rows
