"""Prepare the portal in DATABASE_URL for the load test (bench/load.py): people, sessions, tokens, work.

Fills the portfolio of bench/pages.py (10,000 use cases, 100,000 reviews) if
the database holds fewer than 1,000 use cases, then gives the load test its
cast and writes it to a JSON file the locustfile reads:

- reviewers: risk-function members, each with their share of the open risk
  reviews assigned, a signed-in session and a token to decide over the API;
- engineers: the owners of the portfolio, each with a session, a token to push
  evidence and the use cases they own;
- pipelines: tokens that ask the gate, and the use cases they ask about.

Tokens come from `manage.py issue_token`, as a real deployment's would.

    DATABASE_URL=postgres://... python bench/load_data.py [--out var/load-users.json]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.core.management import call_command  # noqa: E402
from guardian.shortcuts import assign_perm  # noqa: E402

from lifecycle.access import CHANGE_USE_CASE  # noqa: E402
from signoff.access import DECIDE_REVIEW  # noqa: E402

REVIEWERS = 12
REVIEWS_EACH = 100
ENGINEERS = 20
PIPELINES = 20
USE_CASES_EACH = 10


def session_for(user) -> str:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def snapshot_taken(requests) -> None:
    """What submitting would have recorded: the evidence as it stands, so a decision signs it rather than
    finding it changed and sending the request back."""
    from signoff.gates.policy import PolicySpec
    from signoff.selectors import evidence_snapshot_current, snapshot_hash

    for request in requests.select_related("use_case", "version"):
        spec = PolicySpec.for_stage(request.target_stage)
        request.policy_snapshot = spec.as_snapshot() if spec is not None else {}
        request.evidence_snapshot = evidence_snapshot_current(use_case=request.use_case, version=request.version)
        request.snapshot_hash = snapshot_hash(policy=request.policy_snapshot, evidence=request.evidence_snapshot)
        request.save(update_fields=["policy_snapshot", "evidence_snapshot", "snapshot_hash"])


def token_for(username: str, scopes: str) -> str:
    out = io.StringIO()
    call_command("issue_token", username, "--scope", scopes, "--name", "load test", stdout=out)
    return out.getvalue().strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default="var/load-users.json", help="where to write the cast (JSON)")
    args = parser.parse_args()

    import pages  # bench/pages.py: the same portfolio the page benchmark measures

    from accounts.models import FunctionMembership, ReviewFunction, User
    from lifecycle.models import Stage, UseCase
    from signoff.models import IN_REVIEW_STATES, OPEN_REVIEW_STATES, ReadinessRequest, Review, ReviewState

    if UseCase.objects.count() < 1000:
        users = pages.people()
        pages.fill(UseCase.objects.count(), pages.LARGE, users)
    risk = ReviewFunction.objects.get(key="risk")
    open_risk = Review.objects.filter(
        function=risk, state=ReviewState.UNASSIGNED, request__state__in=IN_REVIEW_STATES
    ).order_by("id")
    reviewers = []
    for n in range(REVIEWERS):
        user, _ = User.objects.get_or_create(username=f"load-rev-{n:02d}", defaults={"email": f"rev{n}@load.example"})
        user.groups.add(Group.objects.get(name="risk"))
        FunctionMembership.objects.get_or_create(function=risk, user=user)
        # Theirs from an earlier run first, then unassigned ones, up to REVIEWS_EACH.
        mine = list(
            Review.objects.filter(assignee=user, state=ReviewState.ASSIGNED, request__state__in=IN_REVIEW_STATES)
            .order_by("id")
            .values_list("id", flat=True)[:REVIEWS_EACH]
        )
        more = list(open_risk.values_list("id", flat=True)[: REVIEWS_EACH - len(mine)])
        Review.objects.filter(pk__in=more).update(state=ReviewState.ASSIGNED, assignee=user)
        ids = mine + more
        # The object permission the assignment service grants its assignee (in bulk: the rows were bulk-made).
        assign_perm(DECIDE_REVIEW, user, Review.objects.filter(pk__in=ids))
        snapshot_taken(ReadinessRequest.objects.filter(reviews__pk__in=ids, evidence_snapshot={}))
        reviewers.append(
            {
                "username": user.username,
                "session": session_for(user),
                "token": token_for(user.username, "read,review"),
                "reviews": ids,
            }
        )
    engineers = []
    for user in User.objects.filter(username__startswith="eng").order_by("username")[:ENGINEERS]:
        slugs = list(
            UseCase.objects.filter(technical_owner=user)
            .order_by("slug")
            .values_list("slug", flat=True)[:USE_CASES_EACH]
        )
        # What registering a use case grants its owners.
        assign_perm(CHANGE_USE_CASE, user, UseCase.objects.filter(slug__in=slugs))
        engineers.append(
            {
                "username": user.username,
                "session": session_for(user),
                "token": token_for(user.username, "read,push"),
                "use_cases": slugs,
            }
        )
    running = list(
        UseCase.objects.filter(stage__gte=Stage.CONTROLLED, stage__lte=Stage.SCALE)
        .order_by("slug")
        .values_list("slug", "stage")[: PIPELINES * USE_CASES_EACH]
    )
    pipelines = [
        {
            "username": engineers[n % len(engineers)]["username"],
            "token": token_for(engineers[n % len(engineers)]["username"], "gate"),
            "use_cases": [[slug, stage] for slug, stage in running[n::PIPELINES]],
        }
        for n in range(PIPELINES)
    ]
    cast = {
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "reviewers": reviewers,
        "engineers": engineers,
        "pipelines": pipelines,
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(cast, indent=1))
    open_count = Review.objects.filter(state__in=OPEN_REVIEW_STATES).count()
    print(
        f"Cast written to {args.out}: {len(reviewers)} reviewers, {len(engineers)} engineers, "
        f"{len(pipelines)} pipelines over {UseCase.objects.count():,} use cases and {open_count:,} open reviews."
    )


if __name__ == "__main__":
    main()
