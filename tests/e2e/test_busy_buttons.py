"""A button that starts work says so and cannot be pressed twice."""

import pytest
from playwright.sync_api import expect

from audit.models import AuditEvent
from audit.services import Verb
from tests.e2e.conftest import sign_in
from tests.signoff.helpers import reviews_by_function

pytestmark = [pytest.mark.postgres, pytest.mark.browser]


def test_a_double_click_on_record_decision_records_one_decision_and_no_error(page, in_review, rita):
    review = reviews_by_function(in_review)["risk"]
    sign_in(page, "rita")
    page.goto(review.get_absolute_url())
    page.get_by_role("button", name="Take this review").click()
    page.get_by_label("Approve", exact=True).check()
    page.get_by_role("button", name="Record decision").dblclick()
    expect(page.get_by_text("Recorded: approve.")).to_be_visible()
    expect(page.get_by_role("alert")).to_have_count(0)
    assert AuditEvent.objects.filter(verb=Verb.REVIEW_DECIDED, object_id=str(review.pk)).count() == 1
    assert AuditEvent.objects.filter(verb=Verb.REVIEW_DECISION_REFUSED).count() == 0


def test_the_pressed_button_says_what_is_happening_while_the_portal_works(page, in_review, rita):
    review = reviews_by_function(in_review)["risk"]
    sign_in(page, "rita")
    page.goto(review.get_absolute_url())
    page.get_by_role("button", name="Take this review").click()
    page.get_by_label("Approve", exact=True).check()
    # Hold the answer back, to see the button as it is while the portal works.
    held = []
    page.route(f"**{review.get_absolute_url()}", lambda route: held.append(route))
    page.get_by_role("button", name="Record decision").click()
    busy = page.get_by_role("button", name="Recording the decision…")
    expect(busy).to_be_disabled()
    expect(busy).to_have_attribute("aria-busy", "true")
    assert len(held) == 1
    held[0].continue_()
    expect(page.get_by_text("Recorded: approve.")).to_be_visible()
