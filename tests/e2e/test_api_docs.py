"""/api/docs/ in a real browser: Swagger UI draws our API from our own files, under our CSP."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_swagger_ui_renders_from_our_origin_alone_without_csp_violations(live_server, open_browser):
    page = open_browser("coffee.png", camera_allowed=False)
    console, outside = [], []
    page.on("console", lambda message: console.append(message.text))
    page.on("request", lambda request: None if request.url.startswith(live_server.url) else outside.append(request.url))

    page.goto(f"{live_server.url}/api/docs/")

    expect(page.locator(".swagger-ui .info .title")).to_contain_text("MoodMusic API")
    expect(page.locator(".opblock-summary-path", has_text="/api/captures/").first).to_be_visible()
    assert outside == []
    assert not [text for text in console if "Content Security Policy" in text or "Refused to" in text], console
