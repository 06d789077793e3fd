"""The search index of interactions' own text (summary, need), docs/search.md: on SQLite an FTS5 trigram
table kept by triggers on interactions_interaction, on PostgreSQL pg_trgm GIN indexes.

The columns are those of ``everytouch.interactions.models.SEARCH_INDEX`` when it was written; a later
change to what is indexed needs a new migration that drops this index and creates the new one.
"""

from django.db import migrations

from everytouch.customers.textindex import TextIndex

# Written out here, not imported from the models: this migration must keep creating what it
# created when it was written, whatever SEARCH_INDEX becomes later.
INDEX = TextIndex("interactions_search", "interactions_interaction", ("summary", "need"))


class Migration(migrations.Migration):
    dependencies = [("interactions", "0003_list_indexes")]

    operations = [INDEX.operation()]
