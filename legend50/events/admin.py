"""Admin for setting up a new edition (event, award categories and quotas, themes, programme).
The workflow itself (nominations, reviews, decisions, applications) runs through the services."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Agreement, AgreementParty, AwardCategory, Event, ExhibitTheme, Session


class AwardCategoryInline(admin.TabularInline):
    model = AwardCategory
    extra = 0


class ExhibitThemeInline(admin.TabularInline):
    model = ExhibitTheme
    extra = 0


class SessionInline(admin.TabularInline):
    model = Session
    extra = 0
    fields = ["order", "kind", "segment", "title", "presenter", "starts_at", "ends_at", "location", "note"]


@admin.register(Event)
class EventAdmin(SimpleHistoryAdmin):
    list_display = ["name", "edition", "starts_on", "ends_on", "venue", "is_published", "is_sample"]
    list_filter = ["is_published", "is_sample"]
    filter_horizontal = ["organizers", "award_reviewers"]
    prepopulated_fields = {"slug": ["edition"]}
    inlines = [AwardCategoryInline, ExhibitThemeInline, SessionInline]


class AgreementPartyInline(admin.TabularInline):
    model = AgreementParty
    extra = 0
    autocomplete_fields = ["organization"]


@admin.register(Agreement)
class AgreementAdmin(SimpleHistoryAdmin):
    list_display = ["title", "signed_on", "event", "is_published"]
    inlines = [AgreementPartyInline]
