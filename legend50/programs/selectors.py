from .models import Call, Program


def program_list(user):
    return Program.objects.visible_to(user).order_by("-start_year")


def featured_program(user):
    """The program the home page shows: 레전드 50⁺ when present, else the newest visible one."""
    programs = program_list(user)
    return programs.filter(code="legend50plus").first() or programs.first()


def call_list(user, program=None):
    calls = Call.objects.visible_to(user).select_related("program")
    return calls.filter(program=program) if program is not None else calls
