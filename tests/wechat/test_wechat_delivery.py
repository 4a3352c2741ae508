"""How answers reach the WeChat user: passive replies, the slow path through the stand-in
customer-service API, retries answered once, numbered menus, long answers, events, and pushes
from other features (staff replies) with the access token cached and refreshed."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from fastapi.testclient import TestClient
from sqlalchemy import select

from connectors import outbound
from connectors.wechat import CLICK_QUESTIONS, MAX_TEXT_BYTES, UNKNOWN_MENU_KEY, WELCOME_BUTTONS, menu_range_text
from persistence.models import Message
from gateway.schemas import BotMessage, Button
from wechat_fakes import OPENID, SLOW_RASA_SECONDS, WeChatServer, event_xml, text_xml, wait_until

SESSION = f"wx-{OPENID}"
PROGRAM_BUTTONS = [
    {"title": "上海市5G+医疗健康应用试点", "payload": '/inform_program{"program":"sh5g"}'},
    {"title": "国家5G+医疗健康应用试点", "payload": '/inform_program{"program":"nat5g"}'},
]


def stored(client: TestClient) -> list[tuple[str, str]]:
    with client.app.state.store._sessions() as db:
        return [(m.sender, m.text) for m in db.scalars(select(Message).order_by(Message.id))]


def rasa_messages(servers) -> list[str]:
    return [request["message"] for request in servers.webhook_requests]


# --- retries and de-duplication ------------------------------------------------------------------


def test_the_same_msgid_three_times_is_one_bot_turn_and_one_stored_pair(client, servers, wechat):
    servers.rasa_replies = [{"text": "材料一式三份。"}]
    xml = text_xml("材料要交几份", msg_id=1234567890123456)
    answers = [wechat.ask(xml) for _ in range(3)]
    assert answers == ["材料一式三份。"] * 3  # a retry means WeChat lost the answer: the same one again
    assert rasa_messages(servers) == ["材料要交几份"]
    assert stored(client) == [("user", "材料要交几份"), ("bot", "材料一式三份。")]
    assert client.app.state.metrics.value("gateway_wechat_duplicates_total") == 2


def test_a_retry_while_a_slow_answer_is_on_its_way_returns_it_passively(client, servers, wechat, standin):
    """The first copy's budget runs out (``success``); its retry is still waiting when the answer
    is ready and returns it; a later retry gets the same passive reply; the API is not used."""
    servers.rasa_delay = SLOW_RASA_SECONDS
    servers.rasa_replies = [{"text": "慢回答"}]
    xml = text_xml("材料要交几份")
    assert [wechat.ask(xml) for _ in range(3)] == [None, "慢回答", "慢回答"]
    time.sleep(0.3)
    assert standin.texts() == []
    assert rasa_messages(servers) == ["材料要交几份"]
    assert stored(client) == [("user", "材料要交几份"), ("bot", "慢回答")]


def test_a_retry_during_the_passive_wait_takes_the_answer_over(settings, new_app, servers, standin):
    """WeChat only retries once it stopped listening to the first copy: the retry returns the
    answer passively, the first copy answers ``success``."""
    servers.rasa_gate = threading.Event()  # the answer is held until the retry has arrived
    servers.rasa_replies = [{"text": "回答"}]
    app = new_app()
    app.state.settings = settings.model_copy(update={"wechat_reply_budget_seconds": 2.0})
    with TestClient(app) as client:
        wechat = WeChatServer(client)
        xml = text_xml("几份")
        with ThreadPoolExecutor(2) as pool:
            first = pool.submit(wechat.post, xml)
            wait_until(lambda: servers.rasa_started == 1, 10, "the first copy's bot turn to begin")
            retry = pool.submit(wechat.post, xml)
            assert first.result().text == "success"
            servers.rasa_gate.set()
            assert wechat.reply(retry.result())["Content"] == "回答"
        time.sleep(0.3)
        assert standin.texts() == []
        assert rasa_messages(servers) == ["几份"]
        assert stored(client) == [("user", "几份"), ("bot", "回答")]


def test_dedupe_survives_a_restart(new_app, servers):
    servers.rasa_replies = [{"text": "第一次回答"}]
    xml = text_xml("截止时间", msg_id=987654321)
    with TestClient(new_app()) as client:
        assert WeChatServer(client).ask(xml) == "第一次回答"
    servers.rasa_replies = [{"text": "不应出现"}]
    with TestClient(new_app()) as client:
        assert WeChatServer(client).ask(xml) == "第一次回答"
        assert stored(client) == [("user", "截止时间"), ("bot", "第一次回答")]
    assert rasa_messages(servers) == ["截止时间"]


def test_events_are_deduplicated_by_sender_and_create_time(client, servers, wechat):
    click = event_xml("CLICK", "ASK_CONTACT", create_time=1_700_000_123)
    servers.rasa_replies = [{"text": "联系电话：021-00000000"}]
    assert wechat.ask(click) == "联系电话：021-00000000"
    assert wechat.ask(click) == "联系电话：021-00000000"
    assert wechat.ask(event_xml("CLICK", "ASK_CONTACT", create_time=1_700_000_124)) == "联系电话：021-00000000"
    assert rasa_messages(servers) == [CLICK_QUESTIONS["ASK_CONTACT"]] * 2


# --- the slow path -----------------------------------------------------------------------------


def test_slow_answer_is_success_at_once_then_a_customer_service_message(client, servers, wechat, standin):
    servers.rasa_delay = SLOW_RASA_SECONDS
    servers.rasa_replies = [{"text": "已于2021年1月19日17:00截止。", "buttons": PROGRAM_BUTTONS}]
    started = time.monotonic()
    response = wechat.post(text_xml("什么时候截止"))
    assert response.text == "success"
    assert time.monotonic() - started < SLOW_RASA_SECONDS - 0.5  # the reply budget, not Rasa's delay
    texts = standin.wait_for_texts(1)
    assert texts == ["已于2021年1月19日17:00截止。\n回复1 上海市5G+医疗健康应用试点\n回复2 国家5G+医疗健康应用试点"]
    assert [m["msgtype"] for m in standin.sent] == ["text"] and standin.sent[0]["touser"] == OPENID
    assert len(standin.token_requests) == 1
    assert client.app.state.metrics.value("gateway_wechat_slow_answers_total") == 1
    # the menu of a pushed answer works like any other
    servers.rasa_delay = 0
    servers.rasa_replies = [{"text": "上海的答案"}]
    assert wechat.ask(text_xml("2")) == "上海的答案"
    assert rasa_messages(servers)[-1] == PROGRAM_BUTTONS[1]["payload"]


def test_long_answer_is_split_passive_first_part_then_the_rest_through_the_api(client, servers, wechat, standin):
    paragraph = "申报单位应当按要求提交纸质材料和电子材料。" * 30  # 1890 bytes
    servers.rasa_replies = [{"text": "\n".join([paragraph] * 3)}]
    first = wechat.ask(text_xml("材料怎么交"))
    assert first == paragraph
    rest = standin.wait_for_texts(2)
    assert rest == [paragraph, paragraph]
    assert all(len(t.encode("utf-8")) <= MAX_TEXT_BYTES for t in [first, *rest])


# --- numbered menus ------------------------------------------------------------------------------


def test_buttons_become_a_numbered_menu_and_a_number_selects_a_button(client, servers, wechat):
    servers.rasa_replies = [{"text": "请问您咨询哪个项目？", "buttons": PROGRAM_BUTTONS}]
    assert wechat.ask(text_xml("联系电话是多少")) == (
        "请问您咨询哪个项目？\n回复1 上海市5G+医疗健康应用试点\n回复2 国家5G+医疗健康应用试点"
    )
    servers.rasa_replies = [{"text": "联系电话：021-00000000"}]
    assert wechat.ask(text_xml("１")) == "联系电话：021-00000000"
    assert rasa_messages(servers) == ["联系电话是多少", PROGRAM_BUTTONS[0]["payload"]]
    with client.app.state.store._sessions() as db:
        chosen = db.scalars(select(Message).where(Message.sender == "user").order_by(Message.id.desc())).first()
    assert (chosen.text, chosen.title) == (PROGRAM_BUTTONS[0]["payload"], PROGRAM_BUTTONS[0]["title"])
    # the answer had no buttons: the menu is gone and "1" is an ordinary message again
    assert wechat.ask(text_xml("1")) == "联系电话：021-00000000"
    assert rasa_messages(servers)[-1] == "1"


def test_a_number_outside_the_menu_gets_a_hint_and_keeps_the_menu(client, servers, wechat):
    servers.rasa_replies = [{"text": "请选择：", "buttons": PROGRAM_BUTTONS}]
    wechat.ask(text_xml("有哪些项目"))
    assert wechat.ask(text_xml("5")) == menu_range_text(2)
    assert wechat.ask(text_xml("2")) == "请选择：\n回复1 上海市5G+医疗健康应用试点\n回复2 国家5G+医疗健康应用试点"
    assert rasa_messages(servers) == ["有哪些项目", PROGRAM_BUTTONS[1]["payload"]]


def test_the_menu_is_remembered_per_user_across_a_restart(new_app, servers):
    servers.rasa_replies = [{"text": "请选择：", "buttons": PROGRAM_BUTTONS}]
    with TestClient(new_app()) as client:
        WeChatServer(client).ask(text_xml("有哪些项目"))
    with TestClient(new_app()) as client:
        WeChatServer(client).ask(text_xml("2"))
        other_user = WeChatServer(client).ask(text_xml("2", openid="oOther_0123456789abcdefghijk"))
    assert rasa_messages(servers) == ["有哪些项目", PROGRAM_BUTTONS[1]["payload"], "2"]
    assert other_user == "请选择：\n回复1 上海市5G+医疗健康应用试点\n回复2 国家5G+医疗健康应用试点"


# --- events ------------------------------------------------------------------------------------


def test_subscribe_gets_a_welcome_with_sample_questions_as_a_menu(client, servers, wechat):
    welcome = wechat.ask(event_xml("subscribe"))
    assert "欢迎关注" in welcome and "转人工" in welcome
    assert f"回复1 {WELCOME_BUTTONS[0].title}" in welcome
    assert servers.webhook_requests == []
    servers.rasa_replies = [{"text": "答案"}]
    assert wechat.ask(text_xml("1")) == "答案"
    assert rasa_messages(servers) == [WELCOME_BUTTONS[0].payload]


def test_menu_clicks_ask_their_question_and_unknown_keys_get_a_note(client, servers, wechat):
    servers.rasa_replies = [{"text": "请问您咨询哪个项目？"}]
    assert wechat.ask(event_xml("CLICK", "ASK_DEADLINE")) == "请问您咨询哪个项目？"
    assert rasa_messages(servers) == ["申报截止时间是什么时候"]
    assert wechat.ask(event_xml("CLICK", "NO_SUCH_KEY")) == UNKNOWN_MENU_KEY
    assert rasa_messages(servers) == ["申报截止时间是什么时候"]


def test_events_with_nothing_to_say_get_success(client, servers, wechat):
    for event in ("unsubscribe", "VIEW", "LOCATION", "TEMPLATESENDJOBFINISH", "some_future_event"):
        assert wechat.ask(event_xml(event, "https://example.com")) is None
    assert servers.webhook_requests == []


# --- pushes from other features (handoff) -----------------------------------------------------


def deliver(client: TestClient, session_id: str, messages: list[BotMessage]) -> bool:
    return client.portal.call(outbound.deliver, "wechat", session_id, messages)


def test_staff_reply_reaches_the_user_through_the_registered_pusher(client, servers, wechat, standin):
    assert "wechat" in outbound.channels()
    staff = BotMessage(text="您好，我是工作人员小王。", buttons=[Button(title="结束人工服务", payload="/end_handoff")])
    assert deliver(client, SESSION, [staff]) is True
    assert standin.texts() == ["您好，我是工作人员小王。\n回复1 结束人工服务"]
    servers.rasa_replies = [{"text": "已结束"}]
    assert wechat.ask(text_xml("1")) == "已结束"
    assert rasa_messages(servers) == ["/end_handoff"]


def test_push_refuses_other_channels_sessions_and_reports_wechat_errors(client, standin):
    assert deliver(client, "web-3f2a9c", [BotMessage(text="x")]) is False
    assert deliver(client, "wx-../../x", [BotMessage(text="x")]) is False
    standin.refuse_with = 45015  # the user has not written for 48 hours
    assert deliver(client, SESSION, [BotMessage(text="提醒")]) is False
    assert client.app.state.metrics.value("gateway_wechat_push_errors_total") == 1
    assert standin.texts() == []


def test_access_token_is_cached_and_fetched_again_when_wechat_refuses_it(client, standin):
    for text in ("第一条", "第二条"):
        assert deliver(client, SESSION, [BotMessage(text=text)]) is True
    assert len(standin.token_requests) == 1
    standin.expire_tokens()  # e.g. another server fetched a new token
    assert deliver(client, SESSION, [BotMessage(text="第三条")]) is True
    assert len(standin.token_requests) == 2
    assert standin.texts() == ["第一条", "第二条", "第三条"]
    assert standin.token_requests[0]["grant_type"] == "client_credential"


def test_push_without_app_credentials_is_false(settings, servers):
    from gateway.app import create_app

    app = create_app(settings.model_copy(update={"wechat_app_secret": ""}), knowledge_loader=lambda: None)
    with TestClient(app) as client:
        assert deliver(client, SESSION, [BotMessage(text="x")]) is False
