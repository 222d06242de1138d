from django.db import migrations


def load_regions(apps, schema_editor):
    from legend50.registry.reference import load_regions as load

    load(apps.get_model("registry", "Region"), apps.get_model("registry", "RegionCodeAlias"))


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(load_regions, migrations.RunPython.noop)]
