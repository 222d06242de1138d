"""Deadline-day load: province officers read, save and submit proposals; experts save scores.

Driven by bench/load/run.py (LOAD_DATA names the JSON from prepare_instance.py; LOAD_MODE is
`surge` (think time 5–15 s), `pages` or `trivial` (no think time, for saturation)."""

import itertools
import json
import os
import random
import threading

from locust import FastHttpUser, between, constant, events, task

DATA = json.loads(open(os.environ["LOAD_DATA"], encoding="utf-8").read())
MODE = os.environ.get("LOAD_MODE", "surge")
ACK_FILE = os.environ.get("LOAD_ACK_FILE", "/tmp/legend50-load-acks.txt")
HITS_FILE = os.environ.get("LOAD_HITS_FILE")
_sessions = itertools.cycle(DATA["sessions"])
_drafts = {}
for draft in DATA["drafts"]:
    _drafts.setdefault(draft["region"], []).append(draft["id"])
_draft_cursor = {region: itertools.count() for region in _drafts}
_lock = threading.Lock()
_acks = []
_page_cache = {}  # request name -> [served from the page cache, all]


@events.request.add_listener
def _count_page_cache(name, response=None, **kwargs):
    counts = _page_cache.setdefault(name, [0, 0])
    counts[1] += 1
    if response is not None and response.headers.get("X-Legend50-Page-Cache") == "hit":
        counts[0] += 1


@events.quitting.add_listener
def _write_acks(environment, **kwargs):
    with open(ACK_FILE, "w") as handle:
        handle.write("\n".join(str(pid) for pid in _acks))
    if HITS_FILE:
        with open(HITS_FILE, "w") as handle:
            json.dump(_page_cache, handle)


class Officer(FastHttpUser):
    wait_time = between(5, 15) if MODE == "surge" else constant(0)

    def on_start(self):
        with _lock:
            me = next(_sessions)
            while MODE != "surge" and me["kind"] != "province":
                me = next(_sessions)
            self.kind = me["kind"]
            self.headers = {"Cookie": f"{DATA['session_cookie']}={me['session']}"}
            if self.kind == "province":
                self.region = me["region"]
                pool = _drafts.get(self.region, [])
                index = next(_draft_cursor[self.region]) if pool else 0
                # Each simulated officer owns one draft while there are enough; the rest only read.
                self.draft = pool[index] if index < len(pool) else None
                self.token = {"Authorization": f"Bearer {DATA['tokens'][self.region]}"}
                self.lock_version = None
                self.submitted = False
                self.saves = 0
            else:
                self.reviews = DATA["reviews"][me["username"]]
                self.csrf = None

    @task(5)
    def read_list(self):
        if MODE == "trivial":
            self.client.get("/healthz", name="trivial: /healthz")
            return
        if self.kind == "province":
            self.client.get(
                "/proposals/?call=legend50plus-2027-sample", headers=self.headers, name="page: proposal list"
            )
        else:
            self.client.get("/evaluation/", headers=self.headers, name="page: evaluation home")

    @task(4)
    def read_detail(self):
        if MODE == "trivial":
            self.client.get("/healthz", name="trivial: /healthz")
            return
        if self.kind == "province":
            pid = self.draft or random.choice(_drafts[self.region])
            self.client.get(f"/proposals/{pid}/", headers=self.headers, name="page: proposal detail")
        elif self.reviews:
            self._open_review()

    @task(3)
    def save(self):
        if MODE != "surge":
            return
        if self.kind == "province":
            if not self.draft or self.submitted:
                return
            if self.lock_version is None:
                response = self.client.get(
                    f"/api/proposals/{self.draft}", headers=self.token, name="api: read draft"
                )
                if response.status_code != 200:
                    return  # counted as a failure by locust; tried again next time
                self.lock_version = response.json()["lock_version"]
            body = {"lock_version": self.lock_version, "summary": f"저장 {self.saves} · 부하 시험 요약"}
            response = self.client.patch(
                f"/api/proposals/{self.draft}", json=body, headers=self.token, name="api: save draft"
            )
            if response.status_code == 200:
                self.lock_version = response.json()["lock_version"]
                self.saves += 1
        elif self.reviews:
            pid = self._open_review()
            if self.csrf:
                form = {
                    f"score-{c['key']}": str(random.randint(0, int(c["max"] * 2)) / 2)
                    for c in DATA["criteria"]
                }
                form.update(
                    comment="부하 시험 중 임시 저장한 종합 의견입니다.",
                    action="save",
                    csrfmiddlewaretoken=self.csrf,
                )
                headers = {**self.headers, "X-CSRFToken": self.csrf, "Cookie": self._cookie()}
                with self.client.post(
                    f"/evaluation/proposals/{pid}/review/",
                    data=form,
                    headers=headers,
                    name="page: save review",
                    allow_redirects=False,
                    catch_response=True,
                ) as r:
                    if r.status_code == 302:
                        r.success()
                    else:
                        r.failure(f"review save answered {r.status_code}")

    @task(1)
    def submit(self):
        if MODE != "surge" or self.kind != "province" or not self.draft or self.submitted or self.saves < 2:
            return
        response = self.client.post(
            f"/api/proposals/{self.draft}/submit",
            json={"lock_version": self.lock_version},
            headers=self.token,
            name="api: submit",
        )
        if 200 <= response.status_code < 300:
            self.submitted = True
            with _lock:
                _acks.append(self.draft)

    def _open_review(self):
        pid = random.choice(self.reviews)
        response = self.client.get(
            f"/evaluation/proposals/{pid}/review/",
            headers={"Cookie": self._cookie()},
            name="page: review form",
        )
        token = response.cookies.get("csrftoken") if hasattr(response, "cookies") else None
        if token:
            self.csrf = token
        elif self.csrf is None:
            import re

            match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.text or "")
            self.csrf = match.group(1) if match else None
            self.csrf_cookie = self.csrf
        return pid

    def _cookie(self):
        cookie = self.headers["Cookie"]
        if getattr(self, "csrf", None):
            cookie += f"; csrftoken={self.csrf}"
        return cookie
