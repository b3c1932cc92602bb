"""What apps above the registry add to a use case's page, without the registry knowing them.

An app registers from its AppConfig.ready() a function of (viewer, use case) that returns the template to
include with its context, or None when it has nothing to show. Banners stand under the title (a suspension,
say); sections follow the registry's own (findings, exceptions, monitoring).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from accounts.models import User
from lifecycle.models import UseCase


@dataclass(frozen=True)
class Panel:
    template: str
    context: dict[str, Any] = field(default_factory=dict)


UseCasePanel = Callable[[User, UseCase], Panel | None]

BANNERS: list[UseCasePanel] = []
SECTIONS: list[UseCasePanel] = []


def use_case_banner(panel: UseCasePanel) -> UseCasePanel:
    if panel not in BANNERS:
        BANNERS.append(panel)
    return panel


def use_case_section(panel: UseCasePanel) -> UseCasePanel:
    if panel not in SECTIONS:
        SECTIONS.append(panel)
    return panel


def panels_for(user: User, use_case: UseCase) -> dict[str, list[Panel]]:
    return {
        "banners": [p for panel in BANNERS if (p := panel(user, use_case)) is not None],
        "sections": [p for panel in SECTIONS if (p := panel(user, use_case)) is not None],
    }


# The evidence kinds the next gate still misses, each with the stage that needs it: the upload form offers
# these first. Sign-off answers it with its gate evaluator; the registry knows no gate of its own.
EvidenceNeeds = Callable[[UseCase], dict[str, int]]

EVIDENCE_NEEDS: list[EvidenceNeeds] = []


def evidence_needs_source(source: EvidenceNeeds) -> EvidenceNeeds:
    if source not in EVIDENCE_NEEDS:
        EVIDENCE_NEEDS.append(source)
    return source


def evidence_needed(use_case: UseCase) -> dict[str, int]:
    needed: dict[str, int] = {}
    for source in EVIDENCE_NEEDS:
        for kind, stage in source(use_case).items():
            needed.setdefault(kind, stage)
    return needed
