"""Kill the server with SIGKILL in the middle of a burst of submissions, restart it, and check that
every acknowledged submission is stored whole and that no half-written proposal or version exists.

Runs on the database the suite runs on: SQLite (WAL, synchronous=FULL) or PostgreSQL."""

import json
import os
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from .instance import Instance, prepare

N_DRAFTS = 90

VERIFY = """
from legend50.proposals.models import Proposal, ProposalVersion
from legend50.proposals.versions import snapshot_hash
from django.db import connection
rows = []
for p in Proposal.objects.filter(title__startswith="견고성 시험 과제"):
    versions = list(p.versions.all())
    rows.append({"id": p.pk, "status": p.status, "versions": len(versions),
                 "intact": all(v.sha256 == snapshot_hash(v.snapshot) and v.snapshot.get("title") == p.title for v in versions),
                 "submitted_at": bool(p.submitted_at)})
orphans = ProposalVersion.objects.filter(proposal__status="draft").count()
integrity = None
if connection.vendor == "sqlite":
    with connection.cursor() as c:
        c.execute("PRAGMA integrity_check"); integrity = c.fetchone()[0]
        c.execute("PRAGMA journal_mode"); journal = c.fetchone()[0]
        c.execute("PRAGMA synchronous"); synchronous = c.fetchone()[0]
else:
    journal = synchronous = None
print(json.dumps({"rows": rows, "orphans": orphans, "integrity": integrity, "journal": journal,
                  "synchronous": synchronous}))
"""


def _submit(instance, token, draft):
    request = urllib.request.Request(
        f"{instance.base_url}/api/proposals/{draft['id']}/submit",
        data=json.dumps({"lock_version": draft["lock_version"]}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
            return draft["id"], response.status
    except urllib.error.HTTPError as exc:
        return draft["id"], exc.code
    except OSError:
        return draft["id"], None  # connection cut by the kill: not acknowledged


@pytest.mark.django_db
def test_sigkill_mid_burst_loses_no_acknowledged_submission(tmp_path):
    from django.db import connection

    postgres = None
    if connection.vendor == "postgresql":
        db = connection.settings_dict
        postgres = f"postgres://{db.get('USER') or 'postgres'}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/postgres"
    instance = Instance.fresh(tmp_path / "instance", postgres)
    try:
        data = prepare(instance, N_DRAFTS)
        instance.start(workers=2, threads=4)
        acknowledged, lock = [], threading.Lock()
        killed = threading.Event()

        def work(draft):
            if killed.is_set():
                return
            result = _submit(instance, data["tokens"][draft["region"]], draft)
            with lock:
                if result[1] is not None and 200 <= result[1] < 300:
                    acknowledged.append(result[0])
                if len(acknowledged) >= N_DRAFTS // 3 and not killed.is_set():
                    killed.set()
                    instance.kill()

        with ThreadPoolExecutor(max_workers=12) as pool:
            list(pool.map(work, data["drafts"]))
        assert killed.is_set(), "the burst finished before the kill; raise N_DRAFTS"
        assert acknowledged, "no submission was acknowledged before the kill"

        instance.start(workers=2, threads=4)  # restart after the crash
        report = instance.python(VERIFY)
        rows = {row["id"]: row for row in report["rows"]}
        assert len(rows) == N_DRAFTS
        for pid in acknowledged:
            row = rows[pid]
            assert (
                row["status"] == "submitted"
                and row["versions"] == 1
                and row["intact"]
                and row["submitted_at"]
            ), row
        for row in rows.values():
            # Whole or nothing: a submitted proposal has exactly one intact version, a draft has none.
            if row["status"] == "submitted":
                assert row["versions"] == 1 and row["intact"] and row["submitted_at"], row
            else:
                assert row["status"] == "draft" and row["versions"] == 0 and not row["submitted_at"], row
        assert report["orphans"] == 0
        if report["integrity"] is not None:
            assert report["integrity"] == "ok" and report["journal"] == "wal" and report["synchronous"] == 2

        # The restarted server takes the remaining submissions.
        remaining = [d for d in data["drafts"] if rows[d["id"]]["status"] == "draft"][:5]
        for draft in remaining:
            assert _submit(instance, data["tokens"][draft["region"]], draft)[1] == 200
    finally:
        instance.drop()
        if os.environ.get("LEGEND50_KEEP_INSTANCE") != "1":
            pass
