"""Server time of the main pages with a small and a large portfolio.

Creates two scratch databases (Django's test-database machinery, named
stagegate_bench_pages_small and _large; the database in DATABASE_URL itself is
not touched) and fills them: 100 use cases, and 10,000 use cases with 100,000
reviews (bulk_create). Each page is timed on both in turns, request
by request, so that a machine whose speed drifts meanwhile weighs on both sizes
alike. Each figure is the median of N requests through django.test.Client with
force_login, after one warm-up request; the query count of one request is shown
next to it.

    DATABASE_URL=postgres://... python bench/pages.py [--runs 7] [--markdown]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
# Reminders and packets are not what is measured; keep tasks in-process.
os.environ.pop("REDIS_URL", None)

import logging

import django

django.setup()
# A page that fails is reported in the table as its status; its traceback is noise here.
logging.getLogger("django.request").setLevel(logging.CRITICAL)

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

SMALL, LARGE = 100, 10_000
BASELINE = Path(__file__).resolve().parent / "baseline.json"  # the figures before, shown beside
REVIEWS_PER_USE_CASE = 10  # 10,000 use cases -> 100,000 reviews
AUDIT_EVENTS_PER_USE_CASE = 5
BATCH = 2000

PAGES = [
    ("home (engineer erin)", "erin", "/"),
    ("home (reviewer and lead rita)", "rita", "/"),
    ("home (reviewer ravi)", "ravi", "/"),
    ("home (auditor audrey)", "audrey", "/"),
    ("home (administrator admin)", "admin", "/"),
    ("use case list", "erin", "/use-cases/"),
    ("request list", "erin", "/signoff/requests/"),
    ("review queue (rita)", "rita", "/signoff/reviews/"),
    ("packets", "audrey", "/signoff/packets/"),
    ("audit trail", "audrey", "/audit/"),
    ("insight", "audrey", "/insight/"),
]


def people() -> dict:
    from accounts.models import FunctionMembership, ReviewFunction, User

    def user(name: str, roles: list[str], **extra) -> User:
        u, _ = User.objects.get_or_create(username=name, defaults={"email": f"{name}@bank.example", **extra})
        u.groups.set(Group.objects.filter(name__in=roles))
        return u

    out = {name: user(name, ["engineer"]) for name in ["erin"] + [f"eng{n:02d}" for n in range(49)]}
    for name, key, lead in [
        ("rita", "risk", True),
        ("ravi", "risk", False),
        ("carl", "compliance", True),
        ("cora", "compliance", False),
        ("lena", "legal", True),
        ("leo", "legal", False),
    ]:
        out[name] = user(name, [key])
        FunctionMembership.objects.get_or_create(
            function=ReviewFunction.objects.get(key=key), user=out[name], defaults={"is_lead": lead}
        )
    out["audrey"] = user("audrey", ["auditor"])
    out["admin"] = user("admin", ["admin"], is_staff=True, is_superuser=True)
    return out


def fill(start: int, stop: int, users: dict) -> None:
    """Use cases start..stop-1, each with history, two requests, ten reviews, a packet and audit events."""
    from accounts.models import ReviewFunction
    from lifecycle.models import ModelVersion, Stage, StageChange, Tier, UseCase
    from signoff.models import Packet, ReadinessRequest, RequestState, Review, ReviewState

    functions = {f.key: f for f in ReviewFunction.objects.all()}
    deciders = {"risk": users["rita"], "compliance": users["carl"], "legal": users["lena"]}
    engineers = [u for name, u in users.items() if name == "erin" or name.startswith("eng")]
    now = timezone.now()
    tiers = [Tier.MINIMAL, Tier.LIMITED, Tier.HIGH, Tier.OUT_OF_SCOPE]
    for lo in range(start, stop, BATCH):
        hi = min(lo + BATCH, stop)
        created = now - timedelta(days=200)
        use_cases = UseCase.objects.bulk_create(
            UseCase(
                slug=f"bench-{i:06d}",
                title=f"Bench use case {i:06d}",
                purpose="Summarise documents for staff.",
                approved_scope="Internal staff only.",
                business_kpi="Handling time down 10%",
                technical_owner=engineers[i % len(engineers)],
                business_owner=engineers[(i + 1) % len(engineers)],
                team=f"Team {i % 20}",
                sunset_criteria="Retire if the KPI does not move in two quarters.",
                processes_personal_data=i % 3 == 0,
                customer_facing=i % 4 == 0,
                risk_tier=tiers[i % len(tiers)],
                stage=2 + i % 2,
                stage_entered_at=now - timedelta(days=30 + i % 60),
                created_by=engineers[i % len(engineers)],
                created_at=created,
            )
            for i in range(lo, hi)
        )
        versions = ModelVersion.objects.bulk_create(
            ModelVersion(
                use_case=uc,
                label="1.0.0",
                provider="Azure OpenAI",
                model_identifier="gpt-4o",
                config_hash=hashlib.sha256(uc.slug.encode()).hexdigest(),
                created_by=uc.technical_owner,
                created_at=created,
            )
            for uc in use_cases
        )
        changes = []
        for n, uc in enumerate(use_cases):
            for s in range(uc.stage):
                changes.append(
                    StageChange(
                        use_case=uc,
                        kind=StageChange.Kind.PROMOTION,
                        from_stage=s,
                        to_stage=s + 1,
                        reason="bench",
                        actor=deciders["risk"],
                        created_at=created + timedelta(days=20 * (s + 1) + n % 7),
                    )
                )
        StageChange.objects.bulk_create(changes)
        requests = []
        for uc, version in zip(use_cases, versions, strict=True):
            approved_at = uc.stage_entered_at
            requests.append(
                ReadinessRequest(
                    use_case=uc,
                    version=version,
                    from_stage=uc.stage - 1,
                    target_stage=uc.stage,
                    state=RequestState.APPROVED,
                    submitted_by=uc.technical_owner,
                    created_at=approved_at - timedelta(days=9),
                    submitted_at=approved_at - timedelta(days=9),
                    decided_at=approved_at,
                    revision=1,
                )
            )
            open_request = uc.stage < Stage.GUARDED or int(uc.slug[-6:]) % 5 == 0
            requests.append(
                ReadinessRequest(
                    use_case=uc,
                    version=version,
                    from_stage=uc.stage,
                    target_stage=uc.stage + 1,
                    state=RequestState.SUBMITTED if open_request else RequestState.REJECTED,
                    submitted_by=uc.technical_owner,
                    created_at=now - timedelta(days=int(uc.slug[-6:]) % 40),
                    submitted_at=now - timedelta(days=int(uc.slug[-6:]) % 40),
                    decided_at=None if open_request else now - timedelta(days=1),
                    revision=1,
                )
            )
        requests = ReadinessRequest.objects.bulk_create(requests)
        reviews = []
        for n, req in enumerate(requests):
            uc = req.use_case
            keys = ["risk", "compliance", "legal"]
            # Ten reviews per use case: revision 0 went stale on both requests (6),
            # then revision 1 was decided (approved request, 3) or is under way (open request, 1).
            for key in keys:
                reviews.append(_review(req, uc, functions[key], 0, ReviewState.STALE, now))
            if req.state == RequestState.APPROVED:
                for key in keys:
                    reviews.append(_review(req, uc, functions[key], 1, ReviewState.DECIDED, now, decider=deciders[key]))
            else:
                assignee = [users["rita"], users["ravi"], None][n % 3]
                state = ReviewState.ASSIGNED if assignee else ReviewState.UNASSIGNED
                if req.state != RequestState.SUBMITTED:
                    state, assignee = ReviewState.CANCELLED, None
                reviews.append(_review(req, uc, functions["risk"], 1, state, now, assignee=assignee))
        Review.objects.bulk_create(reviews, batch_size=BATCH)
        Packet.objects.bulk_create(
            Packet(
                request=req,
                packet_id=f"SG-BENCH-{req.pk:07d}",
                file=f"packets/bench-{req.pk}.pdf",
                sha256=hashlib.sha256(f"packet {req.pk}".encode()).hexdigest(),
                size=120_000,
                unsigned_sha256=hashlib.sha256(f"packet {req.pk}".encode()).hexdigest(),
                unsigned_size=120_000,
                page_count=9,
                audit_head_hash="0" * 64,
                audit_head_seq=0,
                created_at=req.decided_at,
            )
            for req in requests
            if req.state == RequestState.APPROVED
        )
        _audit_events(use_cases, users["erin"], now)


def _review(req, uc, function, revision, state, now, *, decider=None, assignee=None):
    from signoff.models import Decision, Review, ReviewState

    decided = state == ReviewState.DECIDED
    created = req.submitted_at or now
    return Review(
        request=req,
        function=function,
        revision=revision,
        state=state,
        assignee=decider or assignee,
        due_date=(created + timedelta(days=7)).date(),
        decision=Decision.APPROVE if decided else "",
        decided_by=decider if decided else None,
        decided_at=created + timedelta(hours=20 + req.pk % 100) if decided else None,
        created_at=created,
        submitter=req.submitted_by,
        technical_owner=uc.technical_owner,
        business_owner=uc.business_owner,
    )


def _audit_events(use_cases, actor, now) -> None:
    """Append-only rows so the audit page has a realistic table; the chain is not what is measured."""
    from audit.models import AuditChainHead, AuditEvent

    head, _ = AuditChainHead.objects.get_or_create(pk=1)
    seq = head.seq
    events = []
    for uc in use_cases:
        for _ in range(AUDIT_EVENTS_PER_USE_CASE):
            seq += 1
            events.append(
                AuditEvent(
                    seq=seq,
                    created_at=now - timedelta(minutes=seq),
                    actor=actor,
                    actor_label=actor.username,
                    verb="use_case.updated",
                    object_type="lifecycle.usecase",
                    object_id=str(uc.pk),
                    object_repr=uc.title,
                    use_case_id=uc.pk,
                    prev_hash="0" * 64,
                    hash=hashlib.sha256(f"bench {seq}".encode()).hexdigest(),
                )
            )
    AuditEvent.objects.bulk_create(events, batch_size=BATCH)
    AuditChainHead.objects.filter(pk=1).update(seq=seq)


def use_database(name: str) -> None:
    """Point the connection at scratch database `name`, connected before any timing starts."""
    if connection.settings_dict["NAME"] != name:
        connection.close()
        settings.DATABASES["default"]["NAME"] = connection.settings_dict["NAME"] = name
    connection.ensure_connection()


def measure(portfolios: dict[str, tuple[str, dict]], runs: int) -> dict[str, dict[str, tuple[float, int | None]]]:
    """{portfolio: {page: (median ms, queries)}}, each page timed on the portfolios in turns.

    Taking turns request by request keeps a machine that speeds up or slows
    down meanwhile (a shared one does) from leaning on one size only.
    """
    out: dict[str, dict[str, tuple[float, int | None]]] = {key: {} for key in portfolios}
    for label, username, url in PAGES:
        clients = {}
        for key, (name, users) in portfolios.items():
            use_database(name)
            client = Client(raise_request_exception=False)
            client.force_login(users[username])
            response = client.get(url)
            if response.status_code != 200:
                print(f"# {label} ({key}): HTTP {response.status_code}", file=sys.stderr)
                out[key][label] = (float("nan"), None)
                continue
            clients[key] = client
        times: dict[str, list[float]] = {key: [] for key in clients}
        for _ in range(runs):
            for key, client in clients.items():
                use_database(portfolios[key][0])
                started = time.perf_counter()
                client.get(url)
                times[key].append((time.perf_counter() - started) * 1000)
        for key, client in clients.items():
            use_database(portfolios[key][0])
            with CaptureQueriesContext(connection) as queries:
                client.get(url)
            out[key][label] = (statistics.median(times[key]), len(queries))
    return out


def database(name: str, size: int, users_out: dict, *, reuse: bool) -> None:
    """Switch to the scratch database `name` holding `size` use cases, filling it unless it is reused."""
    settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = name
    connection.creation.create_test_db(verbosity=0, autoclobber=not reuse, serialize=False, keepdb=reuse)
    from lifecycle.models import UseCase

    users_out.update(people())
    if UseCase.objects.count() != size:
        started = time.perf_counter()
        fill(0, size, users_out)
        # bulk_create bypasses the services that keep the insight histograms: recount them, as after an import.
        from lifecycle.tallies import stage_stays_rebuild
        from signoff.tallies import review_cycles_rebuild

        stage_stays_rebuild()
        review_cycles_rebuild()
        print(f"# filled {name} with {size:,} use cases in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    if connection.vendor == "postgresql":
        # What autovacuum does in a running portal: statistics for the planner, visibility for index-only scans.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def leave(old_name: str, *, keep: bool) -> None:
    if keep:
        connection.close()
        settings.DATABASES["default"]["NAME"] = connection.settings_dict["NAME"] = old_name
    else:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7, help="requests per page (the median is reported)")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table for BENCHMARKS.md")
    parser.add_argument("--database-name", default="stagegate_bench_pages", help="prefix of the two scratch databases")
    parser.add_argument("--keep", action="store_true", help="keep the scratch databases for a later --reuse")
    parser.add_argument("--reuse", action="store_true", help="reuse kept databases (migrated, not refilled)")
    args = parser.parse_args()

    setup_test_environment(debug=False)
    portfolios: dict[str, tuple[str, dict]] = {}
    old_name = connection.settings_dict["NAME"]
    try:
        for suffix, size in (("small", SMALL), ("large", LARGE)):
            users: dict = {}
            name = f"{args.database_name}_{suffix}"
            database(name, size, users, reuse=args.reuse)
            portfolios[suffix] = (name, users)
        results = measure(portfolios, args.runs)
    finally:
        for name, _ in portfolios.values():
            use_database(name)
            leave(old_name, keep=args.keep or args.reuse)
    small, large = results["small"], results["large"]

    print(f"# pages on {connection.vendor}: median of {args.runs} requests")
    before = json.loads(BASELINE.read_text())["pages"] if BASELINE.exists() else {}
    if args.markdown:
        print(
            f"| page | before: {SMALL} | before: {LARGE:,} | {SMALL} use cases | queries "
            f"| {LARGE:,} use cases, {LARGE * REVIEWS_PER_USE_CASE:,} reviews | queries | ratio |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for label, *_ in PAGES:
            (t1, q1), (t2, q2) = small[label], large[label]
            old = before.get(label)
            was = f"{old[0]} ms ({old[1]} q) | {old[2]} ms ({old[3]} q)" if old else "— | —"
            print(
                f"| {label} | {was} | {t1:.0f} ms | {q1 if q1 is not None else '—'} | {t2:.0f} ms "
                f"| {q2 if q2 is not None else '—'} | {_ratio(t1, t2)} |"
            )
    else:
        for label, *_ in PAGES:
            (t1, q1), (t2, q2) = small[label], large[label]
            old = before.get(label)
            was = f"(before {old[0]} → {old[2]} ms)" if old else ""
            print(f"{label:34} {t1:>7.0f} ms ({q1} q)   {t2:>7.0f} ms ({q2} q)   {_ratio(t1, t2):>5} {was}")


def _ratio(small: float, large: float) -> str:
    return f"{large / small:.1f}×" if small == small and large == large and small > 0 else "—"


if __name__ == "__main__":
    main()
