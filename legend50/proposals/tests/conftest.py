from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from legend50.programs.models import Call, Program
from legend50.registry import demo as registry_demo
from legend50.registry.models import Organization


def user(name):
    return get_user_model().objects.get(username=name)


@pytest.fixture
def open_call(world):
    now = timezone.now()
    return Call.objects.create(
        program=Program.objects.get(code="legend50plus"),
        code="test-open",
        title="시험 공모",
        opens_at=now - timedelta(days=3),
        closes_at=now + timedelta(days=10),
        start_year=2027,
        end_year=2029,
        max_proposals_per_province=2,
        min_local_share_bp=2000,
    )


def fill(proposal, by):
    """Make a draft ready to submit, through the services."""
    from legend50.proposals import services

    proposal.refresh_from_db()
    services.proposal_update(
        proposal=proposal,
        data={
            "summary": "요약",
            "background": "배경",
            "direction": "방향",
            "objectives": "목표",
            "ksic_section": "C",
            "ksic_division": "29",
        },
        lock_version=proposal.lock_version,
        by=by,
    )
    proposal.refresh_from_db()
    tp = Organization.objects.get(name=registry_demo.TECHNOPARK_NAMES[proposal.lead_region.code])
    services.consortium_add(
        proposal=proposal,
        organization_id=tp.pk,
        role="innovation_institution",
        lock_version=proposal.lock_version,
        by=by,
    )
    proposal.refresh_from_db()
    years = proposal.call.years
    services.kpis_save(
        proposal=proposal,
        rows=[
            {
                "key": "sales",
                "label": "",
                "unit": "",
                "baseline": "100",
                "baseline_year": str(years[0] - 1),
                "targets": {str(y): str(110 + i * 10) for i, y in enumerate(years)},
            }
        ],
        lock_version=proposal.lock_version,
        by=by,
    )
    proposal.refresh_from_db()
    rows = []
    for y in years:
        rows.append(
            {"year": str(y), "source": "national", "category": "firm_support", "amount": "7,000,000,000"}
        )
        rows.append({"year": str(y), "source": "local", "category": "workforce", "amount": "3000000000"})
    services.budget_save(proposal=proposal, rows=rows, lock_version=proposal.lock_version, by=by)
    proposal.refresh_from_db()
    return proposal


@pytest.fixture
def daegu(open_call):
    from legend50.proposals import services

    p = services.proposal_create(call=open_call, title="대구 로봇 시험 과제", by=user("province-27"))
    return fill(p, user("province-27"))


@pytest.fixture
def seoul(open_call):
    from legend50.proposals import services

    p = services.proposal_create(call=open_call, title="서울 시험 과제", by=user("province-11"))
    return fill(p, user("province-11"))
