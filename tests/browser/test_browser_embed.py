"""One <script> tag embeds the chat in a page of another site (another origin)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import Page, expect

from chat_steps import BOT, wait_answer, wait_connected


def serve_portal(base_url: str, host: str) -> Iterator[str]:
    """A portal page on another origin (``host``) whose only link to us is the script tag.
    (Loopback, because Chromium blocks public pages from loading loopback resources.)"""
    page = f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>某区政务服务网</title></head>
    <body><h1>某区政务服务网</h1><p>办事指南……</p>
    <script src="{base_url}/static/widget.js" defer></script></body></html>""".encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer((host, 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}/zhengwu/index.html"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def other_site(base_url) -> Iterator[str]:
    """A portal in PORTAL_ORIGINS (see conftest.py)."""
    yield from serve_portal(base_url, "127.0.0.2")


@pytest.fixture
def unlisted_site(base_url) -> Iterator[str]:
    """A site that copied the script tag but is not one of PORTAL_ORIGINS."""
    yield from serve_portal(base_url, "127.0.0.3")


def test_one_script_tag_embeds_the_chat_in_another_site(page: Page, base_url, other_site, screenshots):
    page.goto(other_site)
    launcher = page.get_by_role("button", name="在线咨询")
    expect(launcher).to_have_attribute("aria-expanded", "false")
    expect(page.locator("iframe")).to_have_count(0)  # nothing loaded before it is opened
    launcher.click()
    expect(launcher).to_have_attribute("aria-expanded", "true")
    frame = page.locator("iframe[title='申报助手在线咨询']")
    assert frame.get_attribute("src").startswith(f"{base_url}/chat?embed=1")

    chat = page.frame_locator("iframe[title='申报助手在线咨询']")
    wait_connected(chat)
    bots = chat.locator(BOT).count()
    chat.locator("#input").fill("国家5G试点材料寄到哪里？")
    chat.locator("#input").press("Enter")
    assert "北京市海淀区花园北路52号" in wait_answer(chat, bots)
    page.screenshot(path=screenshots / "widget-in-another-site.png")

    chat.locator("#input").press("Escape")  # Esc inside the chat closes the panel
    expect(frame).to_be_hidden()
    expect(launcher).to_be_focused()


def test_a_site_not_in_portal_origins_cannot_show_the_chat_in_a_frame(new_context, base_url, unlisted_site):
    context, errors = new_context()
    errors.allow("frame-ancestors")  # Chromium reports the refused frame as a console error
    page = context.new_page()
    page.goto(unlisted_site)

    with page.expect_console_message(lambda message: "frame-ancestors" in message.text) as refused:
        page.get_by_role("button", name="在线咨询").click()

    assert base_url in refused.value.text  # Chromium names the refused origin
    chat = page.frame_locator("iframe[title='申报助手在线咨询']")
    expect(chat.locator("#input")).to_have_count(0)
