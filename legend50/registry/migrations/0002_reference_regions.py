from django.db import migrations


def load_regions(apps, schema_editor):
    from legend50.registry.reference import REGIONS

    Region = apps.get_model("registry", "Region")
    RegionCodeAlias = apps.get_model("registry", "RegionCodeAlias")
    for code, name, short, name_en, group, capital, former in REGIONS:
        region, _ = Region.objects.update_or_create(
            code=code,
            defaults={"name": name, "short_name": short, "name_en": name_en, "group": group,
                      "is_capital_area": capital},
        )
        for old_code, old_name in former:
            RegionCodeAlias.objects.update_or_create(
                code=old_code, defaults={"region": region, "former_name": old_name}
            )


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(load_regions, migrations.RunPython.noop)]
