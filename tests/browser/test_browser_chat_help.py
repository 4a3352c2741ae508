"""Never stuck in the chat (issue 15), at 375 px and on a desktop, against the real assistant:
the greeting's buttons, suggested next questions, phone numbers and links, thumbs only under
answers, the assistant still answering while a person is awaited, a call-back number left
after hours and seen by staff, FAQ search finding the form, the portal's notices linking to
their FAQ."""

from __future__ import annotations

import os
import re
import subprocess
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import update
from sqlalchemy.orm import sessionmaker

from chat_steps import ANSWER_TIMEOUT, BOT, DESKTOP, PHONE, ask, no_horizontal_scroll, open_chat, page_owns, session_id, wait_answer
from persistence.database import create_db_engine
from persistence.helpdesk_models import Handoff, Staff
from persistence.models import Conversation, Message

REPO = Path(__file__).resolve().parents[2]
SIZES = {"phone": {"viewport": PHONE, "is_mobile": True, "has_touch": True}, "desktop": {"viewport": DESKTOP}}
STAFF_PASSWORD = "chat-help-test-password"
FORM_PROMPT = re.compile(r"【申报资格预审】|例：")


class SizedPage:
    """A page at one of the two sizes (``size``: "phone" or "desktop")."""

    def __init__(self, new_context, size: str, web_stack, session: str | None = None) -> None:
        self.context, _ = new_context(**SIZES[size])
        if session is not None:
            page_owns(self.context, database_url(web_stack), session)
        self.page = self.context.new_page()
        self.size = size


@pytest.fixture(params=list(SIZES))
def size(request) -> str:
    return request.param


@pytest.fixture
def sized_page(new_context, size, web_stack) -> Page:
    return SizedPage(new_context, size, web_stack).page


def database_url(web_stack) -> str:
    return web_stack.extra_env["DATABASE_URL"]


def nobody_online(web_stack) -> None:
    """Arrange "no staff member has a console open" (another test may have logged one in)."""
    engine = create_db_engine(database_url(web_stack))
    with sessionmaker(bind=engine).begin() as db:
        db.execute(update(Staff).values(last_seen_at=None))
    engine.dispose()


def test_greeting_offers_what_the_assistant_does(sized_page: Page, size, base_url, screenshots):
    page = sized_page
    open_chat(page, base_url)
    greeting = page.locator(".greeting")
    for label in ("咨询问题", "资格预审", "填写申报书", "转人工"):
        expect(greeting.get_by_role("button", name=label)).to_be_visible()
    expect(greeting.locator(".rate")).to_have_count(0)

    greeting.get_by_role("button", name="咨询问题").click()
    expect(page.locator("#input")).to_be_focused()
    expect(page.locator(".samples").get_by_role("button")).to_have_count(3)
    expect(page.locator(".msg.mine")).to_have_count(0)  # nothing sent

    label = "填写申报书" if size == "desktop" else "资格预审"
    bots = page.locator(BOT).count()
    greeting.get_by_role("button", name=label).click()
    answer = wait_answer(page, bots)
    expect(page.locator(".msg.mine[data-id]").last.locator(".bubble")).to_have_text(label)
    assert ("请选择要填写的表格" in answer) if label == "填写申报书" else ("资格预审" in answer), answer
    assert no_horizontal_scroll(page)
    page.screenshot(path=screenshots / f"chat-greeting-{size}.png")


def test_answer_offers_next_questions_and_a_tappable_phone_number(sized_page: Page, size, base_url, screenshots):
    page = sized_page
    open_chat(page, base_url)
    assert "021-23170721" in ask(page, "上海5G试点经信委联系人是谁？")
    answer = page.locator(BOT).last
    phone = answer.get_by_role("link", name="拨打电话 021-23170721")
    expect(phone).to_have_attribute("href", "tel:02123170721")
    expect(phone).to_have_text("021-23170721")
    expect(answer.locator(".rate")).to_have_count(1)  # a cited answer can be rated

    suggestions = answer.get_by_role("group", name="您可能还想问").get_by_role("button")
    count = suggestions.count()
    assert 1 <= count <= 3
    question = suggestions.first.inner_text()
    bots = page.locator(BOT).count()
    suggestions.first.click()
    follow_up = wait_answer(page, bots)
    expect(page.locator(".msg.mine[data-id]").last.locator(".bubble")).to_have_text(question)
    assert follow_up.startswith("【上海市5G+医疗健康应用试点】"), follow_up
    assert no_horizontal_scroll(page)
    page.screenshot(path=screenshots / f"chat-suggestions-{size}.png")


def next_form_prompt(page: Page, send) -> Locator:
    """Send something (a click or a text) and return the form's next prompt: a turn may bring a
    notice first (e.g. that the round has closed), the prompt comes last."""
    before = page.locator(BOT).count()
    send()
    expect(page.locator(BOT).nth(before)).to_be_visible(timeout=ANSWER_TIMEOUT)
    prompt = page.locator(BOT).last
    expect(prompt).to_contain_text(FORM_PROMPT, timeout=ANSWER_TIMEOUT)
    return prompt


def test_form_prompts_have_no_thumbs(sized_page: Page, base_url):
    page = sized_page
    open_chat(page, base_url)
    ask(page, "我要填写申报书")
    choice = page.locator(BOT).last.get_by_role("button", name="上海市5G+医疗健康应用试点项目申报书")
    prompt = next_form_prompt(page, choice.click)
    for _ in range(6):  # yes/no questions of the pre-check, up to the first typed answer
        if not prompt.get_by_role("button", name="是").count():
            break
        eligible = "否" if "其他项目" in prompt.inner_text() else "是"  # the answer that keeps the applicant eligible
        prompt = next_form_prompt(page, lambda: send_text(page, eligible))
    expect(prompt.locator(".bubble")).to_contain_text("例：")  # a typed answer: its example stays
    expect(page.locator(BOT).locator(".rate")).to_have_count(0)  # no prompt, with or without buttons, is rated


def send_text(page: Page, text: str) -> None:
    page.locator("#input").fill(text)
    page.locator("#input").press("Enter")


def test_links_end_where_the_address_ends(new_context, size, base_url, web_stack):
    session = f"web-links-{size}"
    engine = create_db_engine(database_url(web_stack))
    now = datetime.now(timezone.utc)
    text = ("请在 https://example.org/signup/shanghai-five-g（依据：通知第五条）完成注册，"
            "或访问 www.example.cn/help。咨询电话：021-23170721；手机13812345678。编号20210119123456不是电话。")
    with sessionmaker(bind=engine).begin() as db:
        db.add(Conversation(session_id=session, created_at=now, updated_at=now))
        db.add(Message(session_id=session, sender="bot", text=text, buttons=[], citations=[], created_at=now))
        db.add(Message(session_id=session, sender="bot", text="贵单位是否具有独立法人资格？\n例：是", citations=[], created_at=now,
                       buttons=[{"title": "是", "payload": "是"}, {"title": "否", "payload": "否"}]))
        db.add(Message(session_id=session, sender="bot", text="联合申报单位共有几家？\n例：3", buttons=[], citations=[], created_at=now))
    engine.dispose()
    page = SizedPage(new_context, size, web_stack, session).page
    open_chat(page, base_url)
    bubble = page.locator(BOT).first.locator(".bubble")
    links = bubble.get_by_role("link")
    expect(links).to_have_count(4)
    expect(links.nth(0)).to_have_attribute("href", "https://example.org/signup/shanghai-five-g")
    expect(links.nth(0)).to_have_text("https://example.org/signup/shanghai-five-g")
    expect(links.nth(1)).to_have_attribute("href", "https://www.example.cn/help")
    expect(links.nth(2)).to_have_attribute("href", "tel:02123170721")
    expect(links.nth(3)).to_have_attribute("href", "tel:13812345678")
    expect(bubble).to_contain_text("（依据：通知第五条）完成注册")
    expect(page.locator(BOT).locator(".rate")).to_have_count(0)  # no answer: nothing to rate
    yes_no = page.locator(BOT).nth(1)
    expect(yes_no.locator(".bubble")).to_have_text("贵单位是否具有独立法人资格？")  # "例：是" is the button
    expect(yes_no.get_by_role("button", name="是")).to_be_visible()
    expect(page.locator(BOT).nth(2).locator(".bubble")).to_have_text("联合申报单位共有几家？\n例：3")


def test_while_waiting_the_assistant_answers_and_a_call_back_number_reaches_staff(sized_page: Page, size, new_context, base_url, web_stack, screenshots):
    nobody_online(web_stack)
    page = sized_page
    open_chat(page, base_url)
    bots = page.locator(BOT).count()
    page.get_by_role("button", name="转人工：请人工客服回答").click()
    notice = wait_answer(page, bots)
    assert "您可以直接在这里留言" in notice and "也可以留下手机号码或电子邮箱" in notice, notice

    answer = ask(page, "国家5G试点材料寄到哪里？")
    assert "北京市海淀区花园北路52号" in answer
    assert "以上为申报助手的自动回答" in answer and "您的留言已保留" in answer
    expect(page.locator(BOT).last.locator("details.cite")).to_be_visible()

    assert ask(page, "我的电话 1381234567").startswith("“1381234567”不是有效的电话号码")
    left = ask(page, "我的电话 13812345678")
    assert left.startswith("已记录您的电话：13812345678，工作人员会在工作时间（"), left
    page.screenshot(path=screenshots / f"chat-waiting-callback-{size}.png")
    if size == "desktop":  # the console is a desktop page
        staff_sees_the_call_back(new_context, base_url, web_stack, session_id(page), screenshots)


def staff_sees_the_call_back(new_context, base_url, web_stack, session: str, screenshots) -> None:
    engine = create_db_engine(database_url(web_stack))
    with sessionmaker(bind=engine)() as db:
        handoff_id = db.query(Handoff.id).filter(Handoff.session_id == session).scalar()
    engine.dispose()
    subprocess.run(
        [str(REPO / ".venv" / "bin" / "python"), "-m", "gateway.helpdesk.staff", "create",
         "--username", "chat-help", "--display-name", "陈老师", "--password-stdin"],
        input=f"{STAFF_PASSWORD}\n", text=True, check=True, cwd=REPO, capture_output=True,
        env={**os.environ, "DATABASE_URL": database_url(web_stack)},
    )
    context, errors = new_context()
    errors.allow("401")  # the console asks who is logged in before the login
    console = context.new_page()
    console.goto(f"{base_url}/console")
    console.locator("#login-username").fill("chat-help")
    console.locator("#login-password").fill(STAFF_PASSWORD)
    console.locator("#login-password").press("Enter")
    expect(console.locator("#desk")).to_be_visible()
    console.locator(f'#waiting .queue-item[data-id="{handoff_id}"]').click()
    transcript = console.locator("#transcript")
    expect(transcript).to_contain_text("已记录您的电话：13812345678", timeout=ANSWER_TIMEOUT)
    expect(transcript).to_contain_text("以上为申报助手的自动回答")
    console.screenshot(path=screenshots / "console-call-back.png")
    context.close()
    nobody_online(web_stack)


def test_faq_search_finds_the_guided_form(sized_page: Page, base_url):
    page = sized_page
    page.goto(base_url + "/faq")
    page.locator("#q").fill("填申报书")
    page.locator("#q").press("Enter")
    first = page.locator("article.item").first
    expect(first.locator("h2")).to_have_text("在线填写申报书")
    link = first.get_by_role("link", name="在对话中开始填写 ›")
    assert unquote(link.get_attribute("href")) == "/?q=我要填写申报书"
    assert no_horizontal_scroll(page)


def test_portal_notices_link_to_their_program_faq(sized_page: Page, base_url):
    page = sized_page
    page.goto(base_url + "/")
    notices = page.locator(".notices").get_by_role("link")
    expect(notices).to_have_count(5)
    notices.filter(has_text="国家5G+医疗健康应用试点项目申报").click()
    expect(page).to_have_url(f"{base_url}/faq?program=nat5g&topic=")
    programs = page.get_by_role("group", name="按项目浏览")
    expect(programs.get_by_role("button", name="国家5G+医疗健康试点申报")).to_have_attribute("aria-pressed", "true")
    tags = page.locator("article.item .tags")
    expect(tags.first).to_be_visible()
    assert all(t.split()[0] == "国家5G+医疗健康试点申报" for t in tags.all_inner_texts())
    assert parse_qs(urlparse(page.url).query, keep_blank_values=True)["program"] == ["nat5g"]
