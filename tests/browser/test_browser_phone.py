"""A phone-sized screen (375x667): the chat and the portal's widget fit, nothing scrolls sideways,
the input stays visible."""

from __future__ import annotations

from playwright.sync_api import expect

from chat_steps import BOT, PHONE, ask, no_horizontal_scroll, open_chat, wait_answer, wait_connected

PHONE_OPTIONS = {"viewport": PHONE, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


def inside_viewport(box) -> bool:
    return box is not None and box["x"] >= 0 and box["y"] >= 0 and \
        box["x"] + box["width"] <= PHONE["width"] + 0.5 and box["y"] + box["height"] <= PHONE["height"] + 0.5


def test_chat_on_a_phone(new_context, base_url, screenshots):
    context, _ = new_context(**PHONE_OPTIONS)
    page = context.new_page()
    open_chat(page, base_url)
    assert no_horizontal_scroll(page)
    for control in ("#input", "#send", "#handoff"):
        assert inside_viewport(page.locator(control).bounding_box()), control

    ask(page, "国家5G试点材料寄到哪里？")
    page.locator(BOT).last.locator("details.cite summary").click()
    expect(page.locator(BOT).last.locator("blockquote")).to_be_visible()
    ask(page, "上海市智慧医疗专项研究项目申报条件是什么？")
    assert no_horizontal_scroll(page)
    assert page.locator("#log").evaluate("e => e.scrollWidth <= e.clientWidth")
    assert inside_viewport(page.locator("#input").bounding_box())
    last = page.locator(BOT).last.locator(".bubble").first.bounding_box()
    assert last["x"] + last["width"] <= PHONE["width"]
    page.screenshot(path=screenshots / "chat-phone-375.png")

    page.locator("#input").fill("长" * 2100)  # a long draft grows the box, but stays on screen
    assert inside_viewport(page.locator("#input").bounding_box())
    assert inside_viewport(page.locator("#send").bounding_box())
    assert no_horizontal_scroll(page)


def test_portal_widget_on_a_phone_opens_full_screen(new_context, base_url, screenshots):
    context, _ = new_context(**PHONE_OPTIONS)
    page = context.new_page()
    page.goto(base_url + "/")
    assert no_horizontal_scroll(page)
    launcher = page.get_by_role("button", name="在线咨询")
    assert inside_viewport(launcher.bounding_box())
    launcher.click()
    panel = page.get_by_role("dialog", name="申报助手在线咨询")
    expect(panel).to_be_visible()
    box = panel.bounding_box()
    assert (box["x"], box["y"], box["width"], box["height"]) == (0, 0, PHONE["width"], PHONE["height"])

    chat = page.frame_locator("iframe[title='申报助手在线咨询']")
    wait_connected(chat)
    bots = chat.locator(BOT).count()
    chat.locator("#input").fill("国家5G试点材料寄到哪里？")
    chat.locator("#send").click()
    wait_answer(chat, bots)
    assert inside_viewport(chat.locator("#input").bounding_box())
    assert no_horizontal_scroll(page)
    page.screenshot(path=screenshots / "portal-widget-phone-375.png")

    chat.get_by_role("button", name="收起对话窗口").click()
    expect(panel).to_be_hidden()
    expect(launcher).to_be_visible()
