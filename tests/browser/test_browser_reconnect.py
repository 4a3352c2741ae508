"""The gateway restarts under an open chat: the page says so, reconnects by itself, sends what
was typed meanwhile, and shows every message once."""

from __future__ import annotations

from playwright.sync_api import expect

from chat_steps import BOT, USER, ask, open_chat, server_history, session_id, session_token, transcript


def test_reconnects_after_a_gateway_restart_without_losing_or_duplicating(new_context, base_url, web_stack):
    context, errors = new_context()
    errors.allow("WebSocket connection to")  # the browser logs each refused reconnect attempt
    errors.allow("ERR_CONNECTION_REFUSED")
    page = context.new_page()
    open_chat(page, base_url)
    ask(page, "国家5G试点材料寄到哪里？")

    web_stack.stop(["gateway"])
    try:
        status = page.get_by_role("status").filter(has_text="网络连接已断开，正在重新连接…")
        expect(status).to_be_visible(timeout=15_000)
        page.locator("#input").fill("联系电话是多少？")
        page.locator("#input").press("Enter")  # typed while the server is down
        expect(page.locator(".msg.pending")).to_have_count(1)
        expect(page.locator(".msg.pending .bubble")).to_have_text("联系电话是多少？")
    finally:
        web_stack.restart(["gateway"])
        web_stack.wait_healthy(timeout=120)

    expect(status).to_be_hidden(timeout=30_000)
    expect(page.locator(".msg.pending")).to_have_count(0, timeout=30_000)
    expect(page.locator(BOT)).to_have_count(2, timeout=30_000)
    expect(page.locator(USER)).to_have_count(2)

    shown = transcript(page)
    ids = [int(i) for i, _, _ in shown]
    assert len(ids) == len(set(ids)) == 4
    assert [(s, t) for _, s, t in shown][2] == ("user", "联系电话是多少？")
    history = server_history(base_url, session_id(page), session_token(page))
    assert [m["id"] for m in history] == ids  # stored once each, shown in the same order

    page.reload()  # and after all that, a reload shows the same conversation
    expect(page.locator(".msg[data-id]")).to_have_count(4)
    assert transcript(page) == shown
    ask(page, "谢谢")
