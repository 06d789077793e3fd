"""Finding customers from whatever a person types: a name, a company, an e-mail or a phone.

One function, ``search_customers``, serves the customer list, the API, the desk and the
top-bar search, so they all agree on what matches and in which order.

It answers from an index (docs/search.md): on SQLite an FTS5 trigram table kept in step by
database triggers (migration customers 0008), on PostgreSQL pg_trgm GIN indexes. First a small
set of candidate ids is found through the index, at most ``SEARCH_CAP`` per kind of match, then
only those rows are ranked and sorted, so a search costs about the same at a thousand customers
or a million. Words of fewer than three characters cannot use a trigram index: alone they match
the start of a name or company (a B-tree range); beside longer words they narrow those words'
matches.

Phones are stored in E.164 (``+13315550119``), so a typed number is reduced to its digits and
looked for inside the stored digits: "0119", "555-01", "(331) 555" and "331.555.0119" all find
the same customer. A complete number also counts as an exact match and ranks first.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field

import phonenumbers
from django.db import connection, transaction
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When

from everytouch.customers.contacts import (
    InvalidContact,
    default_region,
    looks_like_email,
    normalise,
)
from everytouch.customers.models import ContactKind, ContactPoint, Customer
from everytouch.customers.textindex import MIN_INDEXED, Arm, Param, among
from everytouch.customers.textindex import like_escape as _like_escape
from everytouch.customers.textindex import phrase as _phrase

# Longer input is cut, not refused: a pasted paragraph still searches for its beginning.
MAX_QUERY = 200
# Each word is one more condition in the SQL; a sentence of them helps nobody.
MAX_WORDS = 6
# Fewer digits than this match half the book; "555" is the shortest useful fragment.
MIN_DIGITS = 3
# At most this many candidates per kind of match (name prefix, word prefix, any match...): a
# search as broad as "son" still ranks and counts a few thousand rows, not a million. A list
# with at least this many rows was cut; the list page says so (``was_capped``).
SEARCH_CAP = 1000
# Several words: the narrowest word's matches are checked for the others row by row, at most
# this many (a query of only very broad words lists what the index finds in one row).
DRIVER_LIMIT = 5000

_NOT_DIGIT = re.compile(r"\D+", re.ASCII)
# What people put between the digits of a phone number, and nothing else.
_PHONE_LIKE = re.compile(r"^[\d\s().+\-/]*\d[\d\s().+\-/]*$", re.ASCII)
# "#301": how the app writes a record's number ("already belongs to Rosa Delgado (#301)").
_RECORD_NUMBER = re.compile(r"^#\s*(\d{1,18})$", re.ASCII)
# SQLite's UPPER() folds ASCII letters only; a prefix bound must be folded the same way.
_ASCII_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
# Sorts after any character, so [prefix, prefix + _TOP) is every string starting with prefix.
_TOP = "\U0010ffff"

# Ranks, best first: an exact phone or e-mail is the person on the line.
EXACT, NAME_PREFIX, WORD_PREFIX, OTHER = range(4)


def clean_query(raw: str) -> str:
    """What a search box sends, made safe to search with: control characters (NUL breaks
    PostgreSQL) dropped, whitespace collapsed, at most ``MAX_QUERY`` characters."""
    printable = "".join(" " if unicodedata.category(c).startswith("C") else c for c in raw)
    return " ".join(printable.split())[:MAX_QUERY].strip()


def digits_of(text: str) -> str:
    return _NOT_DIGIT.sub("", text)


def record_number(text: str) -> int | None:
    """The number in "#301", or None if ``text`` is not a record number."""
    found = _RECORD_NUMBER.match(text)
    return int(found.group(1)) if found else None


def is_phone_like(text: str) -> bool:
    """Whether ``text`` is only a (part of a) phone number: digits and the usual separators."""
    return bool(_PHONE_LIKE.match(text))


def search_customers(query: str, ids: list[int] | None = None) -> QuerySet[Customer]:
    """Customers matching a name, company, e-mail or phone typed in any format, best first.

    Order: the record's own number ("#301") or an exact phone or e-mail, then names starting
    with the query, then names with a word starting with it (or a company starting with it),
    then the rest; by name within each. An empty query lists everyone by name. Merged-away
    records never appear. A very broad query gives its best ``SEARCH_CAP``-odd matches.
    ``ids``: the query's ``candidate_ids``, when the caller has them already.
    """
    qs = Customer.objects.filter(merged_into__isnull=True).select_related("owner")
    text = clean_query(query)
    if not text:
        return qs.order_by("name", "id")
    exact = _exact(text)
    # The candidates are read once, here: as a subquery they would be found again for the
    # pager's count and again for the page (three times the index work on PostgreSQL, where a
    # common word's trigram lists are long). There are at most a few thousand of them.
    found = candidate_ids(text) if ids is None else ids
    qs = qs.filter(among(Customer, found)).annotate(search_rank=_rank(text, exact))
    return qs.order_by("search_rank", "name", "id")


def candidate_ids(text: str) -> list[int]:
    """The ids of the customers the cleaned query ``text`` matches, best kinds of match first,
    each once; at most about ``SEARCH_CAP`` once the cap is reached.

    The arms run one by one, best rank first, and stop as soon as ``SEARCH_CAP`` ids are in:
    when the names starting with "Finn" already fill the list, the rows that merely contain
    "finn" somewhere would only rank below them, and on PostgreSQL finding those costs a walk of
    a common trigram's whole list. User text reaches the SQL only as parameters; the SQL
    itself is built from constants.
    """
    found: dict[int, None] = {}
    with connection.cursor() as cursor:
        for sql, params in _arms(text, connection.vendor):
            cursor.execute(f"SELECT * FROM ({sql} LIMIT {SEARCH_CAP}) AS arm", params)  # noqa: S608
            found.update((int(row[0]), None) for row in cursor.fetchall())
            if len(found) >= SEARCH_CAP:
                break
    return list(found)


def was_capped(query: str, count: int) -> bool:
    """Whether a search's ``count`` rows may be a cut of its matches (see ``SEARCH_CAP``)."""
    return bool(clean_query(query)) and count >= SEARCH_CAP


# --- exact matches and ranking (run only on the candidate rows) ------------------------------


def _contact(kind: ContactKind, **lookup: str) -> Q:
    points = ContactPoint.objects.filter(customer=OuterRef("pk"), kind=kind, **lookup)
    return Q(Exists(points))


def _nothing() -> Q:
    return Q(pk__in=[])


def _exact_contact(text: str) -> tuple[str, str] | None:
    """The (kind, stored value) of the complete phone or e-mail ``text`` is, if it is one."""
    if not looks_like_email(text) and not is_phone_like(text):
        return None
    try:
        found = normalise(text)
    except InvalidContact:
        return None
    return found.kind, found.value


def _exact(text: str) -> Q:
    """The customer whose number ("#301") or complete phone or e-mail this is."""
    number = record_number(text)
    if number is not None:
        return Q(pk=number)
    contact = _exact_contact(text)
    if contact is None:
        return _nothing()
    return _contact(ContactKind(contact[0]), value=contact[1])


def _rank(text: str, exact: Q) -> Case:
    return Case(
        When(exact, then=Value(EXACT)),
        When(name__istartswith=text, then=Value(NAME_PREFIX)),
        When(Q(name__icontains=f" {text}") | Q(company__istartswith=text), then=Value(WORD_PREFIX)),
        default=Value(OTHER),
        output_field=IntegerField(),
    )


# --- candidates through the index ------------------------------------------------------------


@dataclass
class _Sql:
    """A statement being assembled, with its parameters in order (Django's %s style)."""

    parts: list[str] = field(default_factory=list)
    params: list[Param] = field(default_factory=list)

    def add(self, sql: str, *params: Param) -> None:
        self.parts.append(sql)
        self.params.extend(params)


def _arms(text: str, vendor: str) -> Iterator[Arm]:
    """SELECTs of customer ids, best rank first, each answered by an index and each a subset of
    what the query matches (so all of them together are exact when none was cut). Lazy: the
    later ones are built (and some of them counted) only when the earlier did not fill the
    list."""
    number = record_number(text)
    if number is not None:
        yield "SELECT %s", [number]
    contact = _exact_contact(text)
    if contact is not None:
        yield (
            "SELECT customer_id FROM customers_contactpoint WHERE kind = %s AND value = %s",
            list(contact),
        )
    yield from _prefix_arms(text, vendor)
    yield from _matches_arms(text, vendor)


def _prefix_arms(text: str, vendor: str) -> list[Arm]:
    """Names, then companies, starting with the query (B-tree), then names with a word that
    does (trigram): the best ranks after an exact match."""
    arms: list[Arm] = []
    for column in ("name", "company"):
        if vendor == "postgresql":
            # The pattern-ops index (migration 0008) serves LIKE 'AB%' in any collation.
            # UPPER on both sides: the database's idea of upper case, not Python's ("ß").
            sql = f"UPPER({column}) LIKE UPPER(%s)"
            params: list[Param] = [_like_escape(text) + "%"]
        else:
            low = text.translate(_ASCII_UPPER)
            sql = f"UPPER({column}) >= %s AND UPPER({column}) < %s"
            params = [low, low + _TOP]
        arms.append(
            (
                # No merged_into_id test here: the index alone answers (the final query drops
                # merged-away records).
                f"SELECT id FROM customers_customer WHERE {sql}",  # noqa: S608
                params,
            )
        )
    # One word only: for several, the same-row arm holds these rows, and a long phrase of common
    # trigrams (" jon evans") costs a scan of each one's whole list. SQLite only: FTS5 checks
    # the space by position, while pg_trgm's ILIKE '% cleo%' fetches and rechecks every
    # "Cleo ..." row (83,000 of them, 177 ms at 1M) to find the few with a word "cleo".
    # Not for one or two letters either: they match starts of names and companies alone, the
    # same on both databases.
    if vendor == "sqlite" and len(text) >= MIN_INDEXED and " " not in text:
        arms.append(_fts_select("name : " + _phrase(" " + text)))
    return arms


def _matches_arms(text: str, vendor: str) -> Iterator[Arm]:
    """Everything the query matches, through the trigram index: a phone-like query as a
    number (or a name like "3M" or "7-Eleven"); anything else must find every one of its words
    somewhere in the customer. Nothing if no word is long enough for the index (the prefix arms
    then answer alone). Lazy, like ``_arms``: the narrowest word is only looked for when the
    arms before it did not fill the list."""
    if is_phone_like(text):
        whole = _word_select(text, vendor, whole=True)
        if whole is not None:
            yield whole
        return
    words = _distinct(text.split(" ")[:MAX_WORDS])
    long_words = [w for w in words if len(w) >= MIN_INDEXED]
    short_words = [w for w in words if len(w) < MIN_INDEXED]
    if not long_words:
        return
    if len(long_words) == 1:
        (only,) = long_words
        select = _word_select(only, vendor, whole=False)
        assert select is not None  # a long word always has a text condition
        yield _narrowed(*select, short_words, vendor) if short_words else select
        return
    # Several words. Intersecting every word's matches costs as much as the broadest word
    # ("ada" in a million names); instead: the rows that hold all the words at once ("Kara
    # Ito", "jane acme"), then, if those did not fill the list (``candidate_ids`` stops once
    # full), the customers of the narrowest word checked row by row for the others (a name
    # word with a phone or e-mail fragment).
    same_row = _same_row(long_words, vendor)
    if same_row is not None:
        yield _narrowed(*same_row, short_words, vendor) if short_words else same_row
    selects = [(w, _word_select(w, vendor, whole=False)) for w in long_words]
    driver, select = min(
        ((w, s) for w, s in selects if s is not None), key=lambda ws: _rows_upto(ws[1])
    )
    rest = [w for w in words if w != driver]
    yield _narrowed(*select, rest, vendor, DRIVER_LIMIT)


def _same_row(words: list[str], vendor: str) -> Arm | None:
    """Customers with every word in one row: name and company, or one contact point."""
    if vendor == "sqlite":
        return _fts_select(" AND ".join(f"({_fts_terms(w, whole=False)})" for w in words))
    if vendor != "postgresql":
        return None
    out = _Sql()
    for word in words:
        pattern = "%" + _like_escape(word) + "%"
        out.add("(name ILIKE %s OR company ILIKE %s)", pattern, pattern)
    conditions = " AND ".join(out.parts)
    sql = f"SELECT id FROM customers_customer WHERE {conditions} AND merged_into_id IS NULL"  # noqa: S608
    return sql, out.params


def _rows_upto(arm: Arm, limit: int = DRIVER_LIMIT) -> int:
    """How many rows ``arm`` gives, counted no further than ``limit``."""
    sql = f"SELECT count(*) FROM ({arm[0]} LIMIT {limit}) AS counted"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, arm[1])
        row = cursor.fetchone()
    return int(row[0]) if row else limit


def _distinct(words: list[str]) -> list[str]:
    """The words that add a condition: "ann anna" needs only "anna"; longest first, since
    the most specific word gives the shortest list to intersect."""
    folded = sorted({w.lower(): w for w in words}.items(), key=lambda kv: -len(kv[0]))
    kept: list[tuple[str, str]] = []
    for key, word in folded:
        if not any(key in other for other, _ in kept):
            kept.append((key, word))
    return [word for _, word in kept]


def _phone_variants(text: str) -> list[str]:
    """Stored E.164 digits to look for: the typed digits, and without a national trunk prefix
    ("0" in "020 7946", "8" in Russia), since E.164 never stores it."""
    digits = digits_of(text)
    if len(digits) < MIN_DIGITS:
        return []
    variants = [digits]
    national = _without_trunk_prefix(digits)
    if national != digits and len(national) >= MIN_DIGITS:
        variants.append(national)
    return variants


def _without_trunk_prefix(digits: str) -> str:
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(default_region())
    prefix = metadata.national_prefix if metadata is not None else None
    if prefix and digits.startswith(prefix):
        return digits[len(prefix) :]
    return digits


def _word_select(word: str, vendor: str, *, whole: bool) -> Arm | None:
    """Customer ids where ``word`` is in the name or company, in an e-mail (not for a whole
    phone-like query, as before), or, for a phone-like word, in a phone's digits."""
    phones = _phone_variants(word) if is_phone_like(word) else []
    text_ok = len(word) >= MIN_INDEXED
    if vendor == "sqlite":
        terms = _fts_terms(word, whole=whole)
        return _fts_select(terms) if terms else None
    if vendor != "postgresql":
        return None
    out = _Sql()
    pattern = "%" + _like_escape(word) + "%"
    if text_ok:
        out.add(
            "SELECT id FROM customers_customer WHERE (name ILIKE %s OR company ILIKE %s)"
            " AND merged_into_id IS NULL",
            pattern,
            pattern,
        )
        if not whole:
            out.add(
                "SELECT customer_id FROM customers_contactpoint"
                " WHERE kind = 'email' AND value ILIKE %s",
                pattern,
            )
    for digits in phones:
        out.add(
            "SELECT customer_id FROM customers_contactpoint WHERE kind = 'phone' AND value LIKE %s",
            f"%{digits}%",
        )
    if not out.parts:
        return None
    return "(" + " UNION ALL ".join(out.parts) + ")", out.params


def _fts_terms(word: str, *, whole: bool) -> str:
    """The FTS5 condition for one word (see ``_word_select``); empty if it has none."""
    columns = "{name company}" if whole else "{name company email}"
    terms = [f"{columns} : {_phrase(word)}"] if len(word) >= MIN_INDEXED else []
    phones = _phone_variants(word) if is_phone_like(word) else []
    terms += [f"phone : {_phrase(d)}" for d in phones]
    return " OR ".join(terms)


def _fts_select(match: str) -> Arm:
    # The rowid carries the customer id (migration 0008): no content table to read.
    return "SELECT rowid >> 32 FROM customers_search WHERE customers_search MATCH %s", [match]


def _narrowed(
    sql: str, params: list[Param], words: list[str], vendor: str, limit: int = 2 * SEARCH_CAP
) -> Arm:
    """The customers of ``sql`` that also hold each of ``words`` somewhere: checked row by row
    on the tables, which is cheap on a list the index already cut down."""
    like = "ILIKE" if vendor == "postgresql" else "LIKE"
    out = _Sql()
    # The LIMIT keeps the IN list (which is built in full) small when ``sql`` is broad.
    out.add(
        f"SELECT c.id FROM customers_customer c WHERE c.id IN ({sql} LIMIT {limit})",  # noqa: S608
        *params,
    )
    for word in words:
        pattern = "%" + _like_escape(word) + "%"
        contact = _Sql()
        contact.add(f"(p.kind = 'email' AND p.value {like} %s ESCAPE '\\')", pattern)
        for digits in _phone_variants(word) if is_phone_like(word) else []:
            contact.add("(p.kind = 'phone' AND p.value LIKE %s)", f"%{digits}%")
        out.add(
            f"(c.name {like} %s ESCAPE '\\' OR c.company {like} %s ESCAPE '\\'"  # noqa: S608
            " OR EXISTS (SELECT 1 FROM customers_contactpoint p WHERE p.customer_id = c.id"
            f" AND ({' OR '.join(contact.parts)})))",
            pattern,
            pattern,
            *contact.params,
        )
    return " AND ".join(out.parts), out.params


# --- keeping the SQLite index ----------------------------------------------------------------

# The same rows the triggers write (customers migration 0008): the customer id in the rowid.
_REBUILD = (
    "INSERT INTO customers_search (customers_search) VALUES ('delete-all')",
    "INSERT INTO customers_search (rowid, name, company)"
    " SELECT id << 32, name, company FROM customers_customer WHERE merged_into_id IS NULL",
    "INSERT INTO customers_search (rowid, email, phone)"
    " SELECT (customer_id << 32) + id, CASE WHEN kind = 'email' THEN value END,"
    " CASE WHEN kind = 'phone' THEN value END FROM customers_contactpoint",
    "INSERT INTO customers_search (customers_search) VALUES ('optimize')",
)


def rebuild_index() -> int:
    """Refill the SQLite search index from the tables; returns the rows indexed (0 and nothing
    to do on PostgreSQL, whose indexes cannot drift). The triggers keep it current; this is for
    a database restored from a backup made before the index existed, or one edited with the
    triggers dropped."""
    if connection.vendor != "sqlite":
        return 0
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in _REBUILD:
            cursor.execute(statement)
        cursor.execute(
            "SELECT (SELECT count(*) FROM customers_customer WHERE merged_into_id IS NULL)"
            " + (SELECT count(*) FROM customers_contactpoint)"
        )
        return int(cursor.fetchone()[0])
