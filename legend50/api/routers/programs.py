from datetime import datetime

from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.pagination import paginate

from legend50.programs.models import Call, Program

from ..pagination import Pagination
from ..schemas import responses

router = Router(tags=["programs"])


class ProgramOut(Schema):
    code: str
    name: str
    start_year: int
    end_year: int
    proposed_count: int | None
    selected_count: int | None
    directions: list[str]


class CallOut(Schema):
    code: str
    title: str
    program_code: str
    opens_at: datetime
    closes_at: datetime
    start_year: int
    end_year: int
    is_sample: bool

    @staticmethod
    def resolve_program_code(obj):
        return obj.program.code


@router.get("/programs", response=responses(list[ProgramOut]), summary="사업 목록")
def list_programs(request):
    return Program.objects.visible_to(request.user)


@router.get("/calls", response=responses(list[CallOut]), summary="공모 목록")
@paginate(Pagination)
def list_calls(request, program: str | None = None):
    calls = Call.objects.visible_to(request.user).select_related("program").order_by("-opens_at", "id")
    return calls.filter(program__code=program) if program else calls


@router.get("/calls/{code}", response=responses(CallOut))
def get_call(request, code: str):
    return get_object_or_404(Call.objects.visible_to(request.user).select_related("program"), code=code)
