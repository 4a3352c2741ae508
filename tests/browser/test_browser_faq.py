"""The FAQ page: browse by program and topic, search, open a citation, ask in the chat."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

from playwright.sync_api import Page, expect

from chat_steps import BOT, wait_answer, wait_connected


def test_browse_by_program_and_topic(page: Page, base_url):
    page.goto(base_url + "/faq")
    topics = page.get_by_role("group", name="按主题浏览")
    programs = page.get_by_role("group", name="按项目浏览")
    expect(topics.get_by_role("button", name="截止时间")).to_have_attribute("aria-pressed", "true")
    expect(topics.get_by_role("button")).to_have_count(9)  # 全部主题 + 8 topics
    for label in ["截止时间", "申报条件", "申报材料", "申报方向", "提交方式", "联系方式", "办理流程", "项目概况"]:
        expect(topics.get_by_role("button", name=label)).to_be_visible()
    items = page.locator("article.item")
    expect(items.first).to_be_visible()
    assert all(tags.endswith("截止时间") for tags in items.locator(".tags").all_inner_texts())

    programs.get_by_role("button", name="国家5G+医疗健康试点申报").click()
    topics.get_by_role("button", name="提交方式").click()
    expect(page.locator("#summary")).to_have_text(re.compile(r"^共[1-9]\d*个问题$"), timeout=30_000)
    tags = items.locator(".tags").all_inner_texts()
    assert tags and all(t.split() == ["国家5G+医疗健康试点申报", "提交方式"] for t in tags)
    expect(items.filter(has_text="北京市海淀区花园北路52号")).to_have_count(1)
    assert parse_qs(urlparse(page.url).query) == {"program": ["nat5g"], "topic": ["submission"]}

    first = items.first
    expect(first.locator("blockquote").first).to_be_hidden()
    first.locator("summary").click()
    expect(first.locator("blockquote").first).to_be_visible()


def test_search_and_ask_in_the_chat(page: Page, base_url, screenshots):
    page.goto(base_url + "/faq")
    expect(page.locator("article.item").first).to_be_visible()
    page.get_by_role("searchbox", name="搜索常见问题").fill("材料寄到哪里")
    page.get_by_role("button", name="搜索").click()
    expect(page.locator("#summary")).to_contain_text("“材料寄到哪里”的搜索结果")
    hit = page.locator("article.item").filter(has_text="北京市海淀区花园北路52号").first
    expect(hit).to_be_visible()
    hit.locator("summary").click()
    expect(hit.locator("blockquote")).to_contain_text("邮寄地址：北京市海淀区花园北路52号")
    page.screenshot(path=screenshots / "faq-search.png", full_page=False)

    question = hit.locator("h2").inner_text()
    hit.get_by_role("link", name="在对话中提问 ›").click()
    page.wait_for_url("**/?q=*")
    assert parse_qs(urlparse(page.url).query)["q"] == [question]
    chat = page.frame_locator("iframe[title='申报助手在线咨询']")
    expect(chat.locator("#input")).to_have_value(question)
    wait_connected(chat)
    bots = chat.locator(BOT).count()
    chat.locator("#input").press("Enter")
    assert "北京市海淀区花园北路52号" in wait_answer(chat, bots)


def test_search_with_too_long_a_query(new_context, base_url):
    context, errors = new_context()
    errors.allow("status of 422")  # the browser logs the refused request
    page = context.new_page()
    page.goto(base_url + "/faq?q=" + "x" * 300)  # longer than the API accepts
    expect(page.get_by_role("alert")).to_have_text("查询内容过长，请控制在200字以内")
    page.get_by_role("searchbox", name="搜索常见问题").fill("")
    page.get_by_role("group", name="按主题浏览").get_by_role("button", name="联系方式").click()
    expect(page.locator("article.item").first).to_be_visible()
