"""Two disbursements posted at the same moment must not together exceed the year's allocation.

Runs on PostgreSQL (real row locks and concurrent transactions): set DATABASE_URL, e.g.
`DATABASE_URL=postgres:///legend50 pytest legend50/funding/tests/test_concurrency.py`. SQLite
serialises writers, so there the race cannot happen; the conditional UPDATE and the check
constraint still guard it and are covered by the other funding tests.
"""

import threading
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, connections

from legend50.core.errors import ConflictError
from legend50.funding import services
from legend50.funding.models import Allocation, Disbursement, Project

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrent over-disbursement needs PostgreSQL (SQLite serialises writers); set DATABASE_URL",
    ),
]

EOK = 10**8


def _funded_allocation():
    from legend50.core.testing import load_world
    from legend50.selection import services as selection_services
    from legend50.selection.tests.factories import call_2024, make_candidates, round_query

    load_world()
    make_candidates()
    user = get_user_model().objects.get(username="ministry")
    decision = selection_services.decision_propose(
        call=call_2024(), data=round_query(), rationale="동시성 시험", by=user
    )
    selection_services.decision_approve(decision=decision, by=get_user_model().objects.get(username="admin"))
    project = Project.objects.get(lead_region__code="27")
    services.agreement_sign(agreement=project.agreement, signed_on=date(2024, 1, 15), by=user)
    return Allocation.objects.get(project=project, year=2024, source="national")


def test_concurrent_disbursements_never_exceed_the_allocation():
    allocation = _funded_allocation()
    assert allocation.amount_krw == 60 * EOK
    user = get_user_model().objects.get(username="ministry")
    threads = 8
    each = 10 * EOK  # 8 × 10억 requested against 60억: exactly 6 may succeed
    barrier = threading.Barrier(threads)
    outcomes: list[str] = []
    lock = threading.Lock()

    def post():
        try:
            barrier.wait()
            services.disbursement_create(
                allocation=allocation, amount=each, paid_on=date(2024, 3, 2), by=user
            )
            result = "ok"
        except ConflictError:
            result = "refused"
        except Exception as exc:  # noqa: BLE001 - report anything else as a failure below
            result = f"error: {exc!r}"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    workers = [threading.Thread(target=post) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    assert sorted(outcomes) == ["ok"] * 6 + ["refused"] * 2, outcomes
    allocation.refresh_from_db()
    assert allocation.disbursed_krw == 60 * EOK
    paid = Disbursement.objects.filter(allocation=allocation)
    assert sum(paid.values_list("amount_krw", flat=True)) == allocation.disbursed_krw
    assert sorted(paid.values_list("tranche", flat=True)) == [1, 2, 3, 4, 5, 6]
