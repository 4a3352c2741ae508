"""What the user sees while waiting, and a network drop in the middle of an answer: the
WebSocket between page and gateway is routed through Playwright, which can hold frames back
or cut the connection."""

from __future__ import annotations

import json
import threading

from playwright.sync_api import Page, WebSocketRoute, expect

from chat_steps import BOT, USER, open_chat, server_history, session_id, session_token, transcript


def wait_until(page: Page, condition, what: str, timeout_ms: int = 30_000) -> None:
    """Wait for a condition on the relay (page.wait_for_timeout lets Playwright deliver frames)."""
    waited = 0
    while not condition():
        if waited >= timeout_ms:
            raise AssertionError(f"timed out waiting for {what}")
        page.wait_for_timeout(100)
        waited += 100


class Relay:
    """Passes frames between page and server; bot messages can be held back, and the page's
    connection can be cut. Counts the connections the page opens."""

    def __init__(self) -> None:
        self.hold_bot = False
        self.held: list[str] = []
        self.pages: list[WebSocketRoute] = []
        self.hellos: list[dict] = []
        self.lock = threading.Lock()

    def __call__(self, page_side: WebSocketRoute) -> None:
        server = page_side.connect_to_server()
        self.pages.append(page_side)

        def from_page(message) -> None:
            frame = json.loads(message)
            if frame.get("type") == "hello":
                self.hellos.append(frame)
            server.send(message)

        def from_server(message) -> None:
            frame = json.loads(message)
            with self.lock:
                if self.hold_bot and frame.get("type") == "message" and frame.get("sender") == "bot":
                    self.held.append(message)
                    return
            page_side.send(message)

        page_side.on_message(from_page)
        server.on_message(from_server)

    def release(self) -> None:
        with self.lock:
            self.hold_bot = False
            held, self.held = self.held, []
        for message in held:
            self.pages[-1].send(message)


def test_typing_indicator_while_the_answer_is_on_its_way(page: Page, base_url):
    relay = Relay()
    page.route_web_socket("**/ws", relay)
    open_chat(page, base_url)
    relay.hold_bot = True
    page.locator("#input").fill("国家5G试点材料寄到哪里？")
    page.locator("#input").press("Enter")

    typing = page.locator(".typing")
    expect(typing).to_be_visible()
    expect(typing.get_by_role("status", name="申报助手正在输入")).to_be_visible()
    expect(page.locator(USER)).to_have_count(1)  # the echo arrived: sent, no spinner
    expect(page.locator(".msg.pending")).to_have_count(0)
    wait_until(page, lambda: relay.held, "the answer to be held back")
    page.wait_for_timeout(500)
    expect(typing).to_be_visible()  # still waiting: the answer has not reached the page

    relay.release()
    expect(page.locator(BOT)).to_have_count(1)
    expect(typing).to_have_count(0)
    # the log follows the newest message
    assert page.locator("#log").evaluate("e => e.scrollHeight - e.scrollTop - e.clientHeight < 5")


def test_answer_lost_in_a_network_drop_is_replayed_once(page: Page, base_url):
    relay = Relay()
    page.route_web_socket("**/ws", relay)
    open_chat(page, base_url)
    relay.hold_bot = True
    page.locator("#input").fill("国家5G试点材料寄到哪里？")
    page.locator("#input").press("Enter")
    expect(page.locator(USER)).to_have_count(1)
    wait_until(page, lambda: relay.held, "the answer to be held back")
    last_seen = int(page.locator(USER).last.get_attribute("data-id"))

    with relay.lock:
        relay.held.clear()  # the answer never reaches the page ...
        relay.hold_bot = False
    relay.pages[-1].close(code=4000, reason="network drop")  # ... the connection breaks

    expect(page.locator(BOT)).to_have_count(1, timeout=30_000)  # replayed after reconnecting
    assert len(relay.pages) == 2
    assert relay.hellos[-1] == {"type": "hello", "session_id": session_id(page), "after": last_seen, "token": session_token(page)}
    shown = transcript(page)
    assert [m["id"] for m in server_history(base_url, session_id(page), session_token(page))] == [int(i) for i, _, _ in shown]
    assert [s for _, s, _ in shown] == ["user", "bot"]
    assert "北京市海淀区花园北路52号" in shown[1][2]
