"""What the gate answers: requirements, each met or not and why."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum


class Mode(StrEnum):
    PROMOTE = "promote"  # may this use case move up to the target stage?
    RUN = "run"  # may this use case run at the target stage (the pipeline's question)?


class Category(StrEnum):
    STAGE = "stage"
    EVIDENCE = "evidence"  # supplied by the first line before submission
    APPROVAL = "approval"  # supplied by reviewers and the business owner after submission


@dataclass(frozen=True)
class Requirement:
    key: str
    met: bool
    detail: str
    category: Category = Category.EVIDENCE
    # Met only because an exception waives it (until a date): said beside it wherever the gate is shown.
    waived: bool = False

    def as_api(self) -> dict:
        answer: dict = {"key": self.key, "met": self.met, "detail": self.detail}
        if self.waived:
            answer["waived"] = True
        return answer


@dataclass(frozen=True)
class GateResult:
    use_case_id: int
    stage: int
    mode: Mode
    requirements: list[Requirement]
    request_id: int | None = None
    required_functions: list[str] = field(default_factory=list)

    @property
    def allowed(self) -> bool:
        return all(r.met for r in self.requirements)

    @property
    def unmet(self) -> list[Requirement]:
        return [r for r in self.requirements if not r.met]

    @property
    def unmet_before_submission(self) -> list[Requirement]:
        """What the submitter must still supply; approvals come after submission."""
        return [r for r in self.requirements if not r.met and r.category != Category.APPROVAL]

    @property
    def ready_to_submit(self) -> bool:
        """Everything the submitter must supply is there; only approvals remain."""
        return not self.unmet_before_submission

    def as_api(self) -> dict:
        return {"allowed": self.allowed, "stage": self.stage, "requirements": [r.as_api() for r in self.requirements]}

    def as_snapshot(self) -> dict:
        return {
            "stage": self.stage,
            "mode": str(self.mode),
            "allowed": self.allowed,
            "required_functions": self.required_functions,
            "requirements": [{**asdict(r), "category": str(r.category)} for r in self.requirements],
        }
