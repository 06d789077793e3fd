"""Indexes for the customer search (docs/search.md), one kind per database.

SQLite: an FTS5 table with the trigram tokenizer, one row per customer (name, company) and one
per contact point (e-mail or phone), each carrying the customer's id in its rowid. Database triggers keep it
in step with the two tables, so every write path (actions, merge, erase, bulk import, admin,
raw SQL) updates it without remembering to. A contact insert touches only its own row, which
keeps a bulk import cheap.

PostgreSQL: pg_trgm GIN indexes serve the same substring matching, and a text_pattern_ops
index on UPPER(name) serves prefixes of fewer than three characters.
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

# Rowids carry the customer: (customer id << 32) for the customer's own row and
# (customer id << 32) + contact point id for a contact point's row, so a search reads ids from
# the index alone (no content table to look them up in; ids must stay under 2**31 and 2**32).
# The table is contentless: a row is removed with FTS5's 'delete' command and the values it was
# indexed with, which the triggers have in old.*.
_CUSTOMER_ROW = "(new.id << 32)"
_CONTACT_VALUES = """
            CASE WHEN new.kind = 'email' THEN new.value END,
            CASE WHEN new.kind = 'phone' THEN new.value END"""
_DELETE_CUSTOMER = """
        INSERT INTO customers_search (customers_search, rowid, name, company)
        SELECT 'delete', old.id << 32, old.name, old.company WHERE old.merged_into_id IS NULL;"""
_INSERT_CUSTOMER = """
        INSERT INTO customers_search (rowid, name, company)
        SELECT new.id << 32, new.name, new.company WHERE new.merged_into_id IS NULL;"""
_DELETE_CONTACT = """
        INSERT INTO customers_search (customers_search, rowid, email, phone) VALUES (
            'delete', (old.customer_id << 32) + old.id,
            CASE WHEN old.kind = 'email' THEN old.value END,
            CASE WHEN old.kind = 'phone' THEN old.value END);"""
_INSERT_CONTACT = """
        INSERT INTO customers_search (rowid, email, phone) VALUES (
            (new.customer_id << 32) + new.id,
            CASE WHEN new.kind = 'email' THEN new.value END,
            CASE WHEN new.kind = 'phone' THEN new.value END);"""

SQLITE_CREATE = [
    """CREATE VIRTUAL TABLE customers_search USING fts5(
        name, company, email, phone, tokenize='trigram', content='', columnsize=0
    )""",
    # A merged-away record is not searchable: only records still in use get a row.
    f"""CREATE TRIGGER customers_search_customer_insert AFTER INSERT ON customers_customer
    BEGIN {_INSERT_CUSTOMER}
    END""",
    # Most saves touch only updated_at or notes; they must not rewrite the index row.
    f"""CREATE TRIGGER customers_search_customer_update AFTER UPDATE ON customers_customer
    WHEN old.name IS NOT new.name OR old.company IS NOT new.company
        OR old.merged_into_id IS NOT new.merged_into_id OR old.id IS NOT new.id
    BEGIN {_DELETE_CUSTOMER} {_INSERT_CUSTOMER}
    END""",
    f"""CREATE TRIGGER customers_search_customer_delete AFTER DELETE ON customers_customer
    BEGIN {_DELETE_CUSTOMER}
    END""",
    f"""CREATE TRIGGER customers_search_contact_insert AFTER INSERT ON customers_contactpoint
    BEGIN {_INSERT_CONTACT}
    END""",
    f"""CREATE TRIGGER customers_search_contact_update AFTER UPDATE ON customers_contactpoint
    WHEN old.value IS NOT new.value OR old.kind IS NOT new.kind
        OR old.customer_id IS NOT new.customer_id OR old.id IS NOT new.id
    BEGIN {_DELETE_CONTACT} {_INSERT_CONTACT}
    END""",
    f"""CREATE TRIGGER customers_search_contact_delete AFTER DELETE ON customers_contactpoint
    BEGIN {_DELETE_CONTACT}
    END""",
    # Rows that exist before this migration (everytouch.customers.search.rebuild_index does
    # the same for a database restored from an older backup).
    """INSERT INTO customers_search (rowid, name, company)
    SELECT id << 32, name, company FROM customers_customer WHERE merged_into_id IS NULL""",
    """INSERT INTO customers_search (rowid, email, phone)
    SELECT (customer_id << 32) + id, CASE WHEN kind = 'email' THEN value END,
        CASE WHEN kind = 'phone' THEN value END FROM customers_contactpoint""",
]

SQLITE_DROP = [
    *(
        f"DROP TRIGGER IF EXISTS customers_search_{table}_{event}"
        for table in ("customer", "contact")
        for event in ("insert", "update", "delete")
    ),
    "DROP TABLE IF EXISTS customers_search",
]

POSTGRES_CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX customer_name_trgm ON customers_customer USING gin (name gin_trgm_ops)",
    "CREATE INDEX customer_company_trgm ON customers_customer USING gin (company gin_trgm_ops)",
    "CREATE INDEX contact_value_trgm ON customers_contactpoint USING gin (value gin_trgm_ops)",
    # LIKE 'AB%' can use a B-tree only with pattern ops (the database collation need not be C).
    "CREATE INDEX customer_name_upper_prefix ON customers_customer"
    " (UPPER(name) text_pattern_ops)",
    "CREATE INDEX customer_company_upper_prefix ON customers_customer"
    " (UPPER(company) text_pattern_ops)",
]

POSTGRES_DROP = [
    "DROP INDEX IF EXISTS customer_name_trgm",
    "DROP INDEX IF EXISTS customer_company_trgm",
    "DROP INDEX IF EXISTS contact_value_trgm",
    "DROP INDEX IF EXISTS customer_name_upper_prefix",
    "DROP INDEX IF EXISTS customer_company_upper_prefix",
]


def _run(schema_editor: BaseDatabaseSchemaEditor, sqlite: list[str], postgres: list[str]) -> None:
    vendor = schema_editor.connection.vendor
    statements = sqlite if vendor == "sqlite" else postgres if vendor == "postgresql" else []
    for statement in statements:
        schema_editor.execute(statement)


def create(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _run(schema_editor, SQLITE_CREATE, POSTGRES_CREATE)


def drop(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _run(schema_editor, SQLITE_DROP, POSTGRES_DROP)


class Migration(migrations.Migration):
    dependencies = [("customers", "0007_erasure_record")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
