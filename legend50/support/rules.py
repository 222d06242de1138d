"""Instrument rules: eligibility, the government share by sales band, and duplicate-support checks.

Each check returns findings with a stable code and a Korean message naming the rule and the
numbers it compared, so a refusal can always be explained. Whether a duplicate finding blocks the
award or only flags it is data (`DUPLICATE_RULES`), not code.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Sum
from django.utils.translation import gettext as _

from legend50.core.formatting import format_krw

from .choices import AwardStatus, InstrumentScope, ParticipationStatus, Purpose, ShareRounding

BLOCK = "block"
FLAG = "flag"

# code -> what happens: "block" refuses the award; "flag" records it only with the operator's
# written acknowledgement, and the flag stays on the record for review.
DUPLICATE_RULES: dict[str, str] = {
    "cap_exceeded": BLOCK,
    "same_instrument_year": FLAG,
    "central_local_same_purpose": FLAG,
}


@dataclass(frozen=True)
class Finding:
    code: str
    message: str
    severity: str = BLOCK

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "severity": self.severity}


def firm_average_sales(firm, year: int) -> tuple[int | None, list[int]]:
    """평균매출액 for an award in `year`: the 3 most recent fiscal years before it (falling back to
    the latest years on file when none precede it). Integer won, rounded down."""
    rows = list(firm.financials.filter(year__lt=year).order_by("-year").values_list("year", "sales_krw")[:3])
    if not rows:
        rows = list(firm.financials.order_by("-year").values_list("year", "sales_krw")[:3])
    if not rows:
        return None, []
    return sum(s for _y, s in rows) // len(rows), sorted(y for y, _s in rows)


def eligibility(instrument, firm, *, year: int) -> list[Finding]:
    """Why `firm` may not receive `instrument` in `year` (empty when eligible)."""
    from legend50.firms.choices import SizeClass

    findings: list[Finding] = []
    if not instrument.is_active:
        findings.append(Finding("inactive", _("운영이 종료된 지원사업입니다.")))
    sizes = instrument.eligible_size_classes or []
    if sizes:
        labels = dict(SizeClass.choices)
        allowed = "·".join(str(labels.get(s, s)) for s in sizes)
        if not firm.size_class:
            findings.append(
                Finding(
                    "size_unknown",
                    _("기업 규모를 산정할 수 없습니다 (재무 실적·업종코드 필요). 대상: %(a)s")
                    % {"a": allowed},
                )
            )
        elif firm.size_class not in sizes:
            findings.append(
                Finding(
                    "size",
                    _("기업 규모(산정) ‘%(s)s’은(는) 대상이 아닙니다 (대상: %(a)s). 근거: %(r)s")
                    % {
                        "s": labels.get(firm.size_class, firm.size_class),
                        "a": allowed,
                        "r": firm.size_reason,
                    },
                )
            )
    regions = instrument.eligible_region_codes or []
    if regions:
        code = firm.region.code if firm.region_id else None
        if code not in regions:
            findings.append(
                Finding(
                    "region",
                    _("본사 소재지(%(r)s)가 대상 시·도가 아닙니다.")
                    % {"r": firm.region.name if firm.region_id else _("미입력")},
                )
            )
    if instrument.manufacturers_only and not (firm.ksic_code or "").startswith("C"):
        findings.append(
            Finding(
                "industry",
                _("제조업(KSIC 대분류 C)만 대상입니다 (업종코드: %(k)s).")
                % {"k": firm.ksic_code or _("미입력")},
            )
        )
    if instrument.max_average_sales_krw is not None:
        average, years = firm_average_sales(firm, year)
        if average is None:
            findings.append(
                Finding("sales_unknown", _("매출액 실적이 없어 평균매출액 기준을 확인할 수 없습니다."))
            )
        elif average > instrument.max_average_sales_krw:
            findings.append(
                Finding(
                    "sales_ceiling",
                    _("%(y)s년 평균매출액 %(a)s이 상한 %(c)s을 넘습니다.")
                    % {
                        "y": "·".join(map(str, years)),
                        "a": format_krw(average),
                        "c": format_krw(instrument.max_average_sales_krw),
                    },
                )
            )
    return findings


def share_percent(instrument, average_sales_krw: int | None) -> int | None:
    """The government share (%) of the band the firm's average sales fall in; None without bands."""
    bands = instrument.share_bands or []
    if not bands:
        return None
    if average_sales_krw is None:
        return None
    for band in sorted(bands, key=lambda b: (b.get("up_to_krw") is None, b.get("up_to_krw") or 0)):
        ceiling = band.get("up_to_krw")
        if ceiling is None or average_sales_krw <= ceiling:
            return int(band["percent"])
    return None


def government_share(instrument, total_cost_krw: int, percent: int) -> int:
    """Total cost × share, rounded down (to the won, or to 1,000 won if the instrument says so)."""
    amount = total_cost_krw * percent // 100
    if instrument.share_rounding == ShareRounding.FLOOR_THOUSAND:
        amount -= amount % 1000
    return amount


def participating_projects(firm, year: int):
    """Selected projects (active in `year`) in which the firm is an admitted participant."""
    from legend50.funding.models import Project

    return Project.objects.filter(
        participations__firm=firm,
        participations__status=ParticipationStatus.ADMITTED,
        start_year__lte=year,
        end_year__gte=year,
    ).distinct()


def duplicate_findings(instrument, firm, *, year: int, amount_krw: int, exclude_pk=None) -> list[Finding]:
    from .models import SupportAward

    awards = SupportAward.objects.filter(firm=firm, year=year, status=AwardStatus.RECORDED).select_related(
        "instrument"
    )
    if exclude_pk:
        awards = awards.exclude(pk=exclude_pk)
    findings: list[Finding] = []
    same = [a for a in awards if a.instrument_id == instrument.pk]
    if same:
        first = same[0]
        findings.append(
            Finding(
                "same_instrument_year",
                _("같은 연도(%(y)s)에 이미 이 지원사업으로 지원받았습니다 (%(d)s, %(a)s).")
                % {"y": year, "d": first.awarded_on.isoformat(), "a": format_krw(first.amount_krw)},
                DUPLICATE_RULES["same_instrument_year"],
            )
        )
    if instrument.per_firm_cap_krw is not None:
        so_far = sum(a.amount_krw for a in same)
        if so_far + amount_krw > instrument.per_firm_cap_krw:
            findings.append(
                Finding(
                    "cap_exceeded",
                    _("기업당 연간 한도 %(cap)s을 넘습니다 (이미 %(so)s + 이번 %(new)s = %(total)s).")
                    % {
                        "cap": format_krw(instrument.per_firm_cap_krw),
                        "so": format_krw(so_far),
                        "new": format_krw(amount_krw),
                        "total": format_krw(so_far + amount_krw),
                    },
                    DUPLICATE_RULES["cap_exceeded"],
                )
            )
    purposes = set(instrument.purposes or ())
    if purposes:
        labels = dict(Purpose.choices)
        for other in awards:
            if other.instrument.level == instrument.level:
                continue
            shared = purposes & set(other.instrument.purposes or ())
            if shared:
                findings.append(
                    Finding(
                        "central_local_same_purpose",
                        _(
                            "같은 연도에 %(kind)s 지원사업 ‘%(other)s’(%(d)s, %(a)s)로 같은 목적(%(p)s)의 지원을 받았습니다."
                        )
                        % {
                            "kind": _("지역")
                            if other.instrument.level == InstrumentScope.LOCAL
                            else _("중앙"),
                            "other": other.instrument.name,
                            "d": other.awarded_on.isoformat(),
                            "a": format_krw(other.amount_krw),
                            "p": ", ".join(str(labels.get(p, p)) for p in sorted(shared)),
                        },
                        DUPLICATE_RULES["central_local_same_purpose"],
                    )
                )
    return findings


def prior_year_total(firm, instrument, year: int) -> int:
    from .models import SupportAward

    return (
        SupportAward.objects.filter(firm=firm, instrument=instrument, year=year, status=AwardStatus.RECORDED)
        .aggregate(total=Sum("amount_krw"))
        .get("total")
        or 0
    )
