"""The proposal workflow as data: which action moves a proposal from which states to which, who may
take it and when. Services look transitions up here; the proposal page shows the actions the user may
take; docs and tests read the same table.

    draft → submitted → in consulting → revision requested → resubmitted → under review
          → selected / reserve / not selected;  withdrawn from any open state.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .models import ProposalStatus as S

# Who: "province" — the lead province's officers (and its regional SME office and the consortium's
# institution staff, i.e. whoever may change the proposal); "ministry" — ministry officers;
# "consultant" — a consultant assigned to the proposal.
PROVINCE = "province"
MINISTRY = "ministry"
CONSULTANT = "consultant"


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: tuple[str, ...]
    target: str
    who: tuple[str, ...]
    when: str  # a readable condition; enforced by the service named in `guard`
    guard: str = ""
    notify: str = "proposal.status_changed"


TRANSITIONS: tuple[Transition, ...] = (
    Transition(
        "submit",
        _("제출"),
        (S.DRAFT,),
        S.SUBMITTED,
        (PROVINCE,),
        _("공모 접수 기간 안에, 컨소시엄 요건·예산·성과지표가 갖추어졌을 때 (시·도별 제안 수 상한 이내)"),
        guard="call_window",
        notify="proposal.submitted",
    ),
    Transition(
        "start_consulting",
        _("컨설팅 시작"),
        (S.SUBMITTED, S.RESUBMITTED),
        S.IN_CONSULTING,
        (MINISTRY,),
        _("컨설팅 전문가가 1명 이상 배정되었을 때 (배정하면 자동으로 시작)"),
        guard="has_consultant",
        notify="consulting.assigned",
    ),
    Transition(
        "request_revision",
        _("보완 요청"),
        (S.IN_CONSULTING,),
        S.REVISION_REQUESTED,
        (MINISTRY, CONSULTANT),
        _("보완 제출 기한(현재 이후)을 정하여"),
        guard="future_due",
        notify="consulting.revision_requested",
    ),
    Transition(
        "resubmit",
        _("보완 제출"),
        (S.REVISION_REQUESTED,),
        S.RESUBMITTED,
        (PROVINCE,),
        _("보완 제출 기한 안에"),
        guard="revision_due",
        notify="proposal.resubmitted",
    ),
    Transition(
        "send_to_review",
        _("평가 회부"),
        (S.SUBMITTED, S.IN_CONSULTING, S.RESUBMITTED),
        S.UNDER_REVIEW,
        (MINISTRY,),
        _("공모 접수가 마감된 뒤"),
        guard="call_closed",
    ),
    Transition(
        "select", _("선정"), (S.UNDER_REVIEW, S.RESERVE), S.SELECTED, (MINISTRY,), _("선정 심의 결과에 따라")
    ),
    Transition(
        "reserve", _("예비 선정"), (S.UNDER_REVIEW,), S.RESERVE, (MINISTRY,), _("선정 심의 결과에 따라")
    ),
    Transition(
        "reject",
        _("미선정"),
        (S.UNDER_REVIEW, S.RESERVE),
        S.NOT_SELECTED,
        (MINISTRY,),
        _("선정 심의 결과에 따라"),
    ),
    Transition(
        "withdraw",
        _("철회"),
        (S.DRAFT, S.SUBMITTED, S.IN_CONSULTING, S.REVISION_REQUESTED, S.RESUBMITTED),
        S.WITHDRAWN,
        (PROVINCE, MINISTRY),
        _("평가 회부 전 언제든지"),
        notify="proposal.withdrawn",
    ),
)

BY_ACTION = {t.action: t for t in TRANSITIONS}

# States in which the province may edit the content.
EDITABLE = frozenset({S.DRAFT, S.REVISION_REQUESTED})
# States that count against the call's per-province maximum.
COUNTED = frozenset(set(S.values) - {S.DRAFT, S.WITHDRAWN})


def transition(action: str) -> Transition:
    return BY_ACTION[action]


def available(status: str) -> list[Transition]:
    return [t for t in TRANSITIONS if status in t.sources]


def table() -> list[dict]:
    """The transition table for display."""
    labels = dict(S.choices)
    who_labels = {
        PROVINCE: _("시·도(컨소시엄)"),
        MINISTRY: _("중기부"),
        CONSULTANT: _("배정된 컨설팅 전문가"),
    }
    return [
        {
            "action": t.action,
            "label": t.label,
            "sources": [labels[s] for s in t.sources],
            "target": labels[t.target],
            "who": [who_labels[w] for w in t.who],
            "when": t.when,
        }
        for t in TRANSITIONS
    ]
