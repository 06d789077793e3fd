"""Count the touches that could not be scored in the weekly rollup (rollup.NOT_SCORED_CHECK).

Scoring keeps these rows from now on; this adds the ones already stored, so the dashboards'
"not scored" figure is right the moment the migration finishes.
"""

from collections import Counter
from datetime import timedelta

from django.db import migrations

NOT_SCORED_CHECK = "*not_scored"  # rollup.NOT_SCORED_CHECK, copied: migrations stay frozen


def count_not_scored(apps, schema_editor):
    from everytouch.business_time import business_tz

    Scorecard = apps.get_model("quality", "Scorecard")
    CheckWeek = apps.get_model("quality", "CheckWeek")
    tz = business_tz()
    tally = Counter()
    cards = Scorecard.objects.filter(is_current=True, is_test=False, state="not_scored")
    for started_at, rep_id, team_id, channel in cards.values_list(
        "started_at", "rep_id", "team_id", "channel"
    ).iterator(chunk_size=2000):
        day = started_at.astimezone(tz).date()
        tally[day - timedelta(days=day.weekday()), rep_id, team_id, channel] += 1
    CheckWeek.objects.bulk_create(
        (
            CheckWeek(
                week=week,
                rep_id=rep_id,
                team_id=team_id,
                channel=channel,
                check_id=NOT_SCORED_CHECK,
                not_applicable=n,
            )
            for (week, rep_id, team_id, channel), n in tally.items()
        ),
        batch_size=2000,
    )


def forget_not_scored(apps, schema_editor):
    apps.get_model("quality", "CheckWeek").objects.filter(check_id=NOT_SCORED_CHECK).delete()


class Migration(migrations.Migration):
    dependencies = [("quality", "0004_not_scored_index")]

    operations = [migrations.RunPython(count_not_scored, forget_not_scored)]
