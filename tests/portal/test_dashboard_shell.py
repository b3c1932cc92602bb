"""The shell around every page: navigation, error pages, and the strict CSP they must respect."""

import re

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from tests import factories

INLINE_STYLE = re.compile(r"<[^>]+\sstyle=", re.I)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.I)


@pytest.mark.django_db
class TestShell:
    def test_every_main_page_is_in_the_navigation_and_the_current_one_is_marked(self, client, erin):
        client.force_login(erin)
        body = client.get("/insight/").content.decode()
        nav = body[body.index('aria-label="Main"') : body.index("</nav>")]
        for href in ["/", "/use-cases/", "/signoff/requests/", "/signoff/reviews/", "/signoff/packets/", "/insight/"]:
            assert f'href="{href}"' in nav
        assert re.search(r'href="/insight/"\s+aria-current="page"', nav)
        assert 'class="skip-link" href="#main"' in body

    def test_my_pages_carry_no_inline_style_or_script(self, client, erin, rita, audrey, admin_user):
        factories.UseCaseFactory(technical_owner=erin)
        for user, url in [(erin, "/"), (rita, "/"), (audrey, "/"), (admin_user, "/"), (audrey, "/insight/")]:
            client.force_login(user)
            body = client.get(url).content.decode()
            assert not INLINE_STYLE.search(body), url
            assert not INLINE_SCRIPT.search(body), url


@pytest.mark.django_db
class TestErrorPages:
    def test_not_found_is_friendly_and_leads_home(self, client, erin):
        client.force_login(erin)
        response = client.get("/use-cases/no-such-thing/")
        body = response.content.decode()
        assert response.status_code == 404
        assert "Not found · Stagegate" in body
        assert 'href="/"' in body

    def test_not_allowed_says_why(self, client, nobody):
        client.force_login(nobody)
        response = client.get("/insight/")
        body = response.content.decode()
        assert response.status_code == 403
        assert "Not allowed · Stagegate" in body
        assert "holds no role" in body

    def test_the_server_error_page_stands_alone_within_the_csp(self):
        request = RequestFactory().get("/")
        body = render_to_string("500.html", {}, request=request)
        assert "Something went wrong" in body
        assert "/static/css/stagegate.css" in body
        assert not INLINE_STYLE.search(body)
        assert not INLINE_SCRIPT.search(body)
