"""GET /healthz names what is down; GET /metrics counts messages and Rasa errors."""

from __future__ import annotations

import pytest


def test_all_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "rasa": "ok", "actions": "ok"}


@pytest.mark.parametrize(
    ("rasa_up", "actions_up", "detail"),
    [
        (False, True, "Rasa服务未响应"),
        (True, False, "动作服务未响应"),
        (False, False, "Rasa服务、动作服务未响应"),
    ],
)
def test_down_service_is_named(client, servers, rasa_up, actions_up, detail):
    servers.rasa_up, servers.actions_up = rasa_up, actions_up
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "down",
        "rasa": "ok" if rasa_up else "down",
        "actions": "ok" if actions_up else "down",
        "detail": detail,
    }


@pytest.mark.parametrize("service", ["rasa", "actions"])
def test_non_200_answer_counts_as_down(client, servers, service):
    if service == "rasa":
        servers.rasa_root_status = 500
    else:
        servers.actions_health_status = 503
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()[service] == "down"


def test_metrics_count_messages_and_rasa_errors(client, servers):
    client.post("/api/chat", json={"session_id": "s1", "text": "你好"})
    servers.rasa_up = False
    client.post("/api/chat", json={"session_id": "s1", "text": "你好"})
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert "# TYPE gateway_messages_total counter" in response.text
    assert "gateway_messages_total 2\n" in response.text
    assert "gateway_rasa_errors_total 1\n" in response.text


def test_openapi_docs_are_served(client):
    assert client.get("/docs").status_code == 200
    spec = client.get("/openapi.json").json()
    assert {"/api/chat", "/api/faq/search", "/healthz", "/metrics"} <= set(spec["paths"])
    assert "申报助手" in spec["info"]["title"]
