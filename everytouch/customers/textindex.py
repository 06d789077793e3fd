"""A substring index over some text columns of one table: what the search box uses for leads and
interactions (the customer search's own index, with its two tables, is in ``search``).

SQLite: a contentless FTS5 table with the trigram tokenizer whose rowid is the row's id, kept
in step by database triggers on the table (insert; update of an indexed column; delete), so
every write path (actions, erasure, merge, ``bulk_create``, raw SQL) updates it. PostgreSQL: a
``pg_trgm`` GIN index per column, an ordinary index with nothing to keep.

A lookup is a substring match of the whole query, as ``icontains`` was, answered by the index
and cut at ``limit`` rows, highest ids (newest) first. A query shorter than three characters
cannot use a trigram index and finds nothing here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps
from django.db.models import BooleanField, Model
from django.db.models.expressions import RawSQL

# A trigram index can only look up a fragment of at least three characters.
MIN_INDEXED = 3

Param = str | int
# One SELECT of ids and its parameters.
Arm = tuple[str, list[Param]]


def like_escape(text: str) -> str:
    """``text`` as a literal inside a LIKE pattern (``ESCAPE '\\'``; PostgreSQL's default)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def phrase(text: str) -> str:
    """``text`` as one FTS5 string: operators, column filters and quotes in it are literal."""
    return '"' + text.replace('"', '""') + '"'


def vendor_sql_operation(
    create: Callable[[str], list[str]], drop: Callable[[str], list[str]]
) -> migrations.RunPython:
    """A migration step running ``create(vendor)``'s statements (``drop(vendor)``'s backwards)."""

    def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        for statement in create(schema_editor.connection.vendor):
            schema_editor.execute(statement)

    def backwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        for statement in drop(schema_editor.connection.vendor):
            schema_editor.execute(statement)

    return migrations.RunPython(forwards, backwards, elidable=False)


@dataclass(frozen=True)
class TextIndex:
    """The searched text of ``source``: ``columns``, in the FTS5 table ``name`` on SQLite."""

    name: str
    source: str
    columns: tuple[str, ...]

    # --- schema (the migrations that add an index run these) -------------------------------

    def create_sql(self, vendor: str) -> list[str]:
        if vendor == "sqlite":
            return [self._fts_table(), *self._triggers(), self._fill()]
        if vendor == "postgresql":
            return [
                "CREATE EXTENSION IF NOT EXISTS pg_trgm",
                *(
                    f"CREATE INDEX {self._trgm(c)} ON {self.source} USING gin ({c} gin_trgm_ops)"
                    for c in self.columns
                ),
            ]
        return []

    def drop_sql(self, vendor: str) -> list[str]:
        if vendor == "sqlite":
            return [
                *(f"DROP TRIGGER IF EXISTS {self.name}_{e}" for e in self.trigger_events),
                f"DROP TABLE IF EXISTS {self.name}",
            ]
        if vendor == "postgresql":
            return [f"DROP INDEX IF EXISTS {self._trgm(c)}" for c in self.columns]
        return []

    trigger_events = ("insert", "update", "delete")

    def operation(self) -> migrations.RunPython:
        """The migration step that adds this index (and removes it when migrating back)."""
        return vendor_sql_operation(self.create_sql, self.drop_sql)

    def trigger_names(self) -> list[str]:
        return [f"{self.name}_{event}" for event in self.trigger_events]

    def _trgm(self, column: str) -> str:
        return f"{self.source}_{column}_trgm"

    def _fts_table(self) -> str:
        columns = ", ".join(self.columns)
        return (
            f"CREATE VIRTUAL TABLE {self.name} USING fts5("
            f"{columns}, tokenize='trigram', content='', columnsize=0)"
        )

    def _values(self, row: str) -> str:
        return ", ".join(f"{row}.{c}" for c in self.columns)

    def _triggers(self) -> list[str]:
        # Contentless: a row is removed with FTS5's 'delete' command and the values it was
        # indexed with, which the trigger has in old.*.
        columns = ", ".join(self.columns)
        # Table and column names are constants of this module's callers, never user input.
        insert = (
            f"INSERT INTO {self.name} (rowid, {columns})"  # noqa: S608
            f" VALUES (new.id, {self._values('new')});"
        )
        delete = (
            f"INSERT INTO {self.name} ({self.name}, rowid, {columns})"  # noqa: S608
            f" VALUES ('delete', old.id, {self._values('old')});"
        )
        # Most saves touch a stage, a date or a score: they must not rewrite the index row.
        changed = " OR ".join(f"old.{c} IS NOT new.{c}" for c in (*self.columns, "id"))
        return [
            f"CREATE TRIGGER {self.name}_insert AFTER INSERT ON {self.source} BEGIN {insert} END",
            f"CREATE TRIGGER {self.name}_update AFTER UPDATE ON {self.source}"
            f" WHEN {changed} BEGIN {delete} {insert} END",
            f"CREATE TRIGGER {self.name}_delete AFTER DELETE ON {self.source} BEGIN {delete} END",
        ]

    def _fill(self) -> str:
        columns = ", ".join(self.columns)
        return (
            f"INSERT INTO {self.name} (rowid, {columns})"  # noqa: S608
            f" SELECT id, {columns} FROM {self.source}"
        )

    # --- lookups ------------------------------------------------------------------------------

    def match(self, text: str, limit: int) -> Arm | None:
        """The ids of the rows whose text holds ``text`` (any case), newest ``limit`` first;
        None when ``text`` is too short for the index. User text is only ever a parameter."""
        if len(text) < MIN_INDEXED:
            return None
        if connection.vendor == "sqlite":
            # FTS5 walks its lists in rowid order either way: DESC costs no sort.
            sql = f"SELECT rowid FROM {self.name} WHERE {self.name} MATCH %s"  # noqa: S608
            return f"{sql} ORDER BY rowid DESC LIMIT {int(limit)}", [phrase(text)]
        pattern = "%" + like_escape(text) + "%"
        anywhere = " OR ".join(f"{c} ILIKE %s" for c in self.columns)
        sql = f"SELECT id FROM {self.source} WHERE {anywhere}"  # noqa: S608
        return f"{sql} ORDER BY id DESC LIMIT {int(limit)}", [pattern] * len(self.columns)

    def rebuild(self) -> int:
        """Refill the SQLite index from the table (see ``search.rebuild_index``); the rows
        indexed, or 0 on PostgreSQL, whose indexes cannot drift."""
        if connection.vendor != "sqlite":
            return 0
        command = f"INSERT INTO {self.name} ({self.name}) VALUES (%s)"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(command, ["delete-all"])
            cursor.execute(self._fill())
            cursor.execute(command, ["optimize"])
            cursor.execute(f"SELECT count(*) FROM {self.source}")  # noqa: S608
            row = cursor.fetchone()
        return int(row[0]) if row else 0


def ids_of(arm: Arm) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(*arm)
        return [int(row[0]) for row in cursor.fetchall()]


def among(model: type[Model], ids: list[int], column: str = "id") -> RawSQL:
    """A filter() condition: ``model``'s ``column`` is one of ``ids``.

    The same as ``pk__in=ids`` to the database, but written as one literal list: Django prepares
    and compiles each value of a parameter list one by one, which for the 1,000-2,000 candidates
    of a broad search cost more than the queries themselves (about 10 ms a list). The values
    are ints (``int()`` below), so nothing typed by a user reaches the SQL.
    """
    table = connection.ops.quote_name(model._meta.db_table)
    name = connection.ops.quote_name(column)
    values = ", ".join(str(int(i)) for i in ids) or "NULL"
    return RawSQL(f"{table}.{name} IN ({values})", [], output_field=BooleanField())  # noqa: S611
