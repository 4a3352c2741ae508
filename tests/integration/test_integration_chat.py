"""Questions through POST /api/chat with the real Rasa server, action server and gateway."""
from __future__ import annotations

import sqlite3
import uuid

import httpx
import pytest

pytestmark = pytest.mark.integration


# a test's name for a conversation -> (the id the server made, its token)
_conversations: dict[str, tuple[str, str]] = {}


def ask(stack, text: str, session: str | None = None) -> dict:
    """Ask as an API client: the first message starts a conversation, later ones send its token."""
    if session in _conversations:
        session_id, token = _conversations[session]
        response = httpx.post(f"{stack.url}/api/chat", json={"session_id": session_id, "text": text},
                              headers={"X-Session-Token": token}, timeout=60)
    else:
        response = httpx.post(f"{stack.url}/api/chat", json={"text": text}, timeout=60)
    assert response.status_code == 200, response.text
    body = response.json()
    if session is not None and session not in _conversations:
        _conversations[session] = (body["session_id"], body["session_token"])
    return body


def joined(body: dict) -> str:
    return "\n".join(m["text"] + " ".join(b["title"] for b in m["buttons"]) for m in body["messages"])


def test_health_is_green(stack):
    response = httpx.get(f"{stack.url}/healthz", timeout=5)
    assert response.status_code == 200
    assert response.json()["rasa"] == "ok" and response.json()["actions"] == "ok"


def test_deadline_answer_is_cited_and_time_aware(stack):
    body = ask(stack, "上海5G医疗试点的纸质材料最晚什么时候交？")
    text = joined(body)
    assert "1月19日" in text and "已于" in text and "截止" in text
    citations = [c for m in body["messages"] for c in m["citations"]]
    assert citations and citations[0]["doc"] == "000_a6bc89e5a162244b"
    assert "2021年1月15日" in citations[0]["quote"]


@pytest.mark.parametrize(
    ("question", "fact"),
    [
        ("国家5G医疗试点纸质材料要几份", "一式三份"),
        ("智慧医疗专项的负责人年龄有限制吗", "50"),
        ("5G试点验收资料在哪个网址上传", "signup/five_g"),
        ("年度总结报告什么时候之前要交", "2022年9月30日"),
        ("国家那个5G试点有远程查房方向吗", "没有"),
    ],
)
def test_answers_from_each_notice(stack, question, fact):
    assert fact in joined(ask(stack, question))


def test_question_without_program_asks_which_with_buttons_then_answers(stack):
    session = uuid.uuid4().hex
    first = ask(stack, "联系电话是多少", session)
    buttons = [b for m in first["messages"] for b in m["buttons"]]
    assert len(buttons) == 5 and any("智慧医疗" in b["title"] for b in buttons)
    smart = next(b for b in buttons if "智慧医疗" in b["title"])
    second = ask(stack, smart["payload"], session)
    assert "33262072" in joined(second)


def test_program_in_focus_is_carried_to_the_next_turn(stack):
    session = uuid.uuid4().hex
    assert "六份" in joined(ask(stack, "上海5G医疗试点材料要几份", session))
    assert "三份" in joined(ask(stack, "那国家的呢", session))


def test_out_of_scope_is_declined_with_contacts_and_a_person(stack):
    body = ask(stack, "帮我订一张明天去北京的机票")
    text = joined(body)
    assert "抱歉" in text and "转人工" in text and "021-" in text


def test_bad_input_gets_a_chinese_4xx(stack):
    empty = httpx.post(f"{stack.url}/api/chat", json={"session_id": "x1", "text": "   "}, timeout=10)
    assert empty.status_code == 422 and "不能为空" in empty.json()["detail"]
    huge = httpx.post(f"{stack.url}/api/chat", json={"session_id": "x1", "text": "长" * 2001}, timeout=10)
    assert huge.status_code in (413, 422) and "2000" in huge.json()["detail"]
    broken = httpx.post(f"{stack.url}/api/chat", content=b"{not json", headers={"content-type": "application/json"}, timeout=10)
    assert broken.status_code == 400 and "JSON" in broken.json()["detail"]


def test_every_message_is_stored(stack, db_path):
    session = uuid.uuid4().hex
    session_id = ask(stack, "智慧医疗专项书面材料交几份", session)["session_id"]
    with sqlite3.connect(db_path) as db:
        rows = db.execute("select sender, text from messages where session_id = ? order by id", (session_id,)).fetchall()
    assert rows[0] == ("user", "智慧医疗专项书面材料交几份")
    assert rows[1][0] == "bot" and "五份" in rows[1][1]


def test_faq_search_returns_cited_answers(stack):
    response = httpx.get(f"{stack.url}/api/faq/search", params={"q": "材料寄到哪里", "program": "nat5g"}, timeout=10)
    assert response.status_code == 200
    results = response.json()["results"]
    assert results and "花园北路52号" in results[0]["answer"] and results[0]["citations"]


def test_rasa_down_gives_a_polite_busy_reply_and_health_names_it(stack):
    stack.stop(["rasa"])
    try:
        body = ask(stack, "上海5G试点材料几份")
        health = httpx.get(f"{stack.url}/healthz", timeout=10)
    finally:
        stack.restart(["rasa"])
        stack.wait_healthy()
    assert "繁忙" in joined(body)
    assert health.status_code == 503 and health.json()["rasa"] == "down"


def test_the_conversation_survives_a_rasa_restart(stack):
    """Rasa's tracker store answers from memory but writes every turn to its database first."""
    session = uuid.uuid4().hex
    first = ask(stack, "上海5G试点纸质材料要交几份", session)
    assert "一式六份" in joined(first)
    stack.stop(["rasa"])
    stack.restart(["rasa"])
    stack.wait_healthy()
    assert "一式三份" in joined(ask(stack, "那国家的呢", session))
    with sqlite3.connect(stack.extra_env["RASA_TRACKER_DB"]) as db:
        stored = db.execute("SELECT count(*) FROM events WHERE sender_id = ?", (first["session_id"],)).fetchone()[0]
    assert stored >= 6  # both turns on disk: session start, user, action, bot, listen …


def test_rasa_tracker_keeps_no_personal_data_in_clear(stack):
    """The transcript is the gateway's; Rasa's tracker store keeps intents, not phones or e-mails."""
    body = ask(stack, "我的手机13812345678，邮箱zhang.san@example.com，上海5G试点材料交几份？")
    with sqlite3.connect(stack.extra_env["RASA_TRACKER_DB"]) as db:
        stored = [row[0] for row in db.execute("select data from events where sender_id = ?", (body["session_id"],))]
    assert any('"user"' in data for data in stored)  # the turn is there ...
    joined_events = "\n".join(stored)
    assert "13812345678" not in joined_events and "zhang.san@example.com" not in joined_events  # ... masked


def test_a_situation_said_first_decides_the_follow_up_through_the_real_stack(stack):
    """Rasa carries what the applicant said about themselves (slot situation) to the next turn."""
    session = uuid.uuid4().hex
    ask(stack, "我们是宁波注册的一家软件公司，在了解上海5G医疗试点", session)
    follow_up = joined(ask(stack, "那我们能当牵头单位吗", session))
    assert "不可以" in follow_up and "上海市依法设立" in follow_up
    on_time = joined(ask(stack, "国家5G试点我们1月22日晚上七点送的材料，还收吗"))
    assert "不能" in on_time and "9:00-17:00" in on_time


def test_a_typed_greeting_offers_what_the_assistant_can_do(stack):
    session = uuid.uuid4().hex
    greeting = ask(stack, "你好", session)
    titles = [b["title"] for m in greeting["messages"] for b in m["buttons"]]
    assert titles == ["资格预审", "填写申报书", "转人工"], titles
    precheck = next(b for m in greeting["messages"] for b in m["buttons"] if b["title"] == "资格预审")
    assert "预审" in joined(ask(stack, precheck["payload"], session))


def test_a_multi_turn_project_state_gets_what_to_do(stack):
    session = uuid.uuid4().hex
    ask(stack, "我们5G试点项目的建设任务没能按期完成", session)
    reply = joined(ask(stack, "那现在该怎么办", session))
    assert "延期或终止申请" in reply and "2024年1月10日" in reply


def test_what_was_said_over_several_turns_decides_a_bare_yes_no_question(stack):
    """Statements about the applicant's plans, then "这样行吗": judged on what was said, through
    Rasa's NLU, the action server and the gateway (slot situation, one statement a line)."""
    session = uuid.uuid4().hex
    ask(stack, "我是智慧医疗专项项目的负责人", session)
    ask(stack, "下半年单位安排我出国访学", session)
    volunteered = joined(ask(stack, "前后大概十个月", session))  # completes the plan: judged unasked
    assert "按您所说，不可以" in volunteered and "6个月" in volunteered
    reply = joined(ask(stack, "这样行吗", session))
    assert "不可以" in reply and "6个月" in reply


def test_a_partner_elsewhere_is_told_the_notice_does_not_say_through_the_real_stack(stack):
    reply = joined(ask(stack, "我们是嘉兴注册的公司，想作为联合单位参加上海5G试点的申报，可以吗"))
    assert "需进一步确认" in reply and "通知未明确" in reply
