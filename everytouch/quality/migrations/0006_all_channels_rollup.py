"""Add the weekly rollup's all-channels rows (channel "", rollup.ALL_CHANNELS).

Scoring keeps them from now on; this sums the rows already stored over their channels, so the
dashboards read the new rows from the moment the migration finishes.
"""

from django.db import migrations
from django.db.models import Sum

ALL_CHANNELS = ""  # rollup.ALL_CHANNELS, copied: migrations stay frozen


def add_all_channels(apps, schema_editor):
    CheckWeek = apps.get_model("quality", "CheckWeek")
    sums = (
        CheckWeek.objects.exclude(channel=ALL_CHANNELS)
        .values("week", "rep_id", "team_id", "check_id")
        .annotate(p=Sum("passed"), f=Sum("failed"), n=Sum("not_applicable"))
        .order_by()
    )
    CheckWeek.objects.bulk_create(
        (
            CheckWeek(
                week=row["week"],
                rep_id=row["rep_id"],
                team_id=row["team_id"],
                channel=ALL_CHANNELS,
                check_id=row["check_id"],
                passed=row["p"],
                failed=row["f"],
                not_applicable=row["n"],
            )
            for row in sums.iterator(chunk_size=2000)
        ),
        batch_size=2000,
    )


def drop_all_channels(apps, schema_editor):
    apps.get_model("quality", "CheckWeek").objects.filter(channel=ALL_CHANNELS).delete()


class Migration(migrations.Migration):
    dependencies = [("quality", "0005_not_scored_rollup")]

    operations = [migrations.RunPython(add_all_channels, drop_all_channels)]
