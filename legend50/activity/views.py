from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import services
from .kinds import label_for


@login_required
def inbox(request):
    rows = services.inbox_for(request.user)
    show = request.GET.get("show", "")
    if show == "unread":
        rows = rows.filter(read_at__isnull=True)
    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    for n in page.object_list:
        n.kind_label = label_for(n.kind)
    return render(
        request,
        "activity/inbox.html",
        {"page": page, "show": show, "unread": services.unread_count(request.user)},
    )


@login_required
@require_POST
def mark_read(request, pk=None):
    count = services.notification_mark_read(notification_id=pk, by=request.user)
    target = request.POST.get("next", "")
    if (
        pk is not None
        and target
        and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
    ):
        return HttpResponseRedirect(target)
    if pk is None:
        messages.success(request, _("알림 %(count)d건을 읽음으로 표시했습니다.") % {"count": count})
    return HttpResponseRedirect(reverse("activity:inbox"))


@login_required
def preferences(request):
    rows = services.preferences_for(request.user)
    if request.method == "POST":
        choices = {
            row["kind"]: (f"inbox:{row['kind']}" in request.POST, f"email:{row['kind']}" in request.POST)
            for row in rows
        }
        services.preferences_save(choices=choices, by=request.user)
        messages.success(request, _("알림 수신 설정을 저장했습니다."))
        return HttpResponseRedirect(reverse("activity:preferences"))
    return render(request, "activity/preferences.html", {"rows": rows})
