from datetime import date, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal import dashboards
from signoff.gates import gate_evaluate
from signoff.models import RequestState
from tests import factories
from tests.portal.dashboard_data import packet_make, request_make, review_make
from tests.signoff.helpers import put_at_stage

HOME = "/"
# A Monday, so business-day arithmetic in these tests is easy to follow.
MONDAY = date(2026, 11, 23)


def home(client, user):
    client.force_login(user)
    response = client.get(HOME)
    assert response.status_code == 200
    return response


@pytest.mark.django_db
class TestEngineerHome:
    def test_it_shows_each_owned_use_case_with_what_its_next_stage_needs(self, client, erin, use_case):
        expected = gate_evaluate(use_case=use_case, target_stage=1).unmet
        assert expected, "a fresh use case has no version, so stage 1 is not met"

        response = home(client, erin)

        item = response.context["progress"][0]
        assert item.use_case == use_case
        assert item.next_stage == 1
        assert [r.key for r in item.unmet] == [r.key for r in expected]
        body = response.content.decode()
        assert f"{len(expected)} unmet" in body
        assert expected[0].detail in body

    def test_a_use_case_with_everything_for_its_next_stage_says_ready(self, client, erin, use_case):
        factories.ModelVersionFactory(use_case=use_case)
        factories.RiskAssessmentFactory(use_case=use_case, is_final=False)

        response = home(client, erin)

        assert response.context["progress"][0].unmet == []
        assert "Ready for 1 · Sandboxed evaluation" in response.content.decode()

    def test_a_ready_use_case_offers_the_request_and_an_open_request_is_linked_instead(self, client, erin, use_case):
        factories.ModelVersionFactory(use_case=use_case)
        factories.RiskAssessmentFactory(use_case=use_case, is_final=False)
        ask = reverse("signoff:request-create", args=[use_case.slug]) + "?stage=1"

        before = home(client, erin)
        request = request_make(use_case, state=RequestState.DRAFT)
        after = home(client, erin)

        assert before.context["progress"][0].may_request
        assert ask in before.content.decode()
        assert after.context["progress"][0].request_id == request.pk
        assert ask not in after.content.decode()
        assert reverse("signoff:request-detail", args=[request.pk]) in after.content.decode()

    def test_it_offers_registration_to_engineers(self, client, erin):
        response = home(client, erin)
        assert reverse("lifecycle:use-case-create") in response.content.decode()

    def test_it_lists_only_the_users_own_use_cases(self, client, erin, eric, use_case):
        factories.UseCaseFactory(title="Eric's bot", technical_owner=eric)

        response = home(client, erin)

        assert [p.use_case for p in response.context["progress"]] == [use_case]
        assert "Eric&#x27;s bot" not in response.content.decode()

    def test_it_bounds_the_list_and_says_how_many_there_are(self, client, erin):
        factories.UseCaseFactory.create_batch(dashboards.ENGINEER_USE_CASE_LIMIT + 2, technical_owner=erin)

        response = home(client, erin)

        assert len(response.context["progress"]) == dashboards.ENGINEER_USE_CASE_LIMIT
        assert response.context["owned_count"] == dashboards.ENGINEER_USE_CASE_LIMIT + 2
        assert f"of {dashboards.ENGINEER_USE_CASE_LIMIT + 2} use cases" in response.content.decode()

    def test_it_lists_open_requests_and_not_closed_ones(self, client, erin, use_case):
        open_request = request_make(use_case)
        closed = request_make(factories.UseCaseFactory(technical_owner=erin), state=RequestState.APPROVED)

        response = home(client, erin)

        assert list(response.context["open_requests"]) == [open_request]
        assert closed not in response.context["open_requests"]
        assert reverse("signoff:request-detail", args=[open_request.pk]) in response.content.decode()

    def test_its_query_count_is_the_same_for_two_use_cases_as_for_fourteen(self, client, erin, rita, ravi, carl):
        def grow(n: int) -> None:
            for use_case in factories.UseCaseFactory.create_batch(n, technical_owner=erin):
                use_case = put_at_stage(use_case, 2)  # the gate for stage 3 shows each function's sign-off
                factories.ModelVersionFactory(use_case=use_case)
                factories.RiskAssessmentFactory(use_case=use_case)
                factories.ArtifactFactory(use_case=use_case)
                request = request_make(use_case)
                review_make(request, "risk", assignee=ravi)
                review_make(request, "compliance", decided_by=carl, decided_at=timezone.now())

        def queries() -> int:
            with CaptureQueriesContext(connection) as captured:
                response = client.get(HOME)
            assert response.status_code == 200
            return len(captured)

        client.force_login(erin)
        grow(2)
        two = queries()
        grow(12)
        fourteen = queries()

        # The gate evaluator reads what it needs for all the shown use cases at once.
        assert len(client.get(HOME).context["progress"]) == dashboards.ENGINEER_USE_CASE_LIMIT
        assert fourteen == two


@pytest.mark.django_db
class TestReviewerHome:
    def test_the_queue_holds_my_reviews_and_my_functions_unassigned_ones_soonest_first(
        self, client, erin, rita, ravi, carl
    ):
        today = timezone.localdate()
        mine_later = review_make(request_make(factories.UseCaseFactory(technical_owner=erin)), "risk", assignee=rita)
        unassigned_overdue = review_make(
            request_make(factories.UseCaseFactory(technical_owner=erin)), "risk", due=today - timedelta(days=2)
        )
        ravis = review_make(request_make(factories.UseCaseFactory(technical_owner=erin)), "risk", assignee=ravi)
        compliance = review_make(request_make(factories.UseCaseFactory(technical_owner=erin)), "compliance")

        response = home(client, rita)

        queue = response.context["queue"]
        assert [i.review for i in queue] == [unassigned_overdue, mine_later]
        assert [i.overdue for i in queue] == [True, False]
        assert ravis not in [i.review for i in queue] and compliance not in [i.review for i in queue]
        assert "overdue" in response.content.decode()
        assert reverse("signoff:review-detail", args=[unassigned_overdue.pk]) in response.content.decode()

    def test_the_queue_merges_assigned_and_unassigned_work_and_shows_the_soonest_ten(self, client, erin, ravi):
        today = timezone.localdate()
        for n in range(12):
            review_make(
                request_make(factories.UseCaseFactory(technical_owner=erin)),
                "risk",
                assignee=ravi if n % 2 else None,
                due=today + timedelta(days=12 - n),
            )

        response = home(client, ravi)

        dues = [i.review.due_date for i in response.context["queue"]]
        assert response.context["queue_total"] == 12
        # The soonest ten of the twelve, due in 1 to 12 days.
        assert dues == [today + timedelta(days=n) for n in range(1, 11)]
        assert "Showing 10 of 12" in response.content.decode()

    def test_a_review_of_my_own_use_case_is_marked_as_not_mine_to_decide(self, client, rita):
        own = factories.UseCaseFactory(technical_owner=rita)
        review = review_make(request_make(own), "risk")

        response = home(client, rita)

        assert [(i.review, i.conflicted) for i in response.context["queue"]] == [(review, True)]
        assert "you cannot decide it" in response.content.decode()

    def test_the_queue_refresh_returns_the_section_alone(self, client, erin, rita):
        review = review_make(request_make(factories.UseCaseFactory(technical_owner=erin)), "risk")
        client.force_login(rita)

        response = client.get(reverse("portal:home-queue"), headers={"HX-Request": "true"})

        body = response.content.decode()
        assert response.status_code == 200
        assert 'id="review-queue-section"' in body
        assert "<html" not in body
        assert reverse("signoff:review-detail", args=[review.pk]) in body

    def test_an_engineer_has_no_queue(self, client, erin):
        response = home(client, erin)
        assert "queue" not in response.context
        assert "My review queue" not in response.content.decode()

    @pytest.mark.parametrize("count", [3, 30])
    def test_its_query_count_does_not_grow_with_the_queue(
        self, client, erin, rita, django_assert_max_num_queries, count
    ):
        for _ in range(count):
            review_make(request_make(factories.UseCaseFactory(technical_owner=erin)), "risk")
        client.force_login(rita)
        # With running governance's: what rita owns; for a lead, remediation to chase and the Art. 73 clocks.
        with django_assert_max_num_queries(24):
            assert client.get(HOME).status_code == 200


@pytest.mark.django_db
class TestLeadHome:
    @time_machine.travel(MONDAY, tick=False)
    def test_it_shows_each_members_workload_unassigned_reviews_and_escalations(
        self, client, erin, rita, ravi, settings
    ):
        settings.ESCALATE_AFTER_DAYS_OVERDUE = 3

        def review(**kwargs):
            return review_make(request_make(factories.UseCaseFactory(technical_owner=erin)), "risk", **kwargs)

        review(assignee=ravi, due=MONDAY + timedelta(days=2))
        # Due the Wednesday before: three business days overdue on Monday, so escalated.
        escalated = review(assignee=ravi, due=MONDAY - timedelta(days=5))
        # Due Thursday: two business days overdue, not yet escalated.
        late = review(assignee=rita, due=MONDAY - timedelta(days=4))
        unassigned = review()
        review_make(request_make(factories.UseCaseFactory(technical_owner=erin)), "compliance")

        response = home(client, rita)

        workload = sorted((m.user.username, m.open_count, m.overdue_count) for m in response.context["workload"])
        assert workload == [("ravi", 2, 1), ("rita", 1, 1)]
        assert response.context["unassigned"] == [unassigned]
        assert response.context["escalations"] == [escalated]
        assert late not in response.context["escalations"]

    def test_it_links_to_the_assignment_page_of_each_function_led(self, client, rita):
        response = home(client, rita)
        assert reverse("signoff:function-assignments", args=["risk"]) in response.content.decode()

    def test_a_member_who_is_not_a_lead_sees_no_lead_section(self, client, ravi):
        response = home(client, ravi)
        assert "workload" not in response.context
        assert "Functions I lead" not in response.content.decode()

    def test_the_workload_table_sorts_and_refuses_unknown_sorts_quietly(self, client, erin, rita, ravi):
        for _ in range(2):
            review_make(request_make(factories.UseCaseFactory(technical_owner=erin)), "risk", assignee=ravi)
        client.force_login(rita)

        most = client.get(HOME, {"workload": "-open"})
        unknown = client.get(HOME, {"workload": "user__password"})
        partial = client.get(HOME, {"workload": "open"}, headers={"HX-Request": "true", "HX-Target": "workload"})

        assert [m.user.username for m in most.context["workload"]] == ["ravi", "rita"]
        assert [m.user.username for m in unknown.context["workload"]] == ["ravi", "rita"]
        assert unknown.status_code == 200
        assert partial.status_code == 200
        assert "<html" not in partial.content.decode() and 'id="workload"' in partial.content.decode()

    @pytest.mark.parametrize("count", [2, 20])
    def test_its_query_count_does_not_grow_with_the_function(
        self, client, erin, rita, django_assert_max_num_queries, count
    ):
        members = [factories.reviewer(f"risk{n}", "risk") for n in range(count)]
        for member in members:
            review_make(request_make(factories.UseCaseFactory(technical_owner=erin)), "risk", assignee=member)
            review_make(request_make(factories.UseCaseFactory(technical_owner=erin)), "risk")
        client.force_login(rita)
        # With running governance's: what rita owns; for a lead, remediation to chase and the Art. 73 clocks.
        with django_assert_max_num_queries(24):
            assert client.get(HOME).status_code == 200


class TestEscalationCutoff:
    @pytest.mark.parametrize(
        ("today", "days", "cutoff"),
        [
            (MONDAY, 3, date(2026, 11, 18)),  # Mon - 3 business days = the Wednesday before
            # Due dates fall on business days: due on or before Sunday means Friday or earlier.
            (MONDAY, 1, date(2026, 11, 22)),
            (date(2026, 11, 28), 1, date(2026, 11, 26)),  # a Saturday: Friday counts, so Thursday
        ],
    )
    def test_it_counts_business_days_back(self, settings, today, days, cutoff):
        settings.ESCALATE_AFTER_DAYS_OVERDUE = days
        settings.HOLIDAYS = []
        assert dashboards.escalation_cutoff(today) == cutoff

    def test_holidays_do_not_count(self, settings):
        settings.ESCALATE_AFTER_DAYS_OVERDUE = 2
        tuesday = MONDAY + timedelta(days=1)
        settings.HOLIDAYS = []
        assert dashboards.escalation_cutoff(tuesday) == date(2026, 11, 22)
        settings.HOLIDAYS = [MONDAY]
        assert dashboards.escalation_cutoff(tuesday) == date(2026, 11, 19)


@pytest.mark.django_db
class TestAuditorHome:
    def test_it_shows_recent_approvals_and_their_packets(self, client, erin, audrey):
        approved = request_make(
            factories.UseCaseFactory(technical_owner=erin), state=RequestState.APPROVED, decided_at=timezone.now()
        )
        packet = packet_make(approved)
        request_make(factories.UseCaseFactory(technical_owner=erin))

        response = home(client, audrey)

        assert list(response.context["approvals"]) == [approved]
        assert list(response.context["packets"]) == [packet]
        assert reverse("signoff:packet-detail", args=[packet.packet_id]) in response.content.decode()

    @pytest.mark.parametrize("count", [2, 15])
    def test_its_query_count_does_not_grow_with_the_history(
        self, client, erin, audrey, django_assert_max_num_queries, count
    ):
        for _ in range(count):
            approved = request_make(
                factories.UseCaseFactory(technical_owner=erin), state=RequestState.APPROVED, decided_at=timezone.now()
            )
            packet_make(approved)
        client.force_login(audrey)
        # With running governance's section: findings by severity, exceptions and suspensions.
        with django_assert_max_num_queries(11):
            assert client.get(HOME).status_code == 200


@pytest.mark.django_db
class TestAdminHome:
    def test_it_summarises_the_gate_policy_and_who_holds_which_role(self, client, admin_user, erin, rita, carl):
        response = home(client, admin_user)

        body = response.content.decode()
        assert [r.policy.target_stage for r in response.context["policies"]] == [1, 2, 3, 4]
        assert "<strong>Risk</strong>: always" in body
        assert "<strong>Legal</strong>: " in body and "use case is customer-facing" in body
        assert "Data lineage and known limitations" in body
        holders = {g.name: [u.username for u in g.holders] for g in response.context["role_groups"]}
        assert holders == {
            "admin": ["admin"],
            "auditor": [],
            "compliance": ["carl"],
            "engineer": ["erin"],
            "legal": [],
            "risk": ["rita"],
        }
        assert "rita (lead)" in body and "carl (lead)" in body

    def test_an_engineer_does_not_see_the_policy_section(self, client, erin):
        response = home(client, erin)
        assert "policies" not in response.context
        assert "Who holds which role" not in response.content.decode()

    @pytest.mark.parametrize("count", [2, 20])
    def test_its_query_count_does_not_grow_with_the_people(
        self, client, admin_user, django_assert_max_num_queries, count
    ):
        for n in range(count):
            factories.reviewer(f"member{n}", ["risk", "compliance", "legal"][n % 3])
        client.force_login(admin_user)
        # With running governance's findings, suspensions and exceptions of what the administrator owns.
        with django_assert_max_num_queries(18):
            assert client.get(HOME).status_code == 200


@pytest.mark.django_db
def test_an_account_without_a_role_is_told_so(client, nobody):
    response = home(client, nobody)
    assert not response.context["sections"].any
    assert "no administrator has given you a role" in response.content.decode()


@pytest.mark.django_db
def test_home_requires_sign_in(client):
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={HOME}"
