"""The helpdesk in two browsers at once, against the real three processes: an applicant in the
web chat and a staff member in the console (/console). Escalate, claim, reply both ways, hand
back to the bot (confirmed, with a resolution), rate; triage on a busy day (titles, contact
flag, filters, search, canned replies, new-handoff alerts, confirmation) at desktop and 375 px;
an admin changes a round's deadline in the console and the bot answers with it, then reverts.

The stack of this module has office hours "always", so that the result does not depend on the
time the tests run (a request outside office hours becomes a left message)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from chat_steps import ANSWER_TIMEOUT, BOT, ask, no_horizontal_scroll, open_chat, wait_answer

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "scripts"))
from stack import Stack, throwaway_stack  # noqa: E402

PASSWORD = "console-test-password"


@pytest.fixture(scope="module")
def helpdesk_stack(tmp_path_factory) -> Iterator[Stack]:
    env = {"ASSISTANT_TODAY": "2026-11-22", "HELPDESK_OFFICE_HOURS": "always"}
    with throwaway_stack(tmp_path_factory.mktemp("helpdesk-stack"), env) as running:
        for username, name, role in (("li", "李老师", []), ("wang", "王老师", ["--admin"]), ("zhao", "赵老师", [])):
            subprocess.run(
                [str(REPO / ".venv" / "bin" / "python"), "-m", "gateway.helpdesk.staff", "create",
                 "--username", username, "--display-name", name, "--password-stdin", *role],
                input=f"{PASSWORD}\n", text=True, check=True, cwd=REPO, capture_output=True,
                env={**os.environ, "DATABASE_URL": running.extra_env["DATABASE_URL"]},
            )
        yield running


def log_in(console: Page, url: str, username: str = "li", name: str = "李老师", wrong_first: bool = True) -> None:
    console.goto(f"{url}/console")
    expect(console.locator("#login")).to_be_visible()
    console.locator("#login-username").fill(username)
    if wrong_first:
        console.locator("#login-password").fill("wrong password")
        console.locator("#login-submit").click()
        expect(console.locator("#login-error")).to_have_text("用户名或密码错误")
    console.locator("#login-password").fill(PASSWORD)
    console.locator("#login-password").press("Enter")
    expect(console.locator("#desk")).to_be_visible()
    expect(console.locator("#me-name")).to_have_text(name)


def confirm(console: Page, resolution: str = "") -> None:
    dialog = console.locator("#confirm-dialog")
    expect(dialog).to_be_visible()
    console.locator("#confirm-resolution").fill(resolution)
    console.locator("#confirm-ok").click()
    expect(dialog).to_be_hidden()


def test_escalate_claim_reply_both_ways_hand_back_and_rate(new_context, helpdesk_stack, screenshots):
    url = helpdesk_stack.url
    staff_context, staff_errors = new_context()
    staff_errors.allow("401")  # the console asks who is logged in before the login, and a wrong password
    console = staff_context.new_page()
    log_in(console, url)

    applicant_context, _ = new_context()
    chat = applicant_context.new_page()
    open_chat(chat, url)
    assert "一式" in ask(chat, "上海5G试点申报材料要交几份？")

    bots = chat.locator(BOT).count()
    chat.get_by_role("button", name="转人工：请人工客服回答").click()
    assert "已为您转接人工客服，当前排队第1位" in wait_answer(chat, bots)

    item = console.locator("#waiting .queue-item")
    expect(item).to_have_count(1, timeout=ANSWER_TIMEOUT)  # live: the console socket announced it
    expect(item).to_contain_text("上海5G试点申报材料要交几份？")
    expect(item).to_contain_text("申请人要求人工服务")
    item.click()
    transcript = console.locator("#transcript")
    expect(transcript.locator(".msg.from-bot").first).to_contain_text("一式")
    expect(transcript.locator(".msg.from-bot details").first).to_contain_text("依据")
    expect(console.locator(".suggestion").first).to_be_visible(timeout=ANSWER_TIMEOUT)
    console.locator("#claim").click()

    bots = chat.locator(BOT).count()
    assert wait_answer(chat, bots).startswith("工作人员李老师已接入")

    chat.locator("#input").fill("材料可以邮寄吗？")
    chat.locator("#input").press("Enter")
    expect(transcript.locator(".msg.from-user").last).to_contain_text("材料可以邮寄吗？", timeout=ANSWER_TIMEOUT)
    chat.wait_for_timeout(1500)
    assert chat.locator(BOT).count() == bots + 1  # the bot stayed silent

    console.locator("#reply-input").fill("可以邮寄，请注明申报单位。")
    console.locator("#reply-input").press("Enter")
    staff_bubble = chat.locator(".msg.from-staff[data-id]")
    expect(staff_bubble).to_have_count(1, timeout=ANSWER_TIMEOUT)
    expect(staff_bubble.locator(".bubble")).to_have_text("可以邮寄，请注明申报单位。")
    expect(staff_bubble.locator(".name")).to_have_text("人工客服")
    chat.screenshot(path=str(screenshots / "helpdesk-applicant.png"))
    console.screenshot(path=str(screenshots / "helpdesk-console.png"))

    bots = chat.locator(BOT).count()
    console.locator("#hand-back").click()
    confirm(console, "已说明可以邮寄")
    expect(chat.locator(BOT)).to_have_count(bots + 2, timeout=ANSWER_TIMEOUT)
    expect(chat.locator(BOT).nth(bots)).to_contain_text("交回申报助手")
    chat.get_by_role("button", name="5分").click()
    expect(chat.locator(BOT).last).to_contain_text("感谢您的评价（5分）", timeout=ANSWER_TIMEOUT)

    expect(console.locator("#recent .queue-item").first).to_contain_text("评分5分", timeout=ANSWER_TIMEOUT)
    expect(console.locator("#recent .queue-item").first).to_contain_text("已说明可以邮寄")
    assert "一式" in ask(chat, "上海5G试点申报材料要交几份？")  # the bot answers again


DEADLINE_QUESTION = "上海5G试点纸质材料最晚哪天送到？"
# The page's Notification, recorded: the test sees what the console would show on the desktop.
RECORDED_NOTIFICATIONS = """
window.__notifications = [];
window.Notification = class {
  constructor(title, options) { window.__notifications.push({ title, body: (options || {}).body || "" }); }
  addEventListener() {}
  static get permission() { return "granted"; }
  static requestPermission() { return Promise.resolve("granted"); }
};
"""


def test_round_deadline_changed_by_an_admin_is_answered_at_once_and_reverted(new_context, helpdesk_stack, screenshots):
    url = helpdesk_stack.url
    applicant, _ = new_context()
    chat = applicant.new_page()
    open_chat(chat, url)
    assert "2021年1月19日" in ask(chat, DEADLINE_QUESTION)

    staff_context, staff_errors = new_context()
    staff_errors.allow("401")
    console = staff_context.new_page()
    log_in(console, url, "wang", "王老师", wrong_first=False)
    console.locator("#rounds-open").click()
    console.locator("#rounds-program").select_option("sh5g")
    row = console.locator('tr[data-item="sh5g.deadline.central"][data-field="end"]')
    expect(row).to_contain_text("通知原文")
    row.get_by_role("button", name="修改").click()
    expect(console.locator("#rounds-notice-value")).to_contain_text("2021-01-19T17:00")
    console.locator("#rounds-value").fill("2027-03-31T17:00")
    console.locator("#rounds-save").click()
    expect(console.locator("#rounds-error")).to_contain_text("修改原因")  # a reason is required
    console.locator("#rounds-reason").fill("2027年度申报通知")
    console.locator("#rounds-save").click()
    expect(row).to_contain_text("工作人员更新（王老师")
    change = console.locator("#rounds-history .change").first
    expect(change.locator("del")).to_have_text("2021-01-19T17:00")
    expect(change.locator("ins")).to_have_text("2027-03-31T17:00")
    expect(change).to_contain_text("2027年度申报通知")
    console.screenshot(path=str(screenshots / "console-rounds.png"))

    answer = ask(chat, DEADLINE_QUESTION)  # the action server, another process, reads the change at once
    assert "2027年3月31日" in answer and "2021年1月19日" not in answer
    citations = chat.locator(BOT).last.locator("details")
    expect(citations).to_contain_text("工作人员更新（")

    change.get_by_role("button", name="撤销").click()
    expect(row).to_contain_text("通知原文")
    expect(console.locator("#rounds-history .change")).to_have_count(2)
    assert "2021年1月19日" in ask(chat, DEADLINE_QUESTION)


def test_triage_on_a_busy_day_at_desktop_and_phone_width(new_context, helpdesk_stack, screenshots):
    url = helpdesk_stack.url
    staff_context, staff_errors = new_context()
    staff_errors.allow("401")
    staff_context.add_init_script(RECORDED_NOTIFICATIONS)
    console = staff_context.new_page()
    log_in(console, url, "zhao", "赵老师", wrong_first=False)

    applicant, _ = new_context()
    chat = applicant.new_page()
    open_chat(chat, url)
    for text in ("您好，我的电话是13812345678", "上海5G试点申报书可以手写吗？"):
        bots = chat.locator(BOT).count()
        chat.locator("#input").fill(text)
        chat.locator("#input").press("Enter")
        chat.locator(BOT).nth(bots).wait_for(timeout=ANSWER_TIMEOUT)  # however many messages the bot replies with
    chat.get_by_role("button", name="转人工：请人工客服回答").last.click()

    item = console.locator("#waiting .queue-item").filter(has_text="申报书可以手写吗")
    expect(item).to_have_count(1, timeout=ANSWER_TIMEOUT)  # titled by the question, not by 转人工
    expect(item).to_contain_text("留了联系方式")
    expect(item).to_contain_text("网页")
    expect(item).to_contain_text("等待")
    expect(console).to_have_title(re.compile(r"^\(\d+\) 人工客服控制台"))
    notes = console.evaluate("window.__notifications")
    assert any("申报书可以手写吗" in n["body"] for n in notes), notes

    console.locator('.filter[data-filter="closed"]').click()
    expect(console.locator("#waiting")).to_be_hidden()
    console.locator('.filter[data-filter="waiting"]').click()
    expect(item).to_be_visible()

    console.locator("#search summary").click()
    console.locator("#search-text").fill("手写")
    console.locator("#search-status").select_option("waiting")
    console.locator("#search-submit").click()
    expect(console.locator("#search-results .queue-item")).to_have_count(1)
    expect(console.locator("#search-results .queue-item")).to_contain_text("申报书可以手写吗")
    console.locator("#search summary").click()

    item.click()
    console.locator("#claim").click()
    expect(console.locator("#reply-input")).to_be_enabled()
    console.locator("#canned-new").click()
    console.locator("#canned-name").fill("须打印")
    console.locator("#canned-text").fill("申报书须打印后盖章，不接受手写。")
    console.locator("#canned-programs").get_by_label("上海5G+医疗健康试点申报").check()
    console.locator("#canned-save").click()
    canned = console.locator(".canned-item").filter(has_text="须打印")
    expect(canned).to_contain_text("上海5G+医疗健康试点申报")
    console.locator("#reply-input").fill("您好，")
    canned.get_by_role("button", name="插入常用回复：须打印").click()
    expect(console.locator("#reply-input")).to_have_value("您好，申报书须打印后盖章，不接受手写。")
    console.locator("#reply-send").click()
    expect(chat.locator(".msg.from-staff[data-id] .bubble").last).to_have_text(
        "您好，申报书须打印后盖章，不接受手写。", timeout=ANSWER_TIMEOUT)
    console.screenshot(path=str(screenshots / "console-triage.png"))

    console.locator("#close").click()
    console.locator("#confirm-cancel").click()  # changed their mind: nothing happens
    expect(console.locator("#conv-title")).to_contain_text("处理中")

    phone, phone_errors = new_context(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    phone_errors.allow("401")
    small = phone.new_page()
    log_in(small, url, "zhao", "赵老师", wrong_first=False)
    assert no_horizontal_scroll(small)
    mine = small.locator("#active .queue-item").filter(has_text="申报书可以手写吗")
    small.locator('.filter[data-filter="mine"]').click()
    mine.click()
    expect(small.locator("#reply-input")).to_be_enabled()
    small.locator(".canned-item").filter(has_text="须打印").get_by_role("button", name="插入常用回复：须打印").click()
    expect(small.locator("#reply-input")).to_have_value("申报书须打印后盖章，不接受手写。")
    assert no_horizontal_scroll(small)
    small.screenshot(path=str(screenshots / "console-375.png"), full_page=True)
    small.locator("#close").click()
    confirm(small, "已答复须打印")
    expect(small.locator("#recent .queue-item").first).to_contain_text("已答复须打印", timeout=ANSWER_TIMEOUT)
    small.locator("#rounds-open").click()
    box = small.locator("#rounds-dialog").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375
