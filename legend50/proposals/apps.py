from django.apps import AppConfig


def consultant_scope(actor, action):
    """A consultant expert sees (and comments on) only the proposals assigned to them."""
    from django.db.models import Q

    from legend50.core.actors import Role

    if not actor.is_authenticated or not actor.has_role(Role.EXPERT):
        return None
    if action not in ("view", "consult", "download"):
        return None
    from .models import ConsultingAssignment

    assigned = ConsultingAssignment.objects.filter(expert_id=actor.user_id, is_active=True)
    return Q(pk__in=assigned.values("proposal_id"))


def deadline_reminders(now, horizon):
    """Reminders: call deadlines (provinces with unsubmitted drafts) and revision due dates."""
    from django.urls import reverse

    from legend50.activity.reminders import Deadline
    from legend50.core.formatting import format_kst
    from legend50.programs.models import Call

    from .models import Proposal, ProposalStatus
    from .services import _province_people

    for call in Call.objects.filter(closes_at__gte=now, closes_at__lte=now + horizon):
        drafts = Proposal.objects.filter(call=call, status=ProposalStatus.DRAFT).select_related(
            "lead_region", "call"
        )
        for proposal in drafts:
            yield Deadline(
                key=f"proposal:{proposal.pk}:call-close",
                due_at=call.closes_at,
                recipients=_province_people(proposal),
                subject=f"제출 마감 임박: {proposal.title}",
                body=f"{call.title} 접수 마감 {format_kst(call.closes_at)} (KST). 아직 제출하지 않은 제안서가 있습니다.",
                url=reverse("proposals:detail", args=[proposal.pk]),
                related=proposal,
            )
    due = Proposal.objects.filter(
        status=ProposalStatus.REVISION_REQUESTED, revision_due_at__gte=now, revision_due_at__lte=now + horizon
    ).select_related("lead_region", "call")
    for proposal in due:
        yield Deadline(
            key=f"proposal:{proposal.pk}:revision",
            due_at=proposal.revision_due_at,
            recipients=_province_people(proposal),
            subject=f"보완 제출 기한 임박: {proposal.title}",
            body=f"보완 제출 기한 {format_kst(proposal.revision_due_at)} (KST).",
            url=reverse("proposals:detail", args=[proposal.pk]),
            related=proposal,
        )


class ProposalsConfig(AppConfig):
    name = "legend50.proposals"
    verbose_name = "제안"

    def ready(self):
        from legend50.activity.reminders import register_reminder_source
        from legend50.core.scoping import register_scope_extension

        register_scope_extension("proposals.Proposal", consultant_scope)
        register_reminder_source(deadline_reminders)
