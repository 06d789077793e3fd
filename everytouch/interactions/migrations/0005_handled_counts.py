"""Touches handled per user per UTC hour and day (``everytouch.interactions.rollup``), kept by
triggers on interactions_interaction and counted from the touches already there.
"""

from django.db import migrations, models

from everytouch.interactions.rollup import Rollup

# Written out here, not imported: this migration must keep creating what it created when it was
# written, whatever ``rollup.HANDLED`` becomes later.
ROLLUP = Rollup("interactions_handledcount", "interactions_interaction", "handled_by_id", "started_at")


class Migration(migrations.Migration):

    dependencies = [
        ('interactions', '0004_search_index'),
    ]

    operations = [
        migrations.CreateModel(
            name='HandledCount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('user_id', models.IntegerField()),
                ('span', models.PositiveSmallIntegerField()),
                ('start', models.BigIntegerField()),
                ('n', models.IntegerField()),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('user_id', 'span', 'start'), name='handled_count_bucket')],
            },
        ),
        ROLLUP.operation(),
    ]
