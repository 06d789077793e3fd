"""The search index of leads' own text (need, product interest), docs/search.md: on SQLite an FTS5 trigram
table kept by triggers on leads_lead, on PostgreSQL pg_trgm GIN indexes.

The SQL comes from ``everytouch.leads.models.SEARCH_INDEX``; a later change to what is indexed
needs a new migration that drops this index and creates the new one.
"""

from django.db import migrations

from everytouch.leads.models import SEARCH_INDEX


class Migration(migrations.Migration):
    dependencies = [("leads", "0002_list_indexes")]

    operations = [SEARCH_INDEX.operation()]
