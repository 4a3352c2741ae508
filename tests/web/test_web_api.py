"""The web chat's HTTP side: pages and static files, /api/config, /api/history,
/api/feedback (validation, Chinese errors) and the FAQ listing GET /api/faq."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from gateway.schemas import BotMessage
from gateway.knowledge_service import KnowledgeProvider
from web_fakes import CITATION


def rating_of(db_url: str, message_id: int) -> str | None:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT rating FROM messages WHERE id = :id"), {"id": message_id}).scalar()
    finally:
        engine.dispose()


@pytest.fixture
def exchange(app, client):
    """A stored conversation s1: user message 1, bot messages 2 and 3."""
    store = app.state.store
    user = store.save_user_message("s1", "截止时间？", client_id="c-1").message
    bots = store.save_bot_messages("s1", [BotMessage(text="已截止。"), BotMessage(text="还有问题吗？")])
    return user, bots


# --- pages -------------------------------------------------------------------------------------


def test_portal_page_embeds_the_chat_with_one_script_tag(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert '<script src="/static/widget.js" defer></script>' in response.text


def test_chat_and_faq_pages_and_their_assets_are_served(client):
    chat = client.get("/chat")
    assert chat.status_code == 200 and 'role="log"' in chat.text and 'aria-live="polite"' in chat.text
    faq = client.get("/faq")
    assert faq.status_code == 200 and "常见问题" in faq.text
    for asset, kind in [("widget.js", "javascript"), ("chat.js", "javascript"), ("chat.css", "css"),
                        ("faq.js", "javascript"), ("faq.css", "css")]:
        response = client.get(f"/static/{asset}")
        assert response.status_code == 200, asset
        assert kind in response.headers["content-type"], asset


def test_pages_load_nothing_from_other_hosts(client):
    for path in ["/", "/chat", "/faq"]:
        html = client.get(path).text
        assert "http://" not in html and "https://" not in html and "//cdn" not in html, path


def test_unknown_static_file_is_a_chinese_404(client):
    response = client.get("/static/nope.js")
    assert response.status_code == 404
    assert response.json() == {"detail": "未找到请求的地址"}


# --- /api/config -------------------------------------------------------------------------------


def test_config_gives_the_message_limit_programs_and_topics(client):
    config = client.get("/api/config").json()
    assert config["max_message_chars"] == 50  # from the settings (tests use a small limit)
    assert [p["key"] for p in config["programs"]] == ["sh5g", "nat5g", "accept", "annual", "smart"]
    topics = {t["key"]: t["label"] for t in config["topics"]}
    assert list(topics) == ["deadline", "eligibility", "documents", "directions", "submission", "contact", "procedure", "overview"]
    assert topics["deadline"] == "截止时间" and topics["documents"] == "申报材料"


# --- /api/history ------------------------------------------------------------------------------


def test_history_in_order_and_after_an_id(client, exchange):
    messages = client.get("/api/history", params={"session_id": "s1"}).json()["messages"]
    assert [(m["id"], m["sender"], m["text"]) for m in messages] == [
        (1, "user", "截止时间？"), (2, "bot", "已截止。"), (3, "bot", "还有问题吗？"),
    ]
    assert messages[0]["client_id"] == "c-1"
    later = client.get("/api/history", params={"session_id": "s1", "after": 1, "limit": 1}).json()["messages"]
    assert [m["id"] for m in later] == [2]
    # a conversation nobody issued: no token can reach it, whatever the id
    assert client.get("/api/history", params={"session_id": "nobody"}).status_code == 403


@pytest.mark.parametrize(
    ("params", "detail"),
    [
        ({}, "缺少参数：session_id"),
        ({"session_id": "bad id!"}, "会话标识格式错误：session_id应为1-64位字母、数字或 _ - . : 字符"),
        ({"session_id": "s1", "after": -1}, "参数after的值无效"),
        ({"session_id": "s1", "after": "x"}, "参数类型错误：after应为整数"),
        ({"session_id": "s1", "limit": 0}, "参数limit的值无效"),
    ],
)
def test_history_bad_parameters(client, params, detail):
    response = client.get("/api/history", params=params)
    assert response.status_code == 422
    assert response.json() == {"detail": detail}


# --- /api/feedback -----------------------------------------------------------------------------


def test_feedback_is_stored_changed_and_shown_in_history(client, exchange, db_url):
    _, (bot, _) = exchange
    response = client.post("/api/feedback", json={"session_id": "s1", "message_id": bot.id, "rating": "up"})
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "message_id": bot.id, "rating": "up"}
    assert rating_of(db_url, bot.id) == "up"

    assert client.post("/api/feedback", json={"session_id": "s1", "message_id": bot.id, "rating": "down"}).status_code == 200
    assert rating_of(db_url, bot.id) == "down"
    history = client.get("/api/history", params={"session_id": "s1"}).json()["messages"]
    assert [m.get("rating") for m in history] == [None, "down", None]
    assert "gateway_feedback_total 2" in client.get("/metrics").text


@pytest.mark.parametrize(
    ("body", "status", "detail"),
    [
        ({"session_id": "s1", "message_id": 2, "rating": "meh"}, 422, "rating应为up（有帮助）或down（没帮助）"),
        ({"session_id": "s1", "message_id": 2}, 422, "缺少字段：rating"),
        ({"session_id": "s1", "rating": "up"}, 422, "缺少字段：message_id"),
        ({"session_id": "s1", "message_id": "二", "rating": "up"}, 422, "message_id应为正整数（消息编号）"),
        ({"session_id": "s1", "message_id": 0, "rating": "up"}, 422, "message_id应为正整数（消息编号）"),
        ({"session_id": "s1", "message_id": 10**30, "rating": "up"}, 422, "message_id应为正整数（消息编号）"),
        ({"session_id": "bad id!", "message_id": 2, "rating": "up"}, 422, "session_id格式错误：应为1-64位字母、数字或 _ - . : 字符"),
        ({"session_id": "s1", "message_id": 1, "rating": "up"}, 422, "只能评价助手的回答"),
        ({"session_id": "s1", "message_id": 99, "rating": "up"}, 404, "未找到这条消息：请检查session_id和message_id"),
        ({"session_id": "s2", "message_id": 2, "rating": "up"}, 404, "未找到这条消息：请检查session_id和message_id"),
    ],
)
def test_feedback_bad_input(client, exchange, db_url, body, status, detail):
    response = client.post("/api/feedback", json=body)
    assert response.status_code == status
    assert response.json() == {"detail": detail}
    assert rating_of(db_url, 2) is None


def test_feedback_not_json(client):
    response = client.post("/api/feedback", content="rating=up", headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.json() == {"detail": "请求格式错误：不是合法的JSON"}


# --- GET /api/faq --------------------------------------------------------------------------------


def test_faq_lists_everything_with_labels_and_citations(client):
    items = client.get("/api/faq").json()["items"]
    assert [(i["program"], i["topic"]) for i in items] == [
        ("sh5g", "deadline"), ("sh5g", "documents"), ("nat5g", "deadline"), ("smart", "contact"),
    ]
    first = items[0]
    assert first["program_label"] == "上海5G+医疗健康试点申报" and first["topic_label"] == "截止时间"
    assert first["question"] == "上海5G试点什么时候截止"
    assert first["answer"] == "【sh5g】上海5G试点什么时候截止的答案。"
    assert first["citations"] == [CITATION]


def test_faq_filters_by_program_and_topic(client):
    def keys(**params):
        return [(i["program"], i["topic"]) for i in client.get("/api/faq", params=params).json()["items"]]

    assert keys(program="sh5g") == [("sh5g", "deadline"), ("sh5g", "documents")]
    assert keys(topic="deadline") == [("sh5g", "deadline"), ("nat5g", "deadline")]
    assert keys(program="nat5g", topic="deadline") == [("nat5g", "deadline")]
    assert keys(program="accept") == []


def test_faq_listing_is_cached(client, kb):
    for _ in range(3):
        client.get("/api/faq", params={"program": "sh5g"})
        client.get("/api/faq")
        client.get("/api/faq", params={"topic": "contact"})
    # one listing per distinct filter at most, the rest cut from the cached whole catalogue
    assert kb.list_calls.count((None, None)) == 1
    assert kb.list_calls.count(("sh5g", None)) <= 1
    assert len(kb.list_calls) <= 3


@pytest.mark.parametrize(
    ("params", "detail"),
    [
        ({"topic": "fees"}, "未知的主题：fees（可选：deadline、eligibility、documents、directions、submission、contact、procedure、overview）"),
        ({"program": "mars"}, "未知的项目：mars"),
    ],
)
def test_faq_listing_bad_filters(client, params, detail):
    response = client.get("/api/faq", params=params)
    assert response.status_code == 422
    assert response.json() == {"detail": detail}


def test_faq_listing_when_knowledge_is_down(app, client):
    def broken():
        raise RuntimeError("index missing")

    app.state.knowledge = KnowledgeProvider(broken)
    response = client.get("/api/faq")
    assert response.status_code == 503
    assert response.json() == {"detail": "知识库暂不可用，请稍后再试"}
