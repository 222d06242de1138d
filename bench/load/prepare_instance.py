"""Executed inside the benchmark instance (django.setup() done): drafts for every province, submitted
proposals assigned to experts with signed pledges, and one session per simulated user.
Prints one JSON line with what the load script needs."""

import json
import os

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore

from legend50.api.models import ApiToken
from legend50.core.errors import ApplicationError
from legend50.evaluation import services as evaluation
from legend50.evaluation.models import ExpertProfile
from legend50.programs.models import Call
from legend50.proposals import services as proposals
from legend50.proposals.demo import make_ready_draft

N_DRAFTS = int(os.environ.get("LOAD_DRAFTS", "400"))
N_REVIEWED = int(os.environ.get("LOAD_REVIEWED", "60"))
N_SESSIONS = int(os.environ.get("LOAD_SESSIONS", "2000"))
CODES = ["11", "26", "27", "28", "29", "30", "31", "36", "41", "43", "44", "46", "47", "48", "50", "51", "52"]

users = get_user_model().objects
call = Call.objects.get(code="legend50plus-2027-sample")
call.max_proposals_per_province = 30000
call.save()
ministry = users.get(username="ministry")
tokens = {}
drafts = []
for i in range(N_DRAFTS + N_REVIEWED):
    code = CODES[i % len(CODES)]
    user = users.get(username=f"province-{code}")
    tokens.setdefault(code, ApiToken.issue(user=user, name="load")[1])
    draft = make_ready_draft(call=call, by=user, title=f"부하 시험 과제 {i:05d}")
    if i < N_DRAFTS:
        drafts.append({"id": draft.pk, "region": code})
    else:
        proposals.proposal_submit(proposal=draft, by=user)
        drafts.append({"id": draft.pk, "region": code, "review": True})

experts = list(ExpertProfile.objects.select_related("user").filter(user__username__startswith="expert-"))
review_targets = {}
for expert in experts:
    evaluation.pledge_sign(by=expert.user, call=call, signed_name=expert.name, agreed=True)
    review_targets[expert.user.username] = []
for index, draft in enumerate(d for d in drafts if d.get("review")):
    from legend50.proposals.models import Proposal

    proposal = Proposal.objects.get(pk=draft["id"])
    placed = 0
    for offset in range(len(experts)):
        expert = experts[(index + offset) % len(experts)]
        try:
            evaluation.assignment_add(by=ministry, proposal=proposal, expert=expert)
        except ApplicationError:
            continue
        review_targets[expert.user.username].append(proposal.pk)
        placed += 1
        if placed == 3:
            break

criteria = list(call.criteria.values("key", "max_score"))


def session_for(user):
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


province_users = [users.get(username=f"province-{c}") for c in CODES]
expert_users = [e.user for e in experts if review_targets[e.user.username]]
sessions = []
for i in range(N_SESSIONS):
    if i % 4 == 3 and expert_users:
        user = expert_users[i % len(expert_users)]
        sessions.append({"kind": "expert", "session": session_for(user), "username": user.username})
    else:
        user = province_users[i % len(province_users)]
        code = user.username.split("-")[1]
        sessions.append({"kind": "province", "session": session_for(user), "region": code})

print(
    json.dumps(
        {
            "tokens": tokens,
            "drafts": [d for d in drafts if not d.get("review")],
            "reviews": review_targets,
            "criteria": [{"key": c["key"], "max": float(c["max_score"])} for c in criteria],
            "sessions": sessions,
            "session_cookie": settings.SESSION_COOKIE_NAME,
        }
    )
)
