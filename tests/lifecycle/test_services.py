import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from audit.models import AuditEvent
from audit.services import Verb
from core.exceptions import Conflict
from lifecycle.access import use_case_may_change
from lifecycle.models import (
    Artifact,
    ArtifactKind,
    EvaluationMetric,
    InternalTier,
    ModelVersion,
    ReadinessAnswer,
    ReadinessQuestion,
    RiskAssessment,
    Stage,
    StageChange,
    Tier,
    UseCase,
)
from lifecycle.services import (
    MetricSpec,
    ReadinessInput,
    artifact_upload,
    model_version_create,
    readiness_answers_save,
    risk_assessment_record,
    use_case_create,
    use_case_demote,
    use_case_promote,
    use_case_retire,
    use_case_update,
)
from tests import factories
from tests.lifecycle.files import PDF, TEXT, upload

pytestmark = pytest.mark.django_db

HASH = "a" * 64


def _events(verb):
    return list(AuditEvent.objects.filter(verb=verb).order_by("seq"))


def _stored_files(settings):
    root = settings.MEDIA_ROOT
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _at_stage(use_case, stage):
    UseCase.objects.filter(pk=use_case.pk).update(stage=stage)
    use_case.refresh_from_db()
    return use_case


# --- create -------------------------------------------------------------------------------------------------------


def test_creator_becomes_technical_owner_and_may_change(erin):
    use_case = use_case_create(actor=erin, title="Fraud alerts triage", purpose="Rank alerts for analysts.")
    assert use_case.slug == "fraud-alerts-triage"
    assert use_case.technical_owner == erin and use_case.created_by == erin
    assert use_case.stage == Stage.PROPOSED and use_case.risk_tier == Tier.UNCLASSIFIED
    assert use_case_may_change(erin, use_case)
    [event] = _events(Verb.USE_CASE_CREATED)
    assert event.changes["slug"] == "fraud-alerts-triage" and event.changes["technical_owner"] == "erin"
    assert _events(Verb.PERMISSION_GRANTED)[0].changes == {"user": "erin", "permission": "change_usecase"}


def test_another_technical_owner_can_be_named(erin, eric, rita):
    use_case = use_case_create(actor=erin, title="T", purpose="P", technical_owner=eric, business_owner=rita)
    assert use_case.technical_owner == eric
    # The creator keeps the right to change what they registered.
    assert {u for u in (erin, eric, rita) if use_case_may_change(u, use_case)} == {erin, eric, rita}


def test_slug_is_made_unique(erin):
    first = use_case_create(actor=erin, title="Chat assistant", purpose="P")
    second = use_case_create(actor=erin, title="Chat Assistant!", purpose="P")
    assert (first.slug, second.slug) == ("chat-assistant", "chat-assistant-2")


def test_explicit_slug_is_used_and_must_be_free(erin):
    use_case_create(actor=erin, title="A", purpose="P", slug="credit-pd")
    with pytest.raises(ValidationError, match="taken"):
        use_case_create(actor=erin, title="B", purpose="P", slug="credit-pd")
    with pytest.raises(ValidationError, match="lower-case"):
        use_case_create(actor=erin, title="B", purpose="P", slug="Bad Slug")
    assert UseCase.objects.count() == 1


def test_create_requires_title_and_purpose(erin):
    with pytest.raises(ValidationError) as info:
        use_case_create(actor=erin, title=" ", purpose="")
    assert set(info.value.message_dict) == {"title", "purpose"}
    assert not UseCase.objects.exists()


@pytest.mark.parametrize("who", ["audrey", "nobody"])
def test_auditors_and_people_without_roles_cannot_create(request, who):
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        use_case_create(actor=actor, title="T", purpose="P")
    assert not UseCase.objects.exists()
    assert not AuditEvent.objects.filter(verb__startswith="use_case.").exists()


def test_an_auditor_cannot_be_made_owner(erin, audrey):
    with pytest.raises(ValidationError, match="auditor"):
        use_case_create(actor=erin, title="T", purpose="P", business_owner=audrey)
    assert not UseCase.objects.exists()


# --- update -------------------------------------------------------------------------------------------------------


def test_owner_edit_is_audited_with_before_and_after(use_case, erin):
    use_case_update(
        use_case=use_case, actor=erin, title="Ticket summaries", customer_facing=True, team="Customer operations"
    )
    use_case.refresh_from_db()
    assert use_case.title == "Ticket summaries" and use_case.customer_facing
    [event] = _events(Verb.USE_CASE_UPDATED)
    assert event.changes == {
        "title": ["Support ticket summaries", "Ticket summaries"],
        "customer_facing": [False, True],
    }


def test_changing_a_flag_re_derives_the_internal_tier_from_the_current_assessment(use_case, erin):
    risk_assessment_record(use_case=use_case, actor=erin, answers=answers(), is_final=True)
    use_case.refresh_from_db()
    assert use_case.internal_tier == InternalTier.LOW
    use_case_update(use_case=use_case, actor=erin, processes_personal_data=True, regulated_decision=True)
    use_case.refresh_from_db()
    assert use_case.internal_tier == InternalTier.HIGH
    assert _events(Verb.USE_CASE_UPDATED)[-1].changes["internal_tier"] == ["low", "high"]


def test_flags_without_an_assessment_leave_the_internal_tier_alone(use_case, erin):
    use_case_update(use_case=use_case, actor=erin, customer_facing=True)
    use_case.refresh_from_db()
    assert use_case.internal_tier == InternalTier.LOW


def test_edit_without_change_records_nothing(use_case, erin):
    use_case_update(use_case=use_case, actor=erin, title=use_case.title)
    assert not _events(Verb.USE_CASE_UPDATED)


@pytest.mark.parametrize("who", ["eric", "audrey", "rita", "nobody"])
def test_others_cannot_edit(request, use_case, who):
    with pytest.raises(PermissionDenied):
        use_case_update(use_case=use_case, actor=request.getfixturevalue(who), title="Hijacked")
    use_case.refresh_from_db()
    assert use_case.title == "Support ticket summaries"
    assert not _events(Verb.USE_CASE_UPDATED)


def test_admin_can_edit(use_case, admin_user):
    use_case_update(use_case=use_case, actor=admin_user, team="Platform")
    use_case.refresh_from_db()
    assert use_case.team == "Platform"


def test_slug_and_stage_cannot_be_edited(use_case, erin):
    with pytest.raises(ValidationError) as info:
        use_case_update(use_case=use_case, actor=erin, slug="other", stage=4)
    assert set(info.value.message_dict) == {"slug", "stage"}


def test_changing_owners_moves_the_permission(use_case, erin, eric):
    # erin created the fixture, so she stays an owner whoever else is named.
    use_case_update(use_case=use_case, actor=erin, business_owner=eric)
    assert use_case_may_change(eric, use_case)
    use_case_update(use_case=use_case, actor=erin, business_owner=None)
    eric = type(eric).objects.get(pk=eric.pk)  # fresh permission cache
    assert not use_case_may_change(eric, use_case)
    assert [e.changes["user"] for e in _events(Verb.PERMISSION_REVOKED)] == ["eric"]


def test_technical_owner_cannot_be_removed(use_case, erin):
    with pytest.raises(ValidationError, match="technical owner"):
        use_case_update(use_case=use_case, actor=erin, technical_owner=None)


# --- stages -------------------------------------------------------------------------------------------------------


def test_demote_to_any_lower_stage_with_reason(use_case, erin):
    _at_stage(use_case, Stage.GUARDED)
    change = use_case_demote(use_case=use_case, actor=erin, to_stage=Stage.SANDBOX, reason=" Incident 42 ")
    use_case.refresh_from_db()
    assert use_case.stage == Stage.SANDBOX
    assert (change.kind, change.from_stage, change.to_stage, change.reason) == ("demotion", 3, 1, "Incident 42")
    assert _events(Verb.STAGE_DEMOTED)[0].changes["stage"] == [3, 1]


@pytest.mark.parametrize(("stage", "to_stage"), [(3, 3), (3, 4), (2, 9), (2, -1), (0, 0)])
def test_demote_refuses_a_target_that_is_not_lower(use_case, erin, stage, to_stage):
    _at_stage(use_case, stage)
    with pytest.raises(ValidationError):
        use_case_demote(use_case=use_case, actor=erin, to_stage=to_stage, reason="why")
    use_case.refresh_from_db()
    assert use_case.stage == stage and not StageChange.objects.exists()


def test_demote_needs_a_reason(use_case, erin):
    _at_stage(use_case, Stage.CONTROLLED)
    with pytest.raises(ValidationError, match="why"):
        use_case_demote(use_case=use_case, actor=erin, to_stage=0, reason="  ")
    assert not StageChange.objects.exists()


def test_retired_use_case_cannot_be_demoted(use_case, erin):
    _at_stage(use_case, Stage.RETIRED)
    with pytest.raises(ValidationError, match="cannot be demoted"):
        use_case_demote(use_case=use_case, actor=erin, to_stage=0, reason="why")


@pytest.mark.parametrize("who", ["eric", "audrey", "rita"])
def test_others_cannot_demote_or_retire(request, use_case, who):
    _at_stage(use_case, Stage.CONTROLLED)
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        use_case_demote(use_case=use_case, actor=actor, to_stage=0, reason="why")
    with pytest.raises(PermissionDenied):
        use_case_retire(use_case=use_case, actor=actor, reason="why")
    use_case.refresh_from_db()
    assert use_case.stage == Stage.CONTROLLED and not StageChange.objects.exists()


def test_retire_from_any_active_stage_once(use_case, erin):
    _at_stage(use_case, Stage.SCALE)
    change = use_case_retire(use_case=use_case, actor=erin, reason="Replaced by vendor tool")
    assert (change.from_stage, change.to_stage, change.kind) == (4, Stage.RETIRED, "retirement")
    with pytest.raises(ValidationError, match="already retired"):
        use_case_retire(use_case=use_case, actor=erin, reason="again")
    with pytest.raises(ValidationError, match="why"):
        use_case_retire(use_case=factories.UseCaseFactory(technical_owner=erin), actor=erin, reason="")
    assert StageChange.objects.count() == 1


def test_prohibited_use_case_is_never_promoted(use_case, erin):
    UseCase.objects.filter(pk=use_case.pk).update(risk_tier=Tier.PROHIBITED)
    use_case.refresh_from_db()
    assert not use_case.may_promote()
    with pytest.raises(ValidationError, match="never leave stage 0"), transaction.atomic():
        use_case_promote(use_case=use_case, actor=erin, reason="approved")
    use_case.refresh_from_db()
    assert use_case.stage == Stage.PROPOSED and not StageChange.objects.exists()


def test_database_refuses_a_prohibited_use_case_above_stage_0(use_case):
    UseCase.objects.filter(pk=use_case.pk).update(risk_tier=Tier.PROHIBITED)
    with pytest.raises(IntegrityError), transaction.atomic():
        UseCase.objects.filter(pk=use_case.pk).update(stage=Stage.SANDBOX)
    UseCase.objects.filter(pk=use_case.pk).update(stage=Stage.RETIRED)  # retiring it is fine


def test_promote_one_stage_at_a_time(use_case, erin):
    with transaction.atomic():
        use_case_promote(use_case=use_case, actor=erin, reason="approved request #1")
    use_case.refresh_from_db()
    assert use_case.stage == Stage.SANDBOX


# --- versions -----------------------------------------------------------------------------------------------------


def test_version_with_metrics_is_recorded_and_audited(use_case, erin):
    version = model_version_create(
        use_case=use_case,
        actor=erin,
        label="1.0.0",
        provider="Azure OpenAI",
        model_identifier="gpt-4o-2024-08-06",
        config_hash=HASH.upper(),
        agent_tools=["search_kb", " ", "create_ticket"],
        guardrails="PII redaction",
        metrics=[MetricSpec("faithfulness", 0.93, 0.9), MetricSpec("p95_latency_s", 2.1, 3.0, "lte")],
    )
    assert version.config_hash == HASH and version.agent_tools == ["search_kb", "create_ticket"]
    assert [(m.name, m.passes) for m in version.metrics.all()] == [("faithfulness", True), ("p95_latency_s", True)]
    [event] = _events(Verb.VERSION_CREATED)
    assert event.changes["metrics"][1] == ["p95_latency_s", 2.1, 3.0, "lte"]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"config_hash": "abc"}, "config_hash"),
        ({"config_hash": "g" * 64}, "config_hash"),
        ({"label": " "}, "label"),
        ({"provider": ""}, "provider"),
        ({"metrics": [MetricSpec("auc", 1, 1), MetricSpec("auc", 1, 1)]}, "metrics"),
        ({"metrics": [MetricSpec("auc", 1, 1, "eq")]}, "metrics"),
        ({"metrics": [MetricSpec(" ", 1, 1)]}, "metrics"),
    ],
)
def test_bad_versions_are_refused(use_case, erin, kwargs, field):
    base = {"label": "1.0", "provider": "p", "model_identifier": "m", "config_hash": HASH}
    with pytest.raises(ValidationError) as info:
        model_version_create(use_case=use_case, actor=erin, **{**base, **kwargs})
    assert field in info.value.message_dict
    assert not ModelVersion.objects.exists() and not EvaluationMetric.objects.exists()


def test_version_labels_are_never_reused_for_another_identity(use_case, erin):
    first = model_version_create(
        use_case=use_case, actor=erin, label="1.0", provider="p", model_identifier="m", config_hash=HASH
    )
    again = model_version_create(
        use_case=use_case, actor=erin, label="1.0", provider="p", model_identifier="m", config_hash=HASH
    )
    assert again == first
    with pytest.raises(Conflict, match=r"weights none here, sha256:c{64} sent"):
        model_version_create(
            use_case=use_case,
            actor=erin,
            label="1.0",
            provider="p",
            model_identifier="m",
            config_hash=HASH,
            weights_hash="c" * 64,
        )
    assert ModelVersion.objects.count() == 1


@pytest.mark.parametrize("who", ["eric", "audrey"])
def test_others_cannot_add_versions(request, use_case, who):
    with pytest.raises(PermissionDenied):
        model_version_create(
            use_case=use_case,
            actor=request.getfixturevalue(who),
            label="1",
            provider="p",
            model_identifier="m",
            config_hash=HASH,
        )
    assert not ModelVersion.objects.exists()


def test_retired_use_case_gets_no_versions(use_case, erin):
    _at_stage(use_case, Stage.RETIRED)
    with pytest.raises(ValidationError, match="retired"):
        model_version_create(
            use_case=use_case, actor=erin, label="1", provider="p", model_identifier="m", config_hash=HASH
        )


# --- artifacts ----------------------------------------------------------------------------------------------------


def test_upload_is_stored_content_addressed(use_case, erin, settings):
    artifact = artifact_upload(
        use_case=use_case, actor=erin, kind=ArtifactKind.EVALUATION_REPORT, file=upload("eval.pdf", PDF)
    )
    assert artifact.file.name == f"artifacts/{artifact.sha256[:2]}/{artifact.sha256}"
    assert artifact.size == len(PDF) and artifact.content_type == "application/pdf"
    assert (settings.MEDIA_ROOT / artifact.file.name).read_bytes() == PDF
    assert _events(Verb.ARTIFACT_UPLOADED)[0].changes["sha256"] == artifact.sha256


def test_new_upload_supersedes_the_current_one_of_its_kind(use_case, erin):
    first = artifact_upload(use_case=use_case, actor=erin, kind=ArtifactKind.ROLLBACK_TEST, file=upload("a.txt", TEXT))
    second = artifact_upload(
        use_case=use_case, actor=erin, kind=ArtifactKind.ROLLBACK_TEST, file=upload("b.txt", b"v2")
    )
    first.refresh_from_db()
    assert not first.is_current and second.is_current and second.supersedes == first
    other = artifact_upload(
        use_case=use_case, actor=erin, kind=ArtifactKind.EVALUATION_REPORT, file=upload("c.pdf", PDF)
    )
    assert other.is_current and other.supersedes is None


def test_other_evidence_accumulates(use_case, erin):
    for n in range(2):
        artifact_upload(use_case=use_case, actor=erin, kind=ArtifactKind.OTHER, file=upload(f"n{n}.txt", b"x%d" % n))
    assert Artifact.objects.filter(kind=ArtifactKind.OTHER, is_current=True).count() == 2


def test_same_content_twice_shares_one_file(use_case, erin, settings):
    a = artifact_upload(use_case=use_case, actor=erin, kind=ArtifactKind.OTHER, file=upload("a.pdf", PDF))
    b = artifact_upload(use_case=use_case, actor=erin, kind=ArtifactKind.OTHER, file=upload("b.pdf", PDF))
    assert a.file.name == b.file.name and len(_stored_files(settings)) == 1


def test_refused_upload_leaves_nothing(use_case, erin, settings):
    with pytest.raises(ValidationError) as info:
        artifact_upload(use_case=use_case, actor=erin, kind=ArtifactKind.EVALUATION_REPORT, file=upload("x.pdf", b"MZ"))
    assert "file" in info.value.message_dict
    assert not Artifact.objects.exists() and _stored_files(settings) == []


def test_failure_after_the_write_removes_the_file(use_case, erin, settings):
    unsaved_version = ModelVersion(use_case=use_case, label="ghost")
    with pytest.raises(ValueError, match="unsaved"):
        artifact_upload(
            use_case=use_case,
            actor=erin,
            kind=ArtifactKind.EVALUATION_REPORT,
            file=upload("e.pdf", PDF),
            version=unsaved_version,
        )
    assert not Artifact.objects.exists() and _stored_files(settings) == []


def test_failure_keeps_a_file_another_artifact_uses(use_case, erin, settings):
    artifact_upload(use_case=use_case, actor=erin, kind=ArtifactKind.OTHER, file=upload("a.pdf", PDF))
    with pytest.raises(ValueError):
        artifact_upload(
            use_case=use_case,
            actor=erin,
            kind=ArtifactKind.EVALUATION_REPORT,
            file=upload("e.pdf", PDF),
            version=ModelVersion(use_case=use_case, label="ghost"),
        )
    assert len(_stored_files(settings)) == 1


@pytest.mark.parametrize("who", ["eric", "audrey", "rita"])
def test_others_cannot_upload(request, use_case, who, settings):
    with pytest.raises(PermissionDenied):
        artifact_upload(use_case=use_case, actor=request.getfixturevalue(who), kind="other", file=upload("a.pdf", PDF))
    assert not Artifact.objects.exists() and _stored_files(settings) == []


def test_upload_refuses_another_use_cases_version_and_unknown_kinds(use_case, erin, settings):
    foreign = factories.ModelVersionFactory()
    with pytest.raises(ValidationError, match="another use case"):
        artifact_upload(use_case=use_case, actor=erin, kind="other", file=upload("a.pdf", PDF), version=foreign)
    with pytest.raises(ValidationError, match="Unknown kind"):
        artifact_upload(use_case=use_case, actor=erin, kind="selfie", file=upload("a.pdf", PDF))
    assert not Artifact.objects.exists() and _stored_files(settings) == []


def test_retired_use_case_takes_no_evidence(use_case, erin):
    _at_stage(use_case, Stage.RETIRED)
    with pytest.raises(ValidationError, match="retired"):
        artifact_upload(use_case=use_case, actor=erin, kind="other", file=upload("a.pdf", PDF))


# --- risk assessment ----------------------------------------------------------------------------------------------


def answers(**yes):
    out = {f"Q{n:02d}": {"answer": False} for n in range(1, 21)}
    out["Q01"] = out["Q02"] = {"answer": True, "rationale": "In scope."}
    out["Q10"] = {"areas": []}
    for qid, value in yes.items():
        out[qid] = value if isinstance(value, dict) else {"answer": True, "rationale": f"{qid} applies."}
    return out


def test_assessment_denormalises_tier_onto_the_use_case(use_case, erin):
    use_case_update(use_case=use_case, actor=erin, processes_personal_data=True)
    assessment = risk_assessment_record(
        use_case=use_case,
        actor=erin,
        answers=answers(Q10={"areas": ["essential_services"], "rationale": "Credit."}, Q19=True),
        is_final=True,
    )
    use_case.refresh_from_db()
    assert (assessment.tier, assessment.internal_tier, assessment.fria_required) == (Tier.HIGH, InternalTier.HIGH, True)
    assert assessment.questionnaire_version == "eu-ai-act-2026-11"
    assert assessment.annex_iii_areas == ["essential_services"]
    assert (use_case.risk_tier, use_case.internal_tier) == (Tier.HIGH, InternalTier.HIGH)
    [event] = _events(Verb.ASSESSMENT_RECORDED)
    assert event.changes["tier"] == [Tier.MINIMAL, Tier.HIGH] and event.changes["is_final"] is True


def test_assessments_are_kept_and_the_newest_is_current(use_case, erin):
    risk_assessment_record(use_case=use_case, actor=erin, answers=answers(Q13=True), is_final=False)
    risk_assessment_record(use_case=use_case, actor=erin, answers=answers(), is_final=True)
    assert RiskAssessment.objects.filter(use_case=use_case).count() == 2
    assert RiskAssessment.objects.filter(use_case=use_case).latest().tier == Tier.MINIMAL
    use_case.refresh_from_db()
    assert use_case.risk_tier == Tier.MINIMAL


def test_incomplete_answers_are_refused_naming_the_questions(use_case, erin):
    bad = answers(Q13={"answer": True, "rationale": ""})
    del bad["Q04"]
    with pytest.raises(ValidationError) as info:
        risk_assessment_record(use_case=use_case, actor=erin, answers=bad, is_final=True)
    assert info.value.message_dict["answers"] == [
        "Q04: Answer this question.",
        "Q13: Give a rationale for this answer.",
    ]
    assert not RiskAssessment.objects.exists()


def test_prohibited_classification_takes_a_running_use_case_back_to_stage_0(use_case, erin):
    _at_stage(use_case, Stage.CONTROLLED)
    risk_assessment_record(use_case=use_case, actor=erin, answers=answers(Q06=True), is_final=True)
    use_case.refresh_from_db()
    assert (use_case.stage, use_case.risk_tier) == (Stage.PROPOSED, Tier.PROHIBITED)
    change = StageChange.objects.get()
    assert (change.from_stage, change.to_stage, change.kind) == (2, 0, "demotion")
    assert "prohibited" in change.reason


@pytest.mark.parametrize("who", ["eric", "audrey", "rita"])
def test_others_cannot_classify(request, use_case, who):
    with pytest.raises(PermissionDenied):
        risk_assessment_record(use_case=use_case, actor=request.getfixturevalue(who), answers=answers(), is_final=True)
    assert not RiskAssessment.objects.exists()


# --- readiness ----------------------------------------------------------------------------------------------------


def test_readiness_answers_are_saved_and_only_changes_audited(use_case, erin):
    artifact = factories.ArtifactFactory(use_case=use_case)
    given = {
        ReadinessQuestion.BUSINESS_KPI: ReadinessInput(True, "Handling time -15%"),
        ReadinessQuestion.REPRESENTATIVE_DATA: ReadinessInput(True, artifact=artifact),
        ReadinessQuestion.WORKFLOW_INTEGRATION: ReadinessInput(False, "Not yet in the CRM"),
    }
    assert readiness_answers_save(use_case=use_case, actor=erin, answers=given) == 3
    assert readiness_answers_save(use_case=use_case, actor=erin, answers=given) == 0
    given[ReadinessQuestion.WORKFLOW_INTEGRATION] = ReadinessInput(True, "Live in the CRM")
    assert readiness_answers_save(use_case=use_case, actor=erin, answers=given) == 1
    events = _events(Verb.READINESS_ANSWERED)
    assert len(events) == 2
    assert events[1].changes == {
        "workflow_integration": [[False, "Not yet in the CRM", None], [True, "Live in the CRM", None]]
    }
    assert ReadinessAnswer.objects.get(question="representative_data").artifact == artifact


def test_readiness_refuses_unsupported_answers_and_foreign_artifacts(use_case, erin):
    foreign = factories.ArtifactFactory()
    with pytest.raises(ValidationError) as info:
        readiness_answers_save(
            use_case=use_case,
            actor=erin,
            answers={
                ReadinessQuestion.BUSINESS_KPI: ReadinessInput(True, " "),
                ReadinessQuestion.NAMED_OWNER: ReadinessInput(True, "", foreign),
                "vibes": ReadinessInput(True, "x"),
            },
        )
    assert set(info.value.message_dict) == {"business_kpi", "named_owner", "vibes"}
    assert not ReadinessAnswer.objects.exists()


@pytest.mark.parametrize("who", ["eric", "audrey"])
def test_others_cannot_answer_readiness(request, use_case, who):
    with pytest.raises(PermissionDenied):
        readiness_answers_save(
            use_case=use_case,
            actor=request.getfixturevalue(who),
            answers={ReadinessQuestion.BUSINESS_KPI: ReadinessInput(True, "x")},
        )
    assert not ReadinessAnswer.objects.exists()
