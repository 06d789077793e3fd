"""The search index of leads' own text (need, product interest), docs/search.md: on SQLite an FTS5 trigram
table kept by triggers on leads_lead, on PostgreSQL pg_trgm GIN indexes.

The columns are those of ``everytouch.leads.models.SEARCH_INDEX`` when it was written; a later
change to what is indexed needs a new migration that drops this index and creates the new one.
"""

from django.db import migrations

from everytouch.customers.textindex import TextIndex

# Written out here, not imported from the models: this migration must keep creating what it
# created when it was written, whatever SEARCH_INDEX becomes later.
INDEX = TextIndex("leads_search", "leads_lead", ("need", "product_interest"))


class Migration(migrations.Migration):
    dependencies = [("leads", "0002_list_indexes")]

    operations = [INDEX.operation()]
