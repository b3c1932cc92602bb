"""In a real browser: an owner records a serious incident and sees its Art. 73 clock; the lead finds it on her
home page and suspends because of it; the use case's page draws its monitored metric with a text alternative."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from governance.services import ObservationSpec, observations_record
from tests import factories
from tests.e2e.conftest import screenshot, sign_in

pytestmark = [pytest.mark.postgres, pytest.mark.browser]


def test_an_incident_from_record_to_suspension(new_page, use_case, erin, rita):
    version = factories.ModelVersionFactory(use_case=use_case, label="1.0")
    factories.EvaluationMetricFactory(version=version, name="faithfulness", value=0.93, threshold=0.9)
    start = timezone.now() - datetime.timedelta(days=3)
    observations_record(
        version=version,
        actor=erin,
        observations=[
            ObservationSpec("faithfulness", v, window_end=start + datetime.timedelta(days=i))
            for i, v in enumerate([0.94, 0.86, 0.92])
        ],
    )

    owner = sign_in(new_page(), "erin")
    owner.goto(use_case.get_absolute_url())
    chart = owner.get_by_role("img", name="faithfulness over time")
    expect(chart).to_be_visible()
    expect(owner.get_by_text("3 observations from")).to_have_count(2)  # the description and the caption
    chart.scroll_into_view_if_needed()
    screenshot(owner, "monitoring")

    owner.get_by_role("button", name="Record an incident").click()
    owner.get_by_label("Title").fill("Summaries told customers the wrong fee")
    owner.get_by_label("Severity").select_option("serious")
    owner.get_by_label("Art. 73 clock").select_option("standard")
    owner.get_by_label("What happened").fill("The assistant quoted last year's fees.")
    aware = timezone.localtime(timezone.now() - datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    owner.get_by_label("Detected").fill(aware)
    owner.get_by_label("Aware since").fill(aware)
    owner.get_by_role("button", name="Record the incident").click()
    due = timezone.localdate() + datetime.timedelta(days=15)
    expect(owner.get_by_role("status")).to_contain_text(f"Report it to the authority by {due:%d %b %Y}")
    expect(owner.get_by_text(f"Art. 73 report due {due:%Y-%m-%d}")).to_be_visible()

    lead = sign_in(new_page(), "rita")
    lead.get_by_role("link", name="Summaries told customers the wrong fee").click()
    lead.get_by_label("Reason").fill("Wrong fees quoted to customers")
    lead.get_by_role("button", name="Suspend the use case because of this incident").click()
    expect(lead.get_by_role("status")).to_contain_text("The use case is suspended")
    expect(lead.get_by_text("Wrong fees quoted to customers")).to_be_visible()
