from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from legend50.core.scoping import get_visible_or_404

from . import selectors
from .models import Proposal


@login_required
def proposal_list(request):
    return render(
        request, "proposals/proposal_list.html", {"proposals": selectors.proposal_list(request.user)}
    )


def proposal_detail(request, pk):
    proposal = get_visible_or_404(Proposal.objects.select_related("call", "lead_region"), request, pk=pk)
    return render(request, "proposals/proposal_detail.html", {"proposal": proposal})
