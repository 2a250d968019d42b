"""Seed the programme catalogue (programs/catalogue.py) as data."""

from typing import Any

from django.db import migrations


def load(apps: Any, schema_editor: Any) -> None:
    from mowakaba.programs.catalogue import CATALOGUE

    Programme = apps.get_model("programs", "Programme")
    for i, entry in enumerate(CATALOGUE):
        Programme.objects.update_or_create(code=entry["code"], defaults={**entry, "sort_order": i})


class Migration(migrations.Migration):
    dependencies = [("programs", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
