"""GET /api/faq/search: parameter validation, result shape, and a search on the real knowledge base."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from gateway.deps import get_knowledge_provider
from gateway.knowledge_service import KnowledgeProvider


def test_results_have_question_answer_citations_score(client, fake_kb):
    response = client.get("/api/faq/search", params={"q": "什么时候截止", "program": "sh5g", "top_k": 2})
    assert response.status_code == 200
    assert fake_kb.calls == [("什么时候截止", "sh5g", 2)]
    assert response.json() == {
        "results": [
            {
                "question": "申报截止时间是什么时候？",
                "answer": "【测试】截止时间为2021年1月19日17:00。",
                "citations": [{"doc": "sh5g", "title": "测试通知", "clause": "三、时间", "quote": "截止时间为…"}],
                "score": 0.87,
            },
            {"question": None, "answer": "条款原文……", "citations": [], "score": 0.5},
        ]
    }


def test_defaults_no_program_top_k_5(client, fake_kb):
    assert client.get("/api/faq/search", params={"q": "材料"}).status_code == 200
    assert fake_kb.calls == [("材料", None, 5)]


@pytest.mark.parametrize(
    ("params", "detail"),
    [
        ({}, "缺少参数：q"),
        ({"q": ""}, "查询内容不能为空"),
        ({"q": "   "}, "查询内容不能为空"),
        ({"q": "问" * 201}, "查询内容过长，请控制在200字以内"),
        ({"q": "截止", "program": "xyz"}, "未知的项目：xyz"),
        ({"q": "截止", "program": ""}, "未知的项目："),
        ({"q": "截止", "top_k": 0}, "top_k应为1到20之间的整数"),
        ({"q": "截止", "top_k": 21}, "top_k应为1到20之间的整数"),
        ({"q": "截止", "top_k": "many"}, "top_k应为1到20之间的整数"),
    ],
)
def test_bad_parameters_get_422_with_chinese_detail(client, fake_kb, params, detail):
    response = client.get("/api/faq/search", params=params)
    assert response.status_code == 422
    assert response.json() == {"detail": detail}
    assert fake_kb.calls == []


@pytest.mark.parametrize("program", ["sh5g", "nat5g", "accept", "annual", "smart"])
def test_every_program_key_is_accepted(client, fake_kb, program):
    assert client.get("/api/faq/search", params={"q": "截止", "program": program, "top_k": 20}).status_code == 200
    assert fake_kb.calls[0][1] == program


def test_knowledge_base_unavailable_gives_503(app):
    def broken():
        raise RuntimeError("index missing")

    provider = KnowledgeProvider(broken)
    app.dependency_overrides[get_knowledge_provider] = lambda: provider
    with TestClient(app) as client:
        response = client.get("/api/faq/search", params={"q": "截止"})
    assert response.status_code == 503
    assert response.json() == {"detail": "知识库暂不可用，请稍后再试"}


@pytest.fixture(scope="module")
def real_kb():
    """The real knowledge base (knowledge.api.get_knowledge)."""
    from knowledge.api import get_knowledge

    return get_knowledge()


@pytest.fixture
def real_client(app, real_kb):
    provider = KnowledgeProvider(lambda: real_kb)
    app.dependency_overrides[get_knowledge_provider] = lambda: provider
    with TestClient(app) as client:
        yield client


def test_real_knowledge_base_answers_with_citations(real_client):
    response = real_client.get("/api/faq/search", params={"q": "上海5G+医疗健康应用试点项目申报截止时间", "top_k": 3})
    assert response.status_code == 200
    results = response.json()["results"]
    assert 1 <= len(results) <= 3
    assert all(r["answer"] and isinstance(r["score"], float) for r in results)
    assert any(r["citations"] for r in results)
    for citation in (c for r in results for c in r["citations"]):
        assert set(citation) == {"doc", "title", "clause", "quote"} and citation["quote"]


def test_real_knowledge_base_program_filter(real_client, real_kb):
    for program in real_kb.program_keys():
        response = real_client.get("/api/faq/search", params={"q": "需要提交哪些材料", "program": program})
        assert response.status_code == 200, program


def test_real_busy_reply_carries_helpdesk_contacts(real_client, real_kb, servers):
    servers.rasa_up = False
    message = real_client.post("/api/chat", json={"text": "你好"}).json()["messages"][0]
    contacts = real_kb.helpdesk_contacts_text()
    assert contacts and message["text"].endswith(contacts)
