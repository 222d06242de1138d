"""The catalogue of notification kinds (stable keys) and their Korean labels.

Any app may call `notify(kind=...)` with a key not listed here; it is delivered all the same and
shown by its key on the preferences page. Apps may `register_kind(...)` in `AppConfig.ready()`.
"""

from django.utils.translation import gettext_lazy as _

KINDS: dict[str, str] = {
    "proposal.submitted": _("사업계획서 제출"),
    "proposal.resubmitted": _("사업계획서 재제출"),
    "proposal.withdrawn": _("사업계획서 철회"),
    "proposal.status_changed": _("사업계획서 상태 변경"),
    "consulting.assigned": _("컨설팅 배정"),
    "consulting.feedback": _("컨설팅 의견"),
    "consulting.revision_requested": _("보완 요청"),
    "evaluation.assigned": _("평가 배정"),
    "selection.approved": _("선정 확정"),
    "objection.answered": _("이의신청 답변"),
    "disbursement.recorded": _("사업비 교부"),
    "award.recorded": _("포상 기록"),
    "nomination.decided": _("추천 결정"),
    "call.opened": _("공모 게시"),
    "reminder.deadline": _("마감 알림"),
}


def register_kind(key: str, label) -> None:
    KINDS.setdefault(key, label)


def label_for(kind: str) -> str:
    return str(KINDS.get(kind, kind))
