from django.shortcuts import render

from legend50.core.scoping import get_visible_or_404

from . import selectors
from .models import Program


def program_list(request):
    return render(request, "programs/program_list.html", {"programs": selectors.program_list(request.user)})


def program_detail(request, code):
    program = get_visible_or_404(Program, request, code=code)
    return render(
        request,
        "programs/program_detail.html",
        {"program": program, "calls": selectors.call_list(request.user, program)},
    )
