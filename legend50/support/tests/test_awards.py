"""Awards: eligibility with reasons, the government share by sales band (rounded down), and the
duplicate-support rules (same instrument twice a year, cap exceeded, central + local same purpose)."""

import pytest

from legend50.core.errors import ConflictError, PermissionDeniedError, ValidationFailed
from legend50.support import rules, services
from legend50.support.models import SupportAward

from . import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def cat(world):
    return f.catalog()


def record(instrument, firm, when, by="operator-1", **kw):
    return services.award_record(by=f.user(by), instrument=instrument, firm=firm, awarded_on=when, **kw)


def test_voucher_share_by_sales_band_rounded_down(cat):
    voucher = cat["manufacturing-innovation-voucher"]
    cases = [(2.5, 90), (3, 90), (3.00000001, 80), (10, 80), (49, 70), (50, 70), (51, 50), (120, 50)]
    for serial, (sales_eok, percent) in enumerate(cases, start=1):
        firm = f.firm(serial, sales_eok=sales_eok)
        assert rules.share_percent(voucher, rules.firm_average_sales(firm, 2026)[0]) == percent, sales_eok
    firm = f.firm(50, sales_eok=2)
    award = record(voucher, firm, f.day(2026), total_cost_krw=33_333_333)
    assert award.share_percent == 90
    assert award.amount_krw == 29_999_999  # 33,333,333 × 90% = 29,999,999.7 → rounded down to the won


def test_voucher_eligibility_refusals_name_the_rule(cat):
    voucher = cat["manufacturing-innovation-voucher"]
    big = f.firm(1, sales_eok=121)
    with pytest.raises(ValidationFailed) as exc:
        record(voucher, big, f.day(2026), total_cost_krw=10_000_000)
    assert exc.value.code == "ineligible" and "상한 120억원" in exc.value.message
    service_firm = f.firm(2, sales_eok=10, ksic="J58221")
    with pytest.raises(ValidationFailed) as exc:
        record(voucher, service_firm, f.day(2026), total_cost_krw=10_000_000)
    assert "제조업" in exc.value.message
    non_sme = f.firm(3, sales_eok=50, in_disclosed_group=True)
    with pytest.raises(ValidationFailed) as exc:
        record(cat["kosmes-policy-loan"], non_sme, f.day(2026), amount_krw=100_000_000)
    assert "중소기업 아님" in exc.value.message and "공시대상기업집단" in exc.value.message
    assert SupportAward.objects.count() == 0


def test_region_rule_for_local_instrument(cat):
    local = f.local_instrument("daegu-robot-tech-doctor")
    seoul_firm = f.firm(1, region="11")
    assessment = services.award_assess(
        instrument=local, firm=seoul_firm, awarded_on=f.day(2026), total_cost_krw=10_000_000
    )
    assert [r.code for r in assessment["refusals"]] == ["region"]
    daegu_firm = f.firm(2)
    assessment = services.award_assess(
        instrument=local, firm=daegu_firm, awarded_on=f.day(2026), total_cost_krw=10_001_999
    )
    assert assessment["amount"] == 7_501_000  # 75 % = 7,501,499.25 → 천원 미만 절사 per the instrument's rule


def test_same_instrument_twice_in_a_year_is_flagged_and_needs_acknowledgement(cat):
    loan = cat["kosmes-policy-loan"]
    firm = f.firm(1)
    record(loan, firm, f.day(2025, 3), amount_krw=300_000_000)
    with pytest.raises(ConflictError) as exc:
        record(loan, firm, f.day(2025, 9), amount_krw=200_000_000)
    assert exc.value.code == "duplicate_flagged"
    assert exc.value.extra["flags"][0]["code"] == "same_instrument_year"
    assert SupportAward.objects.count() == 1
    award = record(
        loan,
        firm,
        f.day(2025, 9),
        amount_krw=200_000_000,
        acknowledge_flags=True,
        acknowledgement="운전자금과 시설자금 별도 신청",
    )
    assert award.flags[0]["code"] == "same_instrument_year" and award.flag_acknowledgement
    # the next year is a clean slate
    assert not record(loan, firm, f.day(2026, 2), amount_krw=100_000_000).flags


def test_cap_exceeded_is_blocked_even_with_acknowledgement(cat):
    loan = cat["kosmes-policy-loan"]  # 60억 per firm per year
    firm = f.firm(1)
    record(loan, firm, f.day(2025, 3), amount_krw=50 * f.EOK)
    with pytest.raises(ValidationFailed) as exc:
        record(
            loan, firm, f.day(2025, 8), amount_krw=11 * f.EOK, acknowledge_flags=True, acknowledgement="확인"
        )
    assert exc.value.code == "duplicate_blocked" and "한도 60억원" in exc.value.message
    assert SupportAward.objects.count() == 1
    smart = cat["smart-factory"]  # cap 4억, government share 50 %
    over = services.award_assess(
        instrument=smart, firm=firm, awarded_on=f.day(2025), total_cost_krw=8 * f.EOK + 2
    )
    assert over["amount"] == 4 * f.EOK + 1 and [b.code for b in over["blocks"]] == ["cap_exceeded"]
    exactly = services.award_assess(
        instrument=smart, firm=firm, awarded_on=f.day(2025), total_cost_krw=8 * f.EOK + 1
    )
    assert exactly["amount"] == 4 * f.EOK and not exactly["blocks"]  # 4억 0.5원 rounded down: at the cap


def test_central_and_local_same_purpose_same_year_is_flagged(cat, django_user_model):
    from legend50.accounts.models import Membership
    from legend50.registry.models import Organization

    local = f.local_instrument("daegu-export-marketing")  # purposes: export, marketing; run by 대구광역시
    firm = f.firm(1)
    record(cat["export-voucher"], firm, f.day(2025, 4), total_cost_krw=40_000_000)
    officer = f.user("province-27")
    assert Membership.objects.filter(
        user=officer, organization=Organization.objects.get(name="대구광역시", kind="local_government")
    ).exists()
    with pytest.raises(ConflictError) as exc:
        record(local, firm, f.day(2025, 6), by="province-27", amount_krw=18_000_000)
    assert "같은 목적(마케팅·판로, 수출 지원)" in exc.value.message or "같은 목적" in exc.value.message
    award = record(
        local,
        firm,
        f.day(2025, 6),
        by="province-27",
        amount_krw=18_000_000,
        acknowledge_flags=True,
        acknowledgement="세부 항목 다름",
    )
    assert award.flags[0]["code"] == "central_local_same_purpose"
    # a local instrument with another purpose does not clash
    other = f.local_instrument("gyeongnam-workforce")
    assessment = services.award_assess(
        instrument=other, firm=firm, awarded_on=f.day(2025, 7), amount_krw=1_000_000
    )
    assert not assessment["flags"]
    # a different year does not clash either
    assert not services.award_assess(instrument=local, firm=firm, awarded_on=f.day(2026, 1), amount_krw=1)[
        "flags"
    ]


def test_cancelled_awards_do_not_count(cat):
    loan = cat["kosmes-policy-loan"]
    firm = f.firm(1)
    first = record(loan, firm, f.day(2025, 3), amount_krw=55 * f.EOK)
    services.award_cancel(by=f.user("operator-1"), award=first, reason="중복 입력")
    assert not record(loan, firm, f.day(2025, 5), amount_krw=55 * f.EOK).flags


def test_only_the_operator_records_awards_for_its_instruments(cat):
    firm = f.firm(1)
    for username in ("ministry", "province-27", "firm-1", "expert-1"):
        with pytest.raises(PermissionDeniedError):
            record(cat["kosmes-policy-loan"], firm, f.day(2025), by=username, amount_krw=1_000_000)
    with pytest.raises(PermissionDeniedError):  # 스마트공장 is run by 스마트제조혁신추진단, not KOSMES
        record(cat["smart-factory"], firm, f.day(2025), total_cost_krw=1_000_000)
    with pytest.raises(PermissionDeniedError):  # 대구TP's local instrument
        record(f.local_instrument("daegu-robot-tech-doctor"), firm, f.day(2025), total_cost_krw=1_000_000)
    assert SupportAward.objects.count() == 0


def test_participant_award_links_project_and_shows_preferences(cat):
    project = f.project()
    firm = f.firm(1, sales_eok=8)
    f.admit(project, firm)
    assessment = services.award_assess(
        instrument=cat["manufacturing-innovation-voucher"],
        firm=firm,
        awarded_on=f.day(2025),
        total_cost_krw=10_000_000,
    )
    assert assessment["is_participant"] and "현장평가 생략 (레전드 50⁺ 참여기업)" in assessment["preferences"]
    award = record(cat["manufacturing-innovation-voucher"], firm, f.day(2025), total_cost_krw=10_000_000)
    assert award.project == project and award.was_participant and award.amount_krw == 8_000_000
    outsider = f.firm(2)
    with pytest.raises(ValidationFailed):
        record(cat["kosmes-policy-loan"], outsider, f.day(2025), amount_krw=1_000_000, project=project)


def test_future_dates_and_missing_amounts_are_refused(cat):
    import datetime as dt

    firm = f.firm(1)
    with pytest.raises(ValidationFailed) as exc:
        record(cat["kosmes-policy-loan"], firm, dt.date(2099, 1, 1), amount_krw=1)
    assert "awarded_on" in exc.value.errors
    with pytest.raises(ValidationFailed) as exc:
        record(cat["kosmes-policy-loan"], firm, f.day(2025))
    assert "amount_krw" in exc.value.errors
