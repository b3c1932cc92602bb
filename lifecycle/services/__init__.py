"""Writes to the registry. Each service runs in one transaction, checks access, and audits itself.

The registry knows nothing of sign-off: what the layers above must hear of
(evidence changed, a version added, a stage changed, a stage about to be left)
goes through lifecycle/hooks.py.
"""

from lifecycle.services.classification import classification_change_decide, risk_assessment_record
from lifecycle.services.evidence import ArtifactStored, artifact_download_record, artifact_store, artifact_upload
from lifecycle.services.readiness import ReadinessInput, readiness_answers_save
from lifecycle.services.stages import use_case_demote, use_case_promote, use_case_retire, use_case_run_version_set
from lifecycle.services.use_cases import EDITABLE_FIELDS, use_case_create, use_case_owners_sync, use_case_update
from lifecycle.services.versions import MetricSpec, VersionRegistered, model_version_create, model_version_register

__all__ = [
    "EDITABLE_FIELDS",
    "ArtifactStored",
    "MetricSpec",
    "ReadinessInput",
    "VersionRegistered",
    "artifact_download_record",
    "artifact_store",
    "artifact_upload",
    "classification_change_decide",
    "model_version_create",
    "model_version_register",
    "readiness_answers_save",
    "risk_assessment_record",
    "use_case_create",
    "use_case_demote",
    "use_case_owners_sync",
    "use_case_promote",
    "use_case_retire",
    "use_case_run_version_set",
    "use_case_update",
]
