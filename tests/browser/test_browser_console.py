"""The helpdesk in two browsers at once, against the real three processes: an applicant in the
web chat and a staff member in the console (/console). Escalate, claim, reply both ways, hand
back to the bot, rate.

The stack of this module has office hours "always", so that the result does not depend on the
time the tests run (a request outside office hours becomes a left message)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from chat_steps import ANSWER_TIMEOUT, BOT, ask, open_chat, wait_answer

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "scripts"))
from stack import Stack, throwaway_stack  # noqa: E402

PASSWORD = "console-test-password"


@pytest.fixture(scope="module")
def helpdesk_stack(tmp_path_factory) -> Iterator[Stack]:
    env = {"ASSISTANT_TODAY": "2026-11-22", "HELPDESK_OFFICE_HOURS": "always"}
    with throwaway_stack(tmp_path_factory.mktemp("helpdesk-stack"), env) as running:
        subprocess.run(
            [str(REPO / ".venv" / "bin" / "python"), "-m", "gateway.helpdesk.staff", "create",
             "--username", "li", "--display-name", "李老师", "--password-stdin"],
            input=f"{PASSWORD}\n", text=True, check=True, cwd=REPO, capture_output=True,
            env={**os.environ, "DATABASE_URL": running.extra_env["DATABASE_URL"]},
        )
        yield running


def log_in(console: Page, url: str) -> None:
    console.goto(f"{url}/console")
    expect(console.locator("#login")).to_be_visible()
    console.locator("#login-username").fill("li")
    console.locator("#login-password").fill("wrong password")
    console.locator("#login-submit").click()
    expect(console.locator("#login-error")).to_have_text("用户名或密码错误")
    console.locator("#login-password").fill(PASSWORD)
    console.locator("#login-password").press("Enter")
    expect(console.locator("#desk")).to_be_visible()
    expect(console.locator("#me-name")).to_have_text("李老师")


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
    expect(chat.locator(BOT)).to_have_count(bots + 2, timeout=ANSWER_TIMEOUT)
    expect(chat.locator(BOT).nth(bots)).to_contain_text("交回申报助手")
    chat.get_by_role("button", name="5分").click()
    expect(chat.locator(BOT).last).to_contain_text("感谢您的评价（5分）", timeout=ANSWER_TIMEOUT)

    expect(console.locator("#recent .queue-item").first).to_contain_text("评分5分", timeout=ANSWER_TIMEOUT)
    assert "一式" in ask(chat, "上海5G试点申报材料要交几份？")  # the bot answers again
