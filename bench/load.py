"""Load test of a running portal: reviewers deciding, engineers uploading evidence, pipelines asking the gate.

A locustfile (https://locust.io), run headless and bounded in time against
`make serve-prod` on loopback (`make load` does both steps):

    DATABASE_URL=postgres://... python bench/load_data.py --out var/load-users.json
    locust -f bench/load.py --headless --users 50 --spawn-rate 10 --run-time 2m --host http://127.0.0.1:8000

The cast (sessions, tokens, assigned reviews, owned use cases) comes from
bench/load_data.py. Kinds of user, in proportion:

- reviewers (2 in 5): look at their queue and home page, open a review and decide it over the API;
- engineers (1 in 5): look at their home page and a use case, upload evidence over the API;
- pipelines (2 in 5): ask the gate whether their version may run, every second or two.

At the end it prints, per kind of request, throughput, p50/p95/p99 and failures, as a Markdown table.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import threading
from pathlib import Path

from locust import HttpUser, between, events, task
from locust.clients import HttpSession

CAST = json.loads(Path(os.getenv("LOAD_CAST", "var/load-users.json")).read_text())
_lock = threading.Lock()
_next = {kind: itertools.cycle(CAST[kind]) for kind in ("reviewers", "engineers", "pipelines")}
# Decisions that found the evidence moved under them (an engineer's upload sent the request back): an
# answer, counted apart from the approvals.
sent_back = 0


def cast(kind: str) -> dict:
    with _lock:
        return next(_next[kind])


class Person(HttpUser):
    """Pages with a signed-in session; the API with a token on a client of its own, carrying no cookie."""

    abstract = True
    kind = ""

    def on_start(self) -> None:
        self.me = cast(self.kind)
        self.client.cookies.set(CAST["session_cookie"], self.me["session"])
        self.api = HttpSession(base_url=self.host, request_event=self.environment.events.request, user=self)
        self.api.headers["Authorization"] = f"Bearer {self.me['token']}"


class Reviewer(Person):
    weight = 2
    wait_time = between(1, 3)
    kind = "reviewers"

    @task(3)
    def queue(self) -> None:
        self.client.get("/signoff/reviews/", name="reviewer: queue page")

    @task(2)
    def home(self) -> None:
        self.client.get("/", name="reviewer: home page")

    @task(2)
    def decide(self) -> None:
        with _lock:
            review = self.me["reviews"].pop() if self.me["reviews"] else None
        if review is None:
            return
        self.client.get(f"/signoff/reviews/{review}/", name="reviewer: review page")
        with self.api.post(
            f"/api/v1/reviews/{review}/decide/",
            json={"decision": "approve", "comment": "Checked under load."},
            name="reviewer: decide (API)",
            catch_response=True,
        ) as response:
            # 400: an engineer's upload changed the evidence, and the request went back, either as this decision
            # was made or before it (the review had gone stale); an answer, counted apart.
            if response.status_code == 400 and "evidence changed" in response.text:
                global sent_back
                with _lock:
                    sent_back += 1
                response.success()


class Engineer(Person):
    weight = 1
    wait_time = between(1, 3)
    kind = "engineers"

    @task(2)
    def home(self) -> None:
        self.client.get("/", name="engineer: home page")

    @task(2)
    def use_case(self) -> None:
        self.client.get(f"/use-cases/{random.choice(self.me['use_cases'])}/", name="engineer: use case page")

    @task(1)
    def upload(self) -> None:
        slug = random.choice(self.me["use_cases"])
        content = f"Load test appendix {random.getrandbits(64):016x}\n".encode() * 200
        self.api.post(
            f"/api/v1/use-cases/{slug}/artifacts/",
            data={"kind": "other", "title": "Load test appendix"},
            files={"file": ("appendix.txt", content, "text/plain")},
            name="engineer: upload evidence (API)",
        )


class Pipeline(HttpUser):
    weight = 2
    wait_time = between(1, 2)

    def on_start(self) -> None:
        self.me = cast("pipelines")
        self.api = {"Authorization": f"Bearer {self.me['token']}"}

    @task
    def gate(self) -> None:
        slug, stage = random.choice(self.me["use_cases"])
        self.client.get(f"/api/v1/use-cases/{slug}/gate/?stage={stage}", headers=self.api, name="pipeline: gate (API)")


@events.quitting.add_listener
def report(environment, **_kwargs) -> None:
    stats = environment.stats
    seconds = max(stats.total.last_request_timestamp - stats.total.start_time, 1) if stats.total.num_requests else 1
    users = environment.parsed_options.num_users if environment.parsed_options else "?"
    print(f"\n{users} users, {seconds:.0f} s, {stats.total.num_requests / seconds:.1f} requests a second")
    print(f"Decisions that found the evidence changed and sent the request back: {sent_back}")
    print("| request | requests | per second | p50 | p95 | p99 | failures |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for entry in [*sorted(stats.entries.values(), key=lambda e: e.name), stats.total]:
        print(
            f"| {entry.name} | {entry.num_requests:,} | {entry.num_requests / seconds:.1f} "
            f"| {entry.get_response_time_percentile(0.5):.0f} ms | {entry.get_response_time_percentile(0.95):.0f} ms "
            f"| {entry.get_response_time_percentile(0.99):.0f} ms | {entry.num_failures} |"
        )
