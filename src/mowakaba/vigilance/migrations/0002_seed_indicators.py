from django.db import migrations


def seed(apps, schema_editor):
    from mowakaba.vigilance.catalogue import seed_indicators

    seed_indicators(apps.get_model("vigilance", "Indicator"))


class Migration(migrations.Migration):
    dependencies = [("vigilance", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
