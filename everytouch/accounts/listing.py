"""What every list page shares: sorting by a whitelisted column, and the filters a saved view keeps.

A list reads ``?sort=name`` (ascending) or ``?sort=-created`` (descending) against the columns it
offers. Anything else (an unknown column, a field name, an injection attempt) quietly gives the
list's default order: a stale bookmark or a hand-edited URL still shows the list, never an error.
Pure functions on strings and mappings: no database here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.http import QueryDict

# Longer values are cut: no filter of ours needs more, and a saved view stays small.
MAX_VALUE = 200


@dataclass(frozen=True)
class SortChoice:
    """The order a list is shown in: the column key, its direction and the ORM fields."""

    key: str
    descending: bool
    fields: tuple[str, ...]
    descending_first: frozenset[str] = frozenset()

    @property
    def param(self) -> str:
        """The ``?sort=`` value that asks for this order again."""
        return f"-{self.key}" if self.descending else self.key

    def order_by(self) -> list[str]:
        if not self.descending:
            return list(self.fields)
        return [f[1:] if f.startswith("-") else f"-{f}" for f in self.fields]

    def param_for(self, key: str) -> str:
        """What a click on ``key``'s header asks for: the other direction of the current column,
        or a new column in its natural first direction (newest first for dates)."""
        if key == self.key:
            return key if self.descending else f"-{key}"
        return f"-{key}" if key in self.descending_first else key

    def aria_sort(self, key: str) -> str:
        """The header's ``aria-sort``; empty for columns the list is not sorted by."""
        if key != self.key:
            return ""
        return "descending" if self.descending else "ascending"


@dataclass(frozen=True)
class Sorting:
    """A list's sortable columns: key -> ascending ORM fields (ending in a unique tiebreaker so
    paging is stable), the default ``?sort=`` value and the columns first sorted descending."""

    columns: Mapping[str, tuple[str, ...]]
    default: str
    descending_first: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if self.default.lstrip("-") not in self.columns:
            raise ValueError(f"default sort {self.default!r} is not one of the columns")

    def parse(self, raw: str | None) -> SortChoice:
        """The order ``?sort=raw`` asks for, or the default for anything not whitelisted."""
        value = (raw or "").strip()
        key = value.removeprefix("-")
        if key not in self.columns:
            value = self.default
            key = value.removeprefix("-")
        descending = value.startswith("-")
        return SortChoice(key, descending, self.columns[key], self.descending_first)


def query_with(params: QueryDict, **changes: object) -> str:
    """``params`` as a query string with ``changes`` applied; a ``None`` change drops the key.
    Header and pager links use it, so following one keeps every other filter."""
    out = params.copy()
    for key, value in changes.items():
        if value is None or value == "":
            out.pop(key, None)
        else:
            out[key] = str(value)
    return out.urlencode()


def clean_query(raw: str, allowed: frozenset[str]) -> str:
    """Only the ``allowed`` parameters of a query string, non-empty and cut to a sane length, in
    a stable order. What a saved view stores: never the page number, never anything unknown."""
    params = QueryDict(raw.lstrip("?"))
    kept: list[tuple[str, str]] = []
    for key in sorted(allowed):
        for value in params.getlist(key):
            value = value.strip()[:MAX_VALUE]
            if value:
                kept.append((key, value))
    return urlencode(kept)


# --- saved views -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SavedPage:
    """A list page a manager may save views of: its URL name and the parameters kept."""

    url_name: str
    label: str
    params: frozenset[str]


# The list pages with saved views, by the key stored on each SavedView. The parameters are the
# filters and sort each page reads; keep them in step with its view when a filter is added.
SAVED_PAGES: dict[str, SavedPage] = {
    "customers": SavedPage("customer_list", "Customers", frozenset({"q", "owner", "sort"})),
    "interactions": SavedPage(
        "interaction_list", "Interactions", frozenset({"channel", "mine", "sort"})
    ),
    "leads": SavedPage(
        "lead_board", "Leads", frozenset({"owner", "stage", "untouched", "q", "sort"})
    ),
    "messages_all": SavedPage("messages_all", "Unacknowledged messages", frozenset({"sort"})),
}
