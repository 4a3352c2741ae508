"""Only WeChat's fresh requests are accepted: a timestamp outside ±WECHAT_TIMESTAMP_WINDOW_SECONDS
of the gateway's clock (or not a number) is 403, and a signed (timestamp, nonce, signature) seen
before is accepted again only as WeChat's retry of the same message — in plain and safe mode,
across gateway processes."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from persistence.wechat import WeChatRequest, aware
from gateway.app import create_app
from persistence.models import Message
from gateway.routers.wechat import REPLAYED_REQUEST, STALE_REQUEST
from gateway.settings import Settings
from wechat_fakes import OPENID, WeChatServer, event_xml, text_xml
from wechat_requests import answer_of, now, post_with, signed_query

OTHER_OPENID = "oAttacker_123456789abcdefghi"
DAY = 86_400


@pytest.fixture(params=["plain", "aes"])
def server(request, client: TestClient) -> WeChatServer:
    return WeChatServer(client, aes=request.param == "aes")


def stored_texts(client: TestClient) -> list[tuple[str, str]]:
    with client.app.state.store._sessions() as db:
        return [(m.session_id, m.text) for m in db.scalars(select(Message).order_by(Message.id))]


def rasa_messages(servers) -> list[str]:
    return [request["message"] for request in servers.webhook_requests]


def verification(timestamp: int | str, echostr: str = "4123456789", nonce: str = "1405964451") -> dict[str, str]:
    return signed_query(timestamp, nonce) | {"echostr": echostr}


# --- the timestamp window -----------------------------------------------------------------------

# a few seconds beyond ±300 s: the test's clock and the gateway's tick apart
OUTSIDE = pytest.mark.parametrize("offset", [-DAY, -305, 305, DAY], ids=["a-day-old", "305s-old", "305s-ahead", "a-day-ahead"])
NOT_A_TIME = pytest.mark.parametrize(
    "timestamp",
    ["978307200", "abc", "1.7e9", "-1", "１７００００００００", "١٧٠٠٠٠٠٠٠٠", " 1700000000", "0x6553f100"],
    ids=["year-2001", "letters", "float", "negative", "full-width", "arabic-indic", "space", "hex"],
)


@OUTSIDE
def test_url_verification_outside_the_window_is_403(client, offset):
    response = client.get("/wechat", params=verification(now() + offset))
    assert response.status_code == 403
    assert response.json() == {"detail": STALE_REQUEST}
    assert client.app.state.metrics.value("gateway_wechat_stale_requests_total") == 1


@NOT_A_TIME
def test_url_verification_with_a_timestamp_that_is_no_recent_time_is_403(client, timestamp):
    response = client.get("/wechat", params=verification(timestamp))
    assert response.status_code == 403
    assert response.json() == {"detail": STALE_REQUEST}


@pytest.mark.parametrize("offset", [-295, 0, 295])
def test_url_verification_within_the_window_echoes(client, offset):
    response = client.get("/wechat", params=verification(now() + offset))
    assert response.status_code == 200 and response.text == "4123456789"


@OUTSIDE
def test_message_outside_the_window_is_403_and_nothing_is_processed(client, servers, server, offset):
    response = post_with(server, text_xml("上海5G试点什么时候截止"), signed_query(now() + offset))
    assert response.status_code == 403
    assert response.json() == {"detail": STALE_REQUEST}
    assert stored_texts(client) == [] and servers.webhook_requests == []


@NOT_A_TIME
def test_message_with_a_timestamp_that_is_no_recent_time_is_403(client, servers, server, timestamp):
    response = post_with(server, text_xml("你好"), signed_query(timestamp))
    assert response.status_code == 403
    assert stored_texts(client) == [] and servers.webhook_requests == []


def test_the_window_is_measured_on_the_gateways_clock(client, servers, server):
    client.app.state.wechat_guard.clock = lambda: 1_700_000_000.0  # the gateway's clock, injected
    servers.rasa_replies = [{"text": "您好"}]
    assert answer_of(server, post_with(server, text_xml("你好"), signed_query(1_700_000_000 - 250))) == "您好"
    assert post_with(server, text_xml("你好"), signed_query(now())).status_code == 403


def test_the_window_is_the_setting_wechat_timestamp_window_seconds(settings, monkeypatch):
    monkeypatch.setenv("WECHAT_TIMESTAMP_WINDOW_SECONDS", "60")
    assert Settings().wechat_timestamp_window_seconds == 60
    assert Settings.model_fields["wechat_timestamp_window_seconds"].default == 300
    app = create_app(settings.model_copy(update={"wechat_timestamp_window_seconds": 60}), knowledge_loader=lambda: None)
    with TestClient(app) as client:
        assert client.get("/wechat", params=verification(now() - 100)).status_code == 403
        assert client.get("/wechat", params=verification(now() - 50)).status_code == 200


# --- replays of a signed request ----------------------------------------------------------------


def test_a_used_signature_with_another_sender_or_message_is_403_and_nothing_is_stored(client, servers, server):
    query = signed_query(now())
    servers.rasa_replies = [{"text": "已截止。"}]
    assert answer_of(server, post_with(server, text_xml("什么时候截止"), query)) == "已截止。"
    # the same signed parameters, in plain mode (a safe-mode request downgraded), for another body
    another_sender = server.post_raw(text_xml("冒充别人的问题", openid=OTHER_OPENID), query)
    another_message = server.post_raw(text_xml("同一用户的另一条消息"), query)
    another_event = server.post_raw(event_xml("CLICK", "HANDOFF"), query)
    for response in (another_sender, another_message, another_event):
        assert response.status_code == 403
        assert response.json() == {"detail": REPLAYED_REQUEST}
    assert rasa_messages(servers) == ["什么时候截止"]
    assert stored_texts(client) == [(f"wx-{OPENID}", "什么时候截止"), (f"wx-{OPENID}", "已截止。")]
    assert client.app.state.metrics.value("gateway_wechat_replays_total") == 3


def test_wechats_retry_under_the_same_signature_is_answered_as_a_retry(client, servers, server):
    query = signed_query(now())
    xml = text_xml("材料要交几份")
    servers.rasa_replies = [{"text": "一式三份。"}]
    assert [answer_of(server, post_with(server, xml, query)) for _ in range(2)] == ["一式三份。"] * 2
    assert rasa_messages(servers) == ["材料要交几份"]
    assert client.app.state.metrics.value("gateway_wechat_duplicates_total") == 1


def test_an_events_retry_under_the_same_signature_is_a_retry_another_event_is_403(client, servers, server):
    query = signed_query(now())
    click = event_xml("CLICK", "ASK_CONTACT", create_time=now())
    servers.rasa_replies = [{"text": "联系电话：021-00000000"}]
    assert answer_of(server, post_with(server, click, query)) == "联系电话：021-00000000"
    assert answer_of(server, post_with(server, click, query)) == "联系电话：021-00000000"
    other_key = click.replace("ASK_CONTACT", "HANDOFF")
    assert post_with(server, other_key, query).status_code == 403
    assert rasa_messages(servers) == ["咨询电话是多少"]


def test_a_url_verifications_signature_cannot_carry_a_message(client, servers):
    query = signed_query(now())
    assert client.get("/wechat", params=query | {"echostr": "4123456789"}).text == "4123456789"
    assert client.get("/wechat", params=query | {"echostr": "4123456789"}).status_code == 200  # the same again
    assert client.get("/wechat", params=query | {"echostr": "999"}).status_code == 403
    response = WeChatServer(client).post_raw(text_xml("你好"), query)
    assert response.status_code == 403
    assert servers.webhook_requests == [] and stored_texts(client) == []


def test_a_replay_to_another_gateway_process_is_refused(new_app, servers):
    query = signed_query(now())
    servers.rasa_replies = [{"text": "您好"}]
    with TestClient(new_app()) as first, TestClient(new_app()) as second:
        assert answer_of(WeChatServer(first), WeChatServer(first).post_raw(text_xml("你好"), query)) == "您好"
        response = WeChatServer(second).post_raw(text_xml("冒充", openid=OTHER_OPENID), query)
        assert response.status_code == 403
    assert rasa_messages(servers) == ["你好"]


def test_remembered_requests_are_forgotten_once_their_timestamp_left_the_window(client, servers, wechat):
    clock = [1_700_000_000.0]
    client.app.state.wechat_guard.clock = lambda: clock[0]
    servers.rasa_replies = [{"text": "好的"}]
    for offset in (0, 10):
        assert answer_of(wechat, wechat.post_raw(text_xml("你好"), signed_query(1_700_000_000 + offset, f"n{offset}"))) == "好的"
    clock[0] += 305  # the first request's timestamp is now out of the window, the second's not yet
    assert answer_of(wechat, wechat.post_raw(text_xml("你好"), signed_query(int(clock[0]), "n305"))) == "好的"
    with client.app.state.store._sessions() as db:
        remembered = sorted(aware(row.expires_at).timestamp() for row in db.scalars(select(WeChatRequest)))
    assert remembered == [1_700_000_000 + 10 + 300, clock[0] + 300]  # the first one deleted
    # and the forgotten one cannot come back: its timestamp is refused
    response = wechat.post_raw(text_xml("冒充", openid=OTHER_OPENID), signed_query(1_700_000_000, "n0"))
    assert response.status_code == 403 and response.json() == {"detail": STALE_REQUEST}


def test_while_the_database_fails_replays_to_this_process_are_still_refused(client, servers, server, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("database is locked")

    monkeypatch.setattr(client.app.state.wechat_guard.store, "remember_request", broken)
    query = signed_query(now())
    servers.rasa_replies = [{"text": "您好"}]
    assert answer_of(server, post_with(server, text_xml("你好"), query)) == "您好"
    assert server.post_raw(text_xml("冒充", openid=OTHER_OPENID), query).status_code == 403
    assert rasa_messages(servers) == ["你好"]


def test_a_request_is_remembered_by_a_digest_for_its_window_only(client, servers, wechat):
    timestamp = now()
    query = signed_query(timestamp, "98765432109")
    servers.rasa_replies = [{"text": "您好"}]
    assert wechat.post_raw(text_xml("你好"), query).status_code == 200
    with client.app.state.store._sessions() as db:
        rows = list(db.scalars(select(WeChatRequest)))
    assert [(row.openid, row.message_key[:4]) for row in rows] == [(OPENID, "msg:")]
    assert query["nonce"] not in rows[0].request_key and query["signature"] not in rows[0].request_key
    assert aware(rows[0].expires_at).timestamp() == timestamp + 300
