"""WeChat's copies of one message (it re-sends after 5 s without an answer, twice): one bot turn,
and the answer goes back passively on the copy still waiting — in plain and safe mode, across
gateway processes, without customer-service credentials, and when the de-duplication store fails."""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from persistence.models import Message
from wechat_fakes import OPENID, WeChatServer, text_xml, wait_until
from wechat_requests import answer_of

QUESTION = "材料要交几份，联系人13812345678"
ANSWER = "一式三份，请联系zhangsan@example.com"


@pytest.fixture(params=["plain", "aes"])
def aes(request) -> bool:
    return request.param == "aes"


def stored(client: TestClient) -> list[tuple[str, str]]:
    with client.app.state.store._sessions() as db:
        return [(m.sender, m.text) for m in db.scalars(select(Message).order_by(Message.id))]


def rasa_messages(servers) -> list[str]:
    return [request["message"] for request in servers.webhook_requests]


def errors_without_personal_data(caplog) -> list[str]:
    """The ERROR records of the WeChat connector, checked free of the user's id and texts."""
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR and r.name.startswith("connectors.wechat")]
    for message in errors:
        for private in (OPENID, QUESTION, ANSWER, "13812345678", "zhangsan@example.com"):
            assert private not in message
    return errors


def test_three_copies_at_once_are_one_turn_and_the_waiting_copy_answers_passively(client, servers, standin, aes):
    servers.rasa_delay = 1.2  # all three copies arrive meanwhile, even on a loaded machine (budget 2 s)
    servers.rasa_replies = [{"text": ANSWER}]
    server = WeChatServer(client, aes=aes)
    xml = text_xml(QUESTION)
    with ThreadPoolExecutor(3) as pool:
        responses = list(pool.map(lambda _: server.post(xml), range(3)))
    answers = sorted((answer_of(server, response) or "success") for response in responses)
    assert answers == sorted([ANSWER, "success", "success"])
    assert rasa_messages(servers) == [QUESTION]
    assert stored(client) == [("user", QUESTION), ("bot", ANSWER)]
    time.sleep(0.5)
    assert standin.texts() == []  # not sent a second time through the customer-service API


def test_a_retry_reaching_another_gateway_process_takes_the_answer(new_app, servers, standin, aes):
    servers.rasa_gate = threading.Event()  # the answer is held until the retry has arrived
    servers.rasa_replies = [{"text": ANSWER}]
    xml = text_xml(QUESTION)
    with TestClient(new_app()) as first, TestClient(new_app()) as second, ThreadPoolExecutor(2) as pool:
        first_copy = pool.submit(WeChatServer(first, aes=aes).post, xml)
        wait_until(lambda: servers.rasa_started == 1, 10, "the first copy's bot turn to begin")
        retry = pool.submit(WeChatServer(second, aes=aes).post, xml)
        assert first_copy.result().text == "success"  # the newer copy, in the other process, took over
        servers.rasa_gate.set()
        assert answer_of(WeChatServer(second, aes=aes), retry.result()) == ANSWER
        time.sleep(0.5)
        assert stored(first) == [("user", QUESTION), ("bot", ANSWER)]
    assert rasa_messages(servers) == [QUESTION]
    assert standin.texts() == []


@pytest.fixture
def client_without_api(settings, new_app) -> TestClient:
    """A gateway without customer-service credentials (WECHAT_APP_SECRET empty)."""
    app = new_app()
    app.state.settings = settings.model_copy(update={"wechat_app_secret": ""})
    with TestClient(app) as client:
        assert client.app.state.wechat.api is None
        yield client


def test_without_the_api_a_slow_answer_goes_passively_to_the_retry_still_waiting(client_without_api, servers, standin, aes, caplog):
    client = client_without_api
    client.app.state.wechat.wechat_wait_seconds = 0.5  # WeChat's 5 s, shortened: a copy waits 1.5 s
    servers.rasa_delay = 3.0  # beyond the 2 s reply budget
    servers.rasa_replies = [{"text": ANSWER}]
    server = WeChatServer(client, aes=aes)
    xml = text_xml(QUESTION)
    assert answer_of(server, server.post(xml)) is None  # WeChat stopped waiting for this copy …
    assert answer_of(server, server.post(xml)) == ANSWER  # … and its retry gets the answer when ready
    assert rasa_messages(servers) == [QUESTION]
    assert standin.texts() == []
    assert any("WECHAT_APP_ID" in message for message in errors_without_personal_data(caplog))


def test_without_the_api_an_answer_nobody_waits_for_is_logged_as_an_error(client_without_api, servers, caplog):
    client = client_without_api
    client.app.state.wechat.wechat_wait_seconds = 0.2  # WeChat's retries shortened: all over after 1.8 s
    servers.rasa_delay = 3.0
    servers.rasa_replies = [{"text": ANSWER}]
    assert WeChatServer(client).ask(text_xml(QUESTION)) is None
    metrics = client.app.state.metrics
    wait_until(lambda: metrics.value("gateway_wechat_lost_answers_total") == 1, 10, "the lost answer to be counted")
    errors = errors_without_personal_data(caplog)
    assert any("lost" in message and "WECHAT_APP_ID" in message for message in errors)


def test_a_failing_dedupe_store_does_not_turn_a_retry_into_a_second_bot_turn(client, servers, monkeypatch, aes, caplog):
    server = WeChatServer(client, aes=aes)
    xml = text_xml(QUESTION)
    servers.rasa_replies = [{"text": ANSWER}]
    assert answer_of(server, server.post(xml)) == ANSWER

    def database_down(*_args, **_kwargs):
        raise RuntimeError("database is locked")

    monkeypatch.setattr(client.app.state.wechat.state, "claim", database_down)
    monkeypatch.setattr(client.app.state.store, "save_user_message", database_down)
    response = server.post(xml)  # WeChat's retry (its answer was lost on the way)
    assert response.status_code == 200 and response.text == "success"
    assert rasa_messages(servers) == [QUESTION]
    assert errors_without_personal_data(caplog)


def test_with_the_dedupe_store_failing_a_first_message_is_still_answered_once(client, servers, monkeypatch, aes):
    def broken(*_args, **_kwargs):
        raise RuntimeError("database is locked")

    monkeypatch.setattr(client.app.state.wechat.state, "claim", broken)
    server = WeChatServer(client, aes=aes)
    xml = text_xml(QUESTION)
    servers.rasa_replies = [{"text": ANSWER}]
    assert answer_of(server, server.post(xml)) == ANSWER
    assert answer_of(server, server.post(xml)) is None  # the retry: the messages table knows it
    assert rasa_messages(servers) == [QUESTION]
