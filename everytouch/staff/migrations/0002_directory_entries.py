"""Give everyone who already has a role a directory entry.

Entries used to be made lazily by read paths (the desk, the directory, routing); they are now
made when a role is given, so databases from before need them made once.
"""

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor


def make_entries(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    user_model = apps.get_model("auth", "User")
    member_model = apps.get_model("staff", "StaffMember")
    missing = user_model.objects.filter(profile__isnull=False, staff__isnull=True)
    member_model.objects.bulk_create([member_model(user=u) for u in missing])


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0001_initial"),
        ("accounts", "0001_initial"),
    ]

    operations = [migrations.RunPython(make_entries, migrations.RunPython.noop)]
