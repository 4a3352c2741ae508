"""The pages run under their Content-Security-Policy: nothing is refused (a refusal is a console
error, which fails the test through conftest's error watch) and each page does its job."""

from __future__ import annotations

from playwright.sync_api import Page, expect


def test_the_api_docs_render_offline_under_the_policy(page: Page, base_url, screenshots):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{base_url}/docs")

    expect(page.locator(".swagger-ui .info .title")).to_contain_text("申报助手")
    expect(page.locator(".opblock-tag-section").first).to_be_visible()
    assert all(url.startswith(base_url) or url.startswith("data:") for url in requested), requested
    page.screenshot(path=screenshots / "docs.png")


def test_the_portal_page_shows_the_styled_widget_under_the_policy(page: Page, base_url):
    response = page.goto(base_url + "/")
    assert "script-src 'self'" in response.headers["content-security-policy"]

    launcher = page.get_by_role("button", name="在线咨询")
    expect(launcher).to_be_visible()
    expect(launcher).to_have_css("position", "fixed")  # widget.css applied
    launcher.click()
    chat = page.frame_locator("iframe[title='申报助手在线咨询']")
    expect(chat.locator("#input")).to_be_visible()


def test_the_faq_page_works_under_the_policy(page: Page, base_url):
    page.goto(f"{base_url}/faq")

    expect(page.locator("#results")).not_to_be_empty()
