"""Tokens get scopes. New tokens default to read and write; tokens that exist already get all
three, so each keeps doing exactly what it could do before (docs/api.md, "Token scopes")."""

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

import everytouch.accounts.models


def keep_what_they_could_do(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    token_model = apps.get_model("accounts", "ApiToken")
    token_model.objects.update(scopes="read write admin")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_saved_view"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="scopes",
            field=models.CharField(
                default=everytouch.accounts.models.default_scope_text, max_length=32
            ),
        ),
        migrations.RunPython(keep_what_they_could_do, migrations.RunPython.noop),
    ]
