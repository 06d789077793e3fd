"""The search index of interactions' own text (summary, need), docs/search.md: on SQLite an FTS5 trigram
table kept by triggers on interactions_interaction, on PostgreSQL pg_trgm GIN indexes.

The SQL comes from ``everytouch.interactions.models.SEARCH_INDEX``; a later change to what is indexed
needs a new migration that drops this index and creates the new one.
"""

from django.db import migrations

from everytouch.interactions.models import SEARCH_INDEX


class Migration(migrations.Migration):
    dependencies = [("interactions", "0003_list_indexes")]

    operations = [SEARCH_INDEX.operation()]
