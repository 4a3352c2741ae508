"""Steps shared by the browser tests: open the chat, ask, wait for the answer, read the log."""

from __future__ import annotations

import json
import re

import httpx
from playwright.sync_api import FrameLocator, Page, expect

STORED = ".msg[data-id]"
BOT = ".msg.from-bot[data-id]"
USER = ".msg.mine[data-id]"
ANSWER_TIMEOUT = 30_000
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 667}

Scope = Page | FrameLocator


def open_chat(page: Page, base_url: str, query: str = "") -> None:
    page.goto(f"{base_url}/chat{query}")
    wait_connected(page)


def wait_connected(scope: Scope) -> None:
    """The page has said hello and got the server's welcome (title no longer says 连接中)."""
    expect(scope.locator("#conn")).to_have_text("", timeout=ANSWER_TIMEOUT)


def ask(scope: Scope, text: str, *, press_enter: bool = True) -> str:
    """Type a question, send it, wait for a new answer; returns the answer's text."""
    before = scope.locator(BOT).count()
    scope.locator("#input").fill(text)
    if press_enter:
        scope.locator("#input").press("Enter")
    else:
        scope.locator("#send").click()
    return wait_answer(scope, before)


def wait_answer(scope: Scope, bots_before: int) -> str:
    answers = scope.locator(BOT)
    expect(answers).to_have_count(bots_before + 1, timeout=ANSWER_TIMEOUT)
    expect(scope.locator(".typing")).to_have_count(0, timeout=ANSWER_TIMEOUT)
    return answers.nth(bots_before).locator(".bubble").first.inner_text()


def transcript(scope: Scope) -> list[tuple[str, str, str]]:
    """(id, sender, shown text) of every stored message in the log, top to bottom."""
    rows = scope.locator(STORED).evaluate_all(
        """nodes => nodes.map(n => [n.dataset.id, n.classList.contains('mine') ? 'user' : 'bot',
                                    (n.querySelector('.bubble') || {innerText: ''}).innerText])"""
    )
    return [(str(i), s, re.sub(r"\s+", " ", t).strip()) for i, s, t in rows]


def session_id(page: Page) -> str:
    return page.evaluate("() => localStorage.getItem('shenbao.session')")


def session_token(page: Page) -> str | None:
    """The page's secret for its session (POST /api/session), needed to read its history."""
    return page.evaluate("() => localStorage.getItem('shenbao.token')")


def page_owns(context, database_url: str, session_id: str) -> None:
    """Make ``session_id`` (a conversation a test stored) the page's own: its token is stored
    as an issued one would be, and both are put where the page keeps them (localStorage)."""
    from persistence.database import create_db_engine
    from persistence.staff_accounts import token_digest
    from persistence.helpdesk_models import ApplicantToken
    from sqlalchemy.orm import sessionmaker

    token = f"token-of-{session_id}-0123456789"
    engine = create_db_engine(database_url)
    with sessionmaker(bind=engine).begin() as db:
        db.merge(ApplicantToken(session_id=session_id, token_hash=token_digest(token)))
    engine.dispose()
    context.add_init_script(
        f"try {{ localStorage.setItem('shenbao.session', '{session_id}'); localStorage.setItem('shenbao.token', '{token}') }} catch (e) {{}}"
    )


def server_history(base_url: str, session: str, token: str | None = None) -> list[dict]:
    headers = {"X-Session-Token": token} if token else {}
    response = httpx.get(f"{base_url}/api/history", params={"session_id": session}, headers=headers, timeout=10)
    response.raise_for_status()
    return response.json()["messages"]


def no_horizontal_scroll(scope: Page) -> bool:
    return scope.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        " && document.body.scrollWidth <= document.documentElement.clientWidth"
    )


def pretty(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1)
