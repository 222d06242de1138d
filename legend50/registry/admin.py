from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Organization, Region, RegionCodeAlias


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "group", "is_capital_area"]


@admin.register(RegionCodeAlias)
class RegionCodeAliasAdmin(admin.ModelAdmin):
    list_display = ["code", "former_name", "region", "valid_until"]


@admin.register(Organization)
class OrganizationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "institution_type", "region", "is_sample"]
    list_filter = ["kind", "institution_type", "region", "is_sample"]
    search_fields = ["name", "name_en"]
