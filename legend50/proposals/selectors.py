from .models import Proposal


def proposal_list(user, action="view"):
    return Proposal.objects.visible_to(user, action).select_related("call", "lead_region")
