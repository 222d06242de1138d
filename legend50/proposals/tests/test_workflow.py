from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from legend50.activity.models import Notification
from legend50.core.errors import ConflictError, PermissionDeniedError, ValidationFailed
from legend50.proposals import services, workflow
from legend50.proposals.models import ImmutableVersionError, ProposalStatus, ProposalVersion

from .conftest import user

pytestmark = pytest.mark.django_db


def test_lead_province_comes_from_the_users_scope(open_call):
    p = services.proposal_create(call=open_call, title="과제", by=user("province-27"))
    assert p.lead_region.code == "27"
    assert p.consortium.filter(role="lead", organization__name="대구광역시").exists()
    assert p.consortium.filter(
        role="regional_sme_office", organization__name="대구·경북지방중소벤처기업청"
    ).exists()
    with pytest.raises(PermissionDeniedError):
        services.proposal_create(call=open_call, title="과제", by=user("office-27"))
    with pytest.raises(PermissionDeniedError):
        services.proposal_create(call=open_call, title="과제", by=user("ministry"))


def test_full_cycle_with_versions_rounds_and_notifications(daegu, django_capture_on_commit_callbacks):
    province, ministry, expert = user("province-27"), user("ministry"), user("expert-1")
    with django_capture_on_commit_callbacks(execute=True):
        v1 = services.proposal_submit(proposal=daegu, by=province)
    daegu.refresh_from_db()
    assert daegu.status == ProposalStatus.SUBMITTED and v1.number == 1
    assert Notification.objects.filter(kind="proposal.submitted", recipient=ministry).exists()
    assert any("[레전드 50⁺]" in m.subject for m in mail.outbox)
    services.consultant_assign(proposal=daegu, expert=expert, by=ministry)
    daegu.refresh_from_db()
    assert daegu.status == ProposalStatus.IN_CONSULTING
    assert Notification.objects.filter(kind="consulting.assigned", recipient=expert).exists()
    services.consulting_feedback_add(
        proposal=daegu, sections={"budget": "지방비 비중을 높이세요", "kpi": "수출 목표 보강"}, by=expert
    )
    assert Notification.objects.filter(kind="consulting.feedback", recipient=province).exists()
    with pytest.raises(PermissionDeniedError):
        services.consulting_feedback_add(proposal=daegu, sections={"general": "x"}, by=user("expert-2"))
    due = timezone.now() + timedelta(days=5)
    services.revision_request(proposal=daegu, due_at=due, message="예산 보완", by=expert)
    daegu.refresh_from_db()
    assert daegu.status == ProposalStatus.REVISION_REQUESTED and daegu.revision_due_at == due
    assert Notification.objects.filter(kind="consulting.revision_requested", recipient=province).exists()
    services.proposal_update(
        proposal=daegu, data={"summary": "보완한 요약"}, lock_version=daegu.lock_version, by=province
    )
    daegu.refresh_from_db()
    v2 = services.proposal_resubmit(proposal=daegu, by=province, note="예산 조정")
    daegu.refresh_from_db()
    assert daegu.status == ProposalStatus.RESUBMITTED and v2.number == 2
    assert Notification.objects.filter(kind="proposal.resubmitted", recipient=expert).exists()
    round_ = daegu.consulting_rounds.get()
    assert round_.status == "closed" and round_.resubmitted_version == v2 and round_.feedback.count() == 2
    assert v1.snapshot["summary"] == "요약" and v2.snapshot["summary"] == "보완한 요약"
    actions = list(daegu.transitions.values_list("action", flat=True))
    assert actions == ["submit", "start_consulting", "request_revision", "resubmit"]
    assert all(t.by_id for t in daegu.transitions.all())


def test_versions_are_immutable(daegu):
    version = services.proposal_submit(proposal=daegu, by=user("province-27"))
    version.snapshot["title"] = "고친 제목"
    with pytest.raises(ImmutableVersionError):
        version.save()
    with pytest.raises(ImmutableVersionError):
        version.delete()
    assert ProposalVersion.objects.get(pk=version.pk).snapshot["title"] == "대구 로봇 시험 과제"
    # later edits (after a revision request) do not touch the frozen snapshot
    assert version.snapshot["budget_lines"] and version.sha256


def test_snapshot_has_attachment_hashes(daegu):
    from django.core.files.uploadedfile import SimpleUploadedFile

    a = services.attachment_add(
        proposal=daegu,
        upload=SimpleUploadedFile("계획서.pdf", b"%PDF-1.4\n%test\n"),
        lock_version=daegu.lock_version,
        by=user("province-27"),
    )
    daegu.refresh_from_db()
    version = services.proposal_submit(proposal=daegu, by=user("province-27"))
    assert version.snapshot["attachments"] == [
        {"id": a.pk, "name": "계획서.pdf", "kind": "pdf", "size": a.size, "sha256": a.sha256}
    ]


def test_submission_after_deadline_is_refused_and_changes_nothing(daegu, client):
    call = daegu.call
    call.closes_at = timezone.now() - timedelta(minutes=1)
    call.save()
    before = (daegu.status, daegu.lock_version)
    with pytest.raises(ConflictError) as info:
        services.proposal_submit(proposal=daegu, by=user("province-27"))
    assert "KST" in info.value.message
    client.force_login(user("province-27"))
    response = client.post(f"/proposals/{daegu.pk}/do/submit/")
    assert response.status_code == 409
    kst = timezone.localtime(call.closes_at).strftime("%Y-%m-%d %H:%M")
    assert kst in response.content.decode()
    daegu.refresh_from_db()
    assert (daegu.status, daegu.lock_version) == before
    assert not daegu.versions.exists() and not daegu.transitions.exists()


def test_resubmission_after_revision_due_is_refused(daegu):
    services.proposal_submit(proposal=daegu, by=user("province-27"))
    services.consultant_assign(proposal=daegu, expert=user("expert-1"), by=user("ministry"))
    services.revision_request(
        proposal=daegu, due_at=timezone.now() + timedelta(hours=1), message="보완", by=user("ministry")
    )
    daegu.refresh_from_db()
    type(daegu).objects.filter(pk=daegu.pk).update(revision_due_at=timezone.now() - timedelta(minutes=1))
    daegu.refresh_from_db()
    with pytest.raises(ConflictError) as info:
        services.proposal_resubmit(proposal=daegu, by=user("province-27"))
    assert info.value.code == "deadline_passed" and "KST" in info.value.message
    daegu.refresh_from_db()
    assert daegu.status == ProposalStatus.REVISION_REQUESTED and daegu.versions.count() == 1


def test_eligibility_and_quota(open_call):
    province = user("province-27")
    bare = services.proposal_create(call=open_call, title="빈 과제", by=province)
    with pytest.raises(ValidationFailed) as info:
        services.proposal_submit(proposal=bare, by=province)
    problems = info.value.errors["readiness"]
    assert any("지역혁신기관" in p for p in problems)
    assert any("성과지표" in p for p in problems) and any("예산" in p for p in problems)
    from .conftest import fill

    for i in range(2):
        services.proposal_submit(
            proposal=fill(services.proposal_create(call=open_call, title=f"과제{i}", by=province), province),
            by=province,
        )
    third = fill(services.proposal_create(call=open_call, title="셋째", by=province), province)
    with pytest.raises(ConflictError) as info:
        services.proposal_submit(proposal=third, by=province)
    assert info.value.code == "quota_full"


def test_matching_share_is_enforced(daegu):
    province = user("province-27")
    rows = [
        {"year": str(y), "source": "national", "category": "rnd", "amount": "1000"} for y in daegu.call.years
    ]
    rows.append({"year": str(daegu.call.start_year), "source": "local", "category": "rnd", "amount": "10"})
    services.budget_save(proposal=daegu, rows=rows, lock_version=daegu.lock_version, by=province)
    daegu.refresh_from_db()
    summary = services.budget_summary(daegu)
    assert not summary["share_ok"]
    with pytest.raises(ValidationFailed) as info:
        services.proposal_submit(proposal=daegu, by=province)
    assert any("매칭 비율" in p for p in info.value.errors["readiness"])


def test_consortium_member_checks_name_the_problem(daegu):
    from legend50.registry.models import Organization

    province = user("province-27")
    busan_office = Organization.objects.get(name="부산지방중소벤처기업청")
    with pytest.raises(ValidationFailed) as info:
        services.consortium_add(
            proposal=daegu,
            organization_id=busan_office.pk,
            role="regional_sme_office",
            lock_version=daegu.lock_version,
            by=province,
        )
    assert "관할하지 않습니다" in info.value.message
    seoul = Organization.objects.get(name="서울특별시")
    with pytest.raises(ValidationFailed):
        services.consortium_add(
            proposal=daegu,
            organization_id=seoul.pk,
            role="lead",
            lock_version=daegu.lock_version,
            by=province,
        )


def test_transition_table_is_complete():
    targets = {t.target for t in workflow.TRANSITIONS}
    assert set(ProposalStatus.values) - {ProposalStatus.DRAFT} <= targets
    rows = workflow.table()
    assert all(r["who"] and r["when"] for r in rows)


def test_consultant_only_after_assignment_and_auditor_changes_nothing(daegu):
    services.proposal_submit(proposal=daegu, by=user("province-27"))
    with pytest.raises(PermissionDeniedError):
        services.consultant_assign(proposal=daegu, expert=user("expert-1"), by=user("auditor"))
    with pytest.raises(PermissionDeniedError):
        services.consultant_assign(proposal=daegu, expert=user("expert-1"), by=user("province-27"))
    with pytest.raises(PermissionDeniedError):
        services.proposal_transition(proposal=daegu, action="withdraw", by=user("auditor"))


def test_reminders_before_call_close_and_revision_due(open_call, daegu, django_capture_on_commit_callbacks):
    from legend50.activity.reminders import send_reminders

    open_call.closes_at = timezone.now() + timedelta(hours=30)
    open_call.save()
    with django_capture_on_commit_callbacks(execute=True):
        first = send_reminders()
        again = send_reminders()
    assert first >= 2 and again == 0  # province-27 and office-27, once each
    assert Notification.objects.filter(kind="reminder.deadline", recipient=user("province-27")).count() == 1
