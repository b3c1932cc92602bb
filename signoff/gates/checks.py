"""What running governance adds to the gates, without sign-off knowing it: checks and waivers.

Sign-off owns the gates; an app built on it (governance/) registers here from
its AppConfig.ready():

- `promotion_check`: more requirements for approval at a stage (open high-severity findings, say);
- `run_check` (gates/run.py): more reasons a version may not run (a suspension, an overdue blocking condition);
- `waiver_source`: requirements an exception waives for a use case, each with the words the gate shows.

Both gates apply the waivers last, so a waived requirement shows as met, marked waived, with its expiry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from lifecycle.models import UseCase
from signoff.gates.result import Requirement

PromotionCheck = Callable[[UseCase, int], list[Requirement]]
WaiverSource = Callable[[UseCase], dict[str, str]]  # requirement key -> what the gate says instead

# Optionally, the same answer for many use cases at once, by use case id, so that a page showing the gate
# for a list (the engineer's home) costs one query per registration rather than one per use case.
ManyChecks = Callable[[list[UseCase], int], dict[int, list[Requirement]]]
ManyWaivers = Callable[[list[UseCase]], dict[int, dict[str, str]]]

PROMOTION_CHECKS: list[PromotionCheck] = []
WAIVER_SOURCES: list[WaiverSource] = []
PROMOTION_CHECKS_MANY: dict[PromotionCheck, ManyChecks] = {}
WAIVER_SOURCES_MANY: dict[WaiverSource, ManyWaivers] = {}


def promotion_check(check: PromotionCheck, *, many: ManyChecks | None = None) -> PromotionCheck:
    if check not in PROMOTION_CHECKS:
        PROMOTION_CHECKS.append(check)
    if many is not None:
        PROMOTION_CHECKS_MANY[check] = many
    return check


def waiver_source(source: WaiverSource, *, many: ManyWaivers | None = None) -> WaiverSource:
    if source not in WAIVER_SOURCES:
        WAIVER_SOURCES.append(source)
    if many is not None:
        WAIVER_SOURCES_MANY[source] = many
    return source


def waivers_apply(
    use_case: UseCase,
    requirements: list[Requirement],
    waivers: Callable[[WaiverSource, UseCase], dict[str, str]] | None = None,
) -> list[Requirement]:
    """Requirements with the unmet ones an exception waives shown as met, marked waived, with the exception's words.

    `waivers` answers a source for a use case (the gate's loaded rows, gates/data.py); by default the source is asked.
    """
    if not WAIVER_SOURCES or all(r.met for r in requirements):
        return requirements
    waived: dict[str, str] = {}
    for source in WAIVER_SOURCES:
        waived.update(waivers(source, use_case) if waivers is not None else source(use_case))
    return [
        replace(r, met=True, waived=True, detail=f"{waived[r.key]} (otherwise: {r.detail})")
        if not r.met and r.key in waived
        else r
        for r in requirements
    ]
