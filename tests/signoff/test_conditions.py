"""Conditions of approval to closure: marked met with evidence, accepted or returned, waived; reminded until then;
carried into later requests and packets; a blocking one overdue past its grace stops the version running."""

from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import Verb
from lifecycle.models import ArtifactKind, UseCase
from signoff import services
from signoff.gates import gate_run
from signoff.models import Decision, ReviewCondition, RunningPolicy
from signoff.packets.context import packet_context
from signoff.reminders import reviews_sweep_due
from tests import factories
from tests.signoff.helpers import audited, decide, reviews_by_function

pytestmark = pytest.mark.django_db
Status = ReviewCondition.Status
TODAY = date(2027, 3, 1)


def _condition(bob, *, blocking=False, days=30):
    return services.ConditionInput("Run the bias audit on live data", bob, TODAY + timedelta(days=days), blocking)


@pytest.fixture
def approved(in_review, bob, rita, carl, lena):
    """The stage-3 request approved, compliance with a condition that bob must meet."""
    with time_machine.travel(TODAY, tick=False):
        reviews = reviews_by_function(in_review)
        decide(reviews["risk"], rita)
        decide(
            reviews["compliance"],
            carl,
            Decision.APPROVE_WITH_CONDITIONS,
            "Approved if the audit follows.",
            [_condition(bob, blocking=True)],
        )
        decide(reviews["legal"], lena)
    in_review.refresh_from_db()
    assert in_review.state == "approved"
    return in_review


@pytest.fixture
def condition(approved):
    return ReviewCondition.objects.get(review__request=approved)


def test_the_condition_belongs_to_the_use_case_and_is_open(condition, approved):
    assert condition.use_case_id == approved.use_case_id
    assert condition.status == Status.OPEN
    assert condition.blocking is True


def test_marked_met_then_accepted_closes_it_audited(condition, bob, cora):
    services.condition_mark_met(condition=condition, actor=bob, note="Audit report filed in the DMS, ref 42.")
    condition.refresh_from_db()
    assert condition.status == Status.MARKED_MET
    assert condition.marked_met_by == bob
    assert condition.evidence_note == "Audit report filed in the DMS, ref 42."
    services.condition_accept(condition=condition, actor=cora, note="Seen.")
    condition.refresh_from_db()
    assert (condition.status, condition.closed_by, condition.closing_note) == (Status.MET, cora, "Seen.")
    verbs = list(
        AuditEvent.objects.filter(object_type="signoff.reviewcondition", object_id=str(condition.pk))
        .order_by("seq")
        .values_list("verb", flat=True)
    )
    assert verbs == [Verb.CONDITION_MARKED_MET, Verb.CONDITION_ACCEPTED]
    assert bob.notifications.filter(title__startswith="Condition accepted").count() == 1


def test_marking_met_needs_evidence(condition, bob):
    with pytest.raises(ValidationError) as caught:
        services.condition_mark_met(condition=condition, actor=bob, note="  ")
    assert "note" in caught.value.message_dict
    condition.refresh_from_db()
    assert condition.status == Status.OPEN


def test_a_file_alone_is_evidence_stored_with_its_hash(condition, bob):
    upload = SimpleUploadedFile("audit.txt", b"bias audit: no disparity found\n")
    services.condition_mark_met(condition=condition, actor=bob, file=upload)
    condition.refresh_from_db()
    assert condition.evidence_name == "audit.txt"
    assert condition.evidence_size == 31
    assert len(condition.evidence_sha256) == 64
    assert condition.evidence_file.read() == b"bias audit: no disparity found\n"


def test_a_bad_file_is_refused_by_field(condition, bob):
    with pytest.raises(ValidationError) as caught:
        services.condition_mark_met(condition=condition, actor=bob, file=SimpleUploadedFile("x.exe", b"MZ"))
    assert "file" in caught.value.message_dict


def test_returned_opens_it_again_with_what_is_missing(condition, bob, cora):
    services.condition_mark_met(condition=condition, actor=bob, note="Done.")
    with pytest.raises(ValidationError):
        services.condition_return(condition=condition, actor=cora, note="")
    services.condition_return(condition=condition, actor=cora, note="The audit covers only March.")
    condition.refresh_from_db()
    assert (condition.status, condition.return_note) == (Status.OPEN, "The audit covers only March.")
    assert audited(Verb.CONDITION_RETURNED) == 1


def test_a_lead_of_the_function_waives_with_a_reason(condition, carl):
    with pytest.raises(ValidationError) as caught:
        services.condition_waive(condition=condition, actor=carl, reason="")
    assert "reason" in caught.value.message_dict
    services.condition_waive(condition=condition, actor=carl, reason="Superseded by the group-wide audit.")
    condition.refresh_from_db()
    assert (condition.status, condition.closed_by) == (Status.WAIVED, carl)
    assert audited(Verb.CONDITION_WAIVED) == 1


@pytest.mark.parametrize(
    "who, action",
    [
        ("eric", "mark_met"),  # neither the condition's owner nor an owner of the use case
        ("audrey", "mark_met"),
        ("rita", "waive"),  # a lead, but of risk, not of compliance which set it
        ("cora", "waive"),  # compliance, but not a lead
        ("ravi", "accept"),  # not of the function that set it
        ("bob", "accept"),  # the owner never accepts their own evidence
    ],
)
def test_the_wrong_person_is_refused_and_nothing_changes(condition, request, bob, who, action):
    actor = request.getfixturevalue(who)
    if action == "accept":
        services.condition_mark_met(condition=condition, actor=bob, note="Done.")
    condition.refresh_from_db()
    before = condition.status
    call = {
        "mark_met": lambda: services.condition_mark_met(condition=condition, actor=actor, note="Done."),
        "waive": lambda: services.condition_waive(condition=condition, actor=actor, reason="No need."),
        "accept": lambda: services.condition_accept(condition=condition, actor=actor),
    }[action]
    with pytest.raises(PermissionDenied):
        call()
    condition.refresh_from_db()
    assert condition.status == before


def test_accepting_an_open_condition_is_the_wrong_moment(condition, cora):
    with pytest.raises(ValidationError, match="Only a condition marked met"):
        services.condition_accept(condition=condition, actor=cora)


def test_reminders_stop_once_it_is_marked_met(condition, bob, settings):
    settings.REMINDER_DAYS_BEFORE_DUE = 2
    due = condition.due_date
    services.condition_mark_met(condition=condition, actor=bob, note="Done.")
    with time_machine.travel(due + timedelta(days=3), tick=False):
        reviews_sweep_due(today=timezone.localdate())
    assert not bob.notifications.filter(title__icontains="condition", kind="reminder").exists()


def test_an_open_condition_is_reminded(condition, bob, settings):
    with time_machine.travel(condition.due_date + timedelta(days=1), tick=False):
        reviews_sweep_due(today=timezone.localdate())
    assert bob.notifications.filter(kind="reminder").exists()


# The run gate ---------------------------------------------------------------------------


def test_a_blocking_condition_overdue_past_its_grace_denies_the_run_gate(condition, approved):
    use_case = UseCase.objects.get(pk=approved.use_case_id)
    RunningPolicy.objects.create(pk=1, condition_grace_days=3)
    with time_machine.travel(condition.due_date + timedelta(days=3), tick=False):
        answer = gate_run(use_case=use_case, stage=3)
        assert answer.allowed, answer.result.unmet
        assert "denies from" in next(r.detail for r in answer.result.requirements if r.key == "conditions.blocking")
    with time_machine.travel(condition.due_date + timedelta(days=4), tick=False):
        answer = gate_run(use_case=use_case, stage=3)
        assert not answer.allowed
        assert [r.key for r in answer.result.unmet] == ["conditions.blocking"]


def test_a_waived_blocking_condition_no_longer_denies(condition, approved, carl):
    use_case = UseCase.objects.get(pk=approved.use_case_id)
    services.condition_waive(condition=condition, actor=carl, reason="Replaced by the group audit.")
    with time_machine.travel(condition.due_date + timedelta(days=60), tick=False):
        assert gate_run(use_case=use_case, stage=3).allowed


def test_the_pipeline_gate_reads_conditions_without_extra_queries(client, condition, approved, erin):
    with time_machine.travel(condition.due_date + timedelta(days=30), tick=False):
        client.force_login(erin)
        body = client.get(f"/api/v1/use-cases/{approved.use_case.slug}/gate/", {"stage": 3}).json()
    assert body["allowed"] is False
    assert [r["key"] for r in body["requirements"] if not r["met"]] == ["conditions.blocking"]


# Carried forward -----------------------------------------------------------------------


def test_conditions_of_a_stale_revision_carry_into_the_resubmission(in_review, erin, bob, rita, carl, client):
    reviews = reviews_by_function(in_review)
    decide(reviews["compliance"], carl, Decision.APPROVE_WITH_CONDITIONS, "If audited.", [_condition(bob, days=90)])
    decide(reviews["risk"], rita, Decision.REQUEST_CHANGES, "Add a model card.")
    factories.ArtifactFactory(use_case=in_review.use_case, kind=ArtifactKind.MODEL_CARD)
    services.readiness_request_resubmit(request=in_review, actor=erin)
    condition = ReviewCondition.objects.get()
    assert condition.status == Status.OPEN
    client.force_login(rita)
    page = client.get(in_review.get_absolute_url()).content.decode()
    assert "Conditions still open on this use case" in page
    assert "Run the bias audit on live data" in page
    body = client.get(f"/api/v1/readiness-requests/{in_review.pk}/").json()
    assert [c["id"] for c in body["open_conditions"]] == [condition.pk]


def test_the_next_packet_lists_the_open_conditions_of_earlier_approvals(approved, condition, erin, rita):
    use_case = UseCase.objects.get(pk=approved.use_case_id)
    with time_machine.travel(TODAY + timedelta(days=1), tick=False):
        # A review at the stage it is at: its own evidence, new since the approval that set the condition.
        for kind in (ArtifactKind.EVALUATION_REPORT, ArtifactKind.MONITORING_SUMMARY, ArtifactKind.INCIDENT_REVIEW):
            use_case.artifacts.filter(kind=kind).update(is_current=False)
            factories.ArtifactFactory(use_case=use_case, kind=kind, version=use_case.current_version)
        request = services.readiness_request_create(use_case=use_case, actor=erin, target_stage=3)
        request = services.readiness_request_submit(request=request, actor=erin)
        for function, review in reviews_by_function(request).items():
            decide(review, factories.reviewer(f"{function}-lead-2", function, lead=True))
    request.refresh_from_db()
    assert request.state == "approved", request.state
    context = packet_context(request=request)
    assert [c.pk for c in context.carried_conditions] == [condition.pk]
    assert [c.pk for c in packet_context(request=approved).carried_conditions] == []
