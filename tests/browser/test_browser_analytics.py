"""The curation loop in two browsers against the real three processes: an applicant rates an
answer 👎 and says why; a staff member finds the question on the analytics page (clustered, with
the reason), reads the conversation, turns it into an FAQ entry with one click; the bot answers the
question with it at once."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from playwright.sync_api import expect

from chat_steps import ANSWER_TIMEOUT, BOT, ask, open_chat

REPO = Path(__file__).resolve().parents[2]

PASSWORD = "analytics-test-password"
DOWNVOTED = "上海5G试点申报材料要交几份？"
NOT_IN_NOTICES = "上海5G试点申报要交报名费吗"
STAFF_ANSWER = "纸质申报材料一式五份，须胶装成册（工作人员补充）。"


def create_staff(database_url: str) -> None:
    subprocess.run(
        [str(REPO / ".venv" / "bin" / "python"), "-m", "gateway.helpdesk.staff", "create",
         "--username", "zhao", "--display-name", "赵老师", "--password-stdin"],
        input=f"{PASSWORD}\n", text=True, check=True, cwd=REPO, capture_output=True,
        env={**os.environ, "DATABASE_URL": database_url},
    )


def test_downvote_reason_to_cluster_to_faq_to_answer(new_context, web_stack, screenshots):
    url = web_stack.url
    create_staff(web_stack.extra_env["DATABASE_URL"])

    applicant, _ = new_context()
    chat = applicant.new_page()
    open_chat(chat, url)
    assert "通知中没有" in ask(chat, NOT_IN_NOTICES)
    assert "一式" in ask(chat, DOWNVOTED)
    answer = chat.locator(BOT).last
    answer.get_by_role("button", name="没帮助").click()
    why = answer.locator("form.why")
    expect(why).to_be_visible()
    why.get_by_role("button", name="不够详细").click()
    why.get_by_label("补充说明（可选）").fill("想知道要不要胶装")
    why.get_by_role("button", name="提交").click()
    expect(why).to_have_count(0)  # sent: the picker closes

    staff, staff_errors = new_context()
    staff_errors.allow("401")  # the page asks who is logged in before the login
    page = staff.new_page()
    page.goto(f"{url}/console/analytics")
    expect(page.locator("#login-needed")).to_be_visible()
    page.goto(f"{url}/console")
    page.locator("#login-username").fill("zhao")
    page.locator("#login-password").fill(PASSWORD)
    page.locator("#login-password").press("Enter")
    page.locator("#analytics-link").click()
    page.locator("#days").select_option("1")

    expect(page.locator('#totals [data-key="downvoted"] dd')).to_have_text("1")
    missed = page.locator("#unanswered .cluster").filter(has_text=NOT_IN_NOTICES)
    expect(missed).to_contain_text("通知未说明 1")
    cluster = page.locator("#downvoted .cluster").filter(has_text=DOWNVOTED)
    expect(cluster).to_contain_text("不够详细 1")
    expect(cluster).to_contain_text("想知道要不要胶装")
    assert page.locator("#chart svg rect.asked").count() >= 2  # the per-day chart is drawn

    cluster.locator(".open-conversation").first.click()
    expect(page.locator("#transcript .focus")).to_contain_text("没帮助”：不够详细：想知道要不要胶装")
    page.locator("#transcript-close").click()

    cluster.get_by_role("button", name="加入常见问题").click()
    expect(page.locator("#faq-questions")).to_have_value(DOWNVOTED)
    expect(page.locator("#faq-program")).to_have_value("sh5g")
    page.locator("#faq-answer").fill(STAFF_ANSWER)
    page.locator("#faq-save").click()
    expect(page.locator("#downvoted .cluster").filter(has_text=DOWNVOTED)).to_contain_text(f"已有常见问题：{DOWNVOTED}")
    page.screenshot(path=str(screenshots / "analytics.png"), full_page=True)

    chat.locator("#input").fill(DOWNVOTED)
    chat.locator("#input").press("Enter")
    expect(chat.locator(BOT).filter(has_text=STAFF_ANSWER)).to_have_count(1, timeout=ANSWER_TIMEOUT)
