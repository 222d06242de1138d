from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Call, Program, ProgramEnvelope, Target


class EnvelopeInline(admin.TabularInline):
    model = ProgramEnvelope
    extra = 0


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0


@admin.register(Program)
class ProgramAdmin(SimpleHistoryAdmin):
    list_display = ["name", "start_year", "end_year", "is_public"]
    inlines = [EnvelopeInline, TargetInline]


@admin.register(Call)
class CallAdmin(SimpleHistoryAdmin):
    list_display = ["title", "program", "opens_at", "closes_at", "is_public"]
