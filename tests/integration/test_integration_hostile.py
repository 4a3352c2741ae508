"""Hostile and careless input against every endpoint of the live gateway (real Rasa, real HTTP).

Every operation of the OpenAPI document (plus the pages, /files, /wechat and both WebSockets)
gets empty, white-space, huge, malformed, wrong-typed, surrogate, zero-width, RTL, NUL,
deeply nested, injection and path-traversal input. What must hold:
- no 5xx, and every error body is JSON ``{"detail": "<Chinese>"}`` where the route speaks JSON;
- the keep-alive connection is never closed by the server (one bad request must not cost the
  other requests on that connection), so all of it runs over ONE connection;
- a normal question on that same connection is answered afterwards;
- a WebSocket that received a bad frame answers an error frame and still answers a ping.
The counts are written to var/reports/hostile.json (requests per status code).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from websockets.sync.client import connect as ws_connect

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
STAFF_PASSWORD = "Hostile-Test-Pw-2026"

HOSTILE_STRINGS: list[str] = [
    "",
    " ",
    "\t\n\u3000 ",
    "x" * 5000,
    "字" * 3_000,  # 27 KB percent-encoded: a long URL, well under what clients send (64 KB)
    "a\x00b",
    "\x00",
    "\u200b\u200c\u200d\ufeff",
    "\u202e\u2066abc\u2069\u202d",
    "🙂" * 300,
    "\U0010ffff\ufffe",
    "' OR 1=1 --",
    '"; DROP TABLE messages; --',
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "{{7*7}}${7*7}<%= 7*7 %>",
    "${jndi:ldap://127.0.0.1/a}",
    "../../../../etc/passwd",
    "..%2f..%2f..%2fetc%2fpasswd",
    "%00%0d%0aSet-Cookie:x=1",
    "\r\nX-Injected: 1",
    "NaN",
    "-1",
    "99999999999999999999999999999",
    "1e309",
    "true",
    "null",
    "[]",
    "{}",
]
WRONG_TYPES: list[Any] = [None, 0, -1, 2**70, 1.5, True, [], {}, ["a"], {"a": 1}, "字"]
SURROGATE_JSON = '"\\ud800"'  # a lone surrogate, as a JSON escape (no UTF-8 can carry it)
RAW_BODIES: list[bytes] = [
    b"",
    b" ",
    b"{",
    b"not json",
    b"[]",
    b"null",
    b"42",
    b'"text"',
    b"\xff\xfe\x00",
    b'{"text": "\xff"}',
    ("[" * 100_000 + "]" * 100_000).encode(),
    ('{"a":' * 50_000 + "1" + "}" * 50_000).encode(),
    b'{"session_id": ' + SURROGATE_JSON.encode() + b', "text": ' + SURROGATE_JSON.encode() + b"}",
    b'{"text": ' + SURROGATE_JSON.encode() + b"}",
    b'{"text": "\\u0000"}',
    b'{"text": 1e999}',
    b'{"text": "a", "text": "b"}',
    b"{" + b'"k":1,' * 200_000 + b'"z":2}',
]
WS_FRAMES: list[str] = [
    "",
    "not json",
    "[1,2]",
    "null",
    "[" * 100_000 + "]" * 100_000,
    '{"type": ' * 20_000 + "1" + "}" * 20_000,
    '{"type": "hello", "session_id": "s", "after": 99999999999999999999999999999999}',
    '{"type": "hello", "session_id": "s", "after": 1e308}',
    '{"type": "hello", "session_id": "wx-someone", "after": 0}',
    '{"type": "hello", "session_id": "../../etc/passwd"}',
    '{"type": "hello", "session_id": ' + SURROGATE_JSON + "}",
    '{"type": "message", "client_id": "c-1", "text": ' + SURROGATE_JSON + "}",
    '{"type": "message", "client_id": "c-1", "text": "\\u0000"}',
    '{"type": ' + SURROGATE_JSON + "}",
    '{"type": "x' + "y" * 200_000 + '"}',
    '{"type": "ping", "extra": ' + "[" * 5000 + "]" * 5000 + "}",
]


class Tally:
    """Every response seen: counts per status, and the first few problems."""

    def __init__(self) -> None:
        self.statuses: Counter[int] = Counter()
        self.problems: list[str] = []

    def check(self, label: str, response: httpx.Response, json_errors: bool = True) -> None:
        self.statuses[response.status_code] += 1
        if response.status_code >= 500:
            self.problems.append(f"{label}: {response.status_code} {response.text[:200]}")
        if response.headers.get("connection", "").lower() == "close":
            self.problems.append(f"{label}: the server closed the connection")
        if json_errors and response.status_code >= 400 and response.headers.get("content-type", "").startswith("application/json"):
            detail = response.json().get("detail") if isinstance(response.json(), dict) else None
            if not isinstance(detail, str) or not any("\u4e00" <= ch <= "\u9fff" for ch in detail):
                self.problems.append(f"{label}: {response.status_code} error without a Chinese detail: {response.text[:200]}")


@pytest.fixture(scope="module")
def tally() -> Tally:
    return Tally()


@pytest.fixture(scope="module")
def http(stack) -> httpx.Client:
    """One keep-alive connection for the whole module: a request that broke it would show."""
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    with httpx.Client(base_url=stack.url, limits=limits, timeout=60) as client:
        yield client


@pytest.fixture(scope="module")
def openapi(http) -> dict[str, Any]:
    return http.get("/openapi.json").json()


@pytest.fixture(scope="module")
def staff_cookies(stack) -> dict[str, str]:
    env = {**os.environ, **stack.extra_env}
    subprocess.run(
        [sys.executable, "-m", "gateway.helpdesk.staff", "create", "--username", "hostile", "--password-stdin"],
        input=STAFF_PASSWORD + "\n", text=True, cwd=REPO, env=env, check=True, capture_output=True,
    )
    login = httpx.post(f"{stack.url}/api/console/login", json={"username": "hostile", "password": STAFF_PASSWORD}, timeout=30)
    assert login.status_code == 200, login.text
    cookie = "; ".join(f"{name}={value}" for name, value in login.cookies.items())
    assert httpx.get(f"{stack.url}/api/console/me", headers={"Cookie": cookie}, timeout=30).status_code == 200
    return {"cookie": cookie, "csrf": login.json()["csrf_token"]}


def assert_still_answers(http: httpx.Client) -> None:
    response = http.post("/api/chat", json={"text": "上海5G医疗试点纸质材料要交几份？"})
    assert response.status_code == 200, response.text
    assert "六份" in "".join(m["text"] for m in response.json()["messages"])


def operations(openapi: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    found = []
    for path, methods in openapi["paths"].items():
        for method, operation in methods.items():
            if method in ("get", "post", "put", "delete", "patch"):
                found.append((method.upper(), path, operation))
    return found


def fill_path(path: str, value: str) -> str:
    while "{" in path:
        start, end = path.index("{"), path.index("}")
        path = path[:start] + quote(value, safe="") + path[end + 1:]
    return path


def example_body(operation: dict[str, Any], openapi: dict[str, Any]) -> dict[str, Any]:
    """A body of the right shape: every property a short string (the suite breaks one at a time)."""
    content = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    schema = content.get("schema", {})
    ref = schema.get("$ref") or next((s.get("$ref") for s in schema.get("anyOf", []) if "$ref" in s), None)
    if ref:
        schema = openapi["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    return {name: "问题" for name in schema.get("properties", {})}


def send(http: httpx.Client, tally: Tally, method: str, url: str, label: str, **kwargs: Any) -> None:
    try:
        response = http.request(method, url, **kwargs)
    except httpx.TransportError as exc:
        tally.problems.append(f"{label}: connection failed: {type(exc).__name__}")
        return
    tally.check(label, response)


def test_every_documented_operation_survives_hostile_input(http, openapi, tally, staff_cookies):
    auth_variants = [  # anonymous, and a logged-in staff member (console routes really reached)
        {},
        {"Cookie": staff_cookies["cookie"], "X-CSRF-Token": staff_cookies["csrf"], "X-Session-Token": "forged"},
    ]
    for method, path, operation in operations(openapi):
        params = [p for p in operation.get("parameters", []) if p.get("in") == "query"]
        for headers in auth_variants:
            if headers and path.endswith("/logout"):
                continue  # it would end the session the rest of the run uses
            for value in HOSTILE_STRINGS:
                label = f"{method} {path} [{value[:20]!r}]"
                url = fill_path(path, value) if "{" in path else path
                for query in [{p["name"]: value} for p in params] or [{}]:
                    send(http, tally, method, url, f"{label} {list(query)}", params=query, headers=headers)
                if "requestBody" in operation:
                    for field in example_body(operation, openapi) or {"text": None}:
                        for body_value in (value, value * 20 if len(value) > 1000 else value):
                            body = {**example_body(operation, openapi), field: body_value}
                            send(http, tally, method, fill_path(path, "1"), f"{label} body.{field}", json=body, headers=headers)
            if "requestBody" in operation:
                for raw in RAW_BODIES:
                    send(http, tally, method, fill_path(path, "1"), f"{method} {path} raw[{raw[:20]!r}]", content=raw,
                         headers={**headers, "content-type": "application/json"})
                for field in example_body(operation, openapi):
                    for wrong in WRONG_TYPES:
                        body = {**example_body(operation, openapi), field: wrong}
                        send(http, tally, method, fill_path(path, "1"), f"{method} {path} {field}={wrong!r}", json=body, headers=headers)
                send(http, tally, method, fill_path(path, "1"), f"{method} {path} text/plain", content="text=你好",
                     headers={**headers, "content-type": "text/plain"})
                send(http, tally, method, fill_path(path, "1"), f"{method} {path} 2 MB", content=b'{"text": "' + b"a" * 2_000_000 + b'"}',
                     headers={**headers, "content-type": "application/json"})
    assert_still_answers(http)
    assert not tally.problems, "\n".join(tally.problems[:30])


def test_pages_files_and_wechat_survive_hostile_paths_and_queries(http, tally):
    for value in [v[:1000] for v in HOSTILE_STRINGS[:20]] + ["%2e%2e%2f%2e%2e%2fetc%2fpasswd", "....//....//etc/passwd", "%c0%ae%c0%ae/"]:
        encoded = quote(value, safe="")
        for url in (f"/files/{encoded}", f"/static/{encoded}", f"/static/../{encoded}", f"/?q={encoded}",
                    f"/chat?q={encoded}", f"/faq?program={encoded}", f"/console?x={encoded}"):
            response = http.get(url)
            tally.statuses[response.status_code] += 1
            assert response.status_code < 500, (url, response.status_code)
            assert "root:" not in response.text
        for method in ("GET", "POST"):
            response = http.request(method, f"/wechat?signature={encoded}&timestamp={encoded}&nonce={encoded}&echostr={encoded}",
                                    content=value.encode("utf-8", "surrogatepass"), headers={"content-type": "text/xml"})
            tally.statuses[response.status_code] += 1
            assert response.status_code < 500, (method, value, response.status_code)
    assert_still_answers(http)


def test_the_chat_socket_answers_every_bad_frame_and_stays_open(stack, tally):
    path = "/ws"
    url = stack.url.replace("http://", "ws://") + path
    origin = stack.url
    issued = httpx.post(f"{stack.url}/api/session", timeout=30).json()
    with ws_connect(url, origin=origin, max_size=2**22, open_timeout=10) as ws:
        ws.send(json.dumps({"type": "hello", "session_id": issued["session_id"], "after": 0, "token": issued["token"]}))
        assert json.loads(ws.recv(timeout=10))["type"] == "welcome"
        for frame in WS_FRAMES:
            try:
                ws.send(frame)
            except Exception as exc:  # noqa: BLE001 - a closed socket is the failure under test
                pytest.fail(f"{path}: socket closed before sending {frame[:40]!r}: {exc}")
            reply = json.loads(ws.recv(timeout=10))
            tally.statuses[f"ws:{reply.get('type')}:{reply.get('code', '')}"] += 1
            assert reply["type"] == "error" and any("\u4e00" <= ch <= "\u9fff" for ch in reply["detail"]), (frame[:40], reply)
            ws.send(b"\x00\xff binary")
            assert json.loads(ws.recv(timeout=10))["type"] == "error"
            ws.send('{"type": "ping"}')
            assert json.loads(ws.recv(timeout=10)) == {"type": "pong"}


def test_write_the_counts(tally):
    target = REPO / "var" / "reports" / "hostile.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    counts = {str(k): v for k, v in sorted(tally.statuses.items(), key=lambda kv: str(kv[0]))}
    total = sum(v for k, v in tally.statuses.items() if isinstance(k, int))
    target.write_text(json.dumps({"http_requests": total, "statuses": counts}, ensure_ascii=False, indent=1), encoding="utf-8")
    assert total > 1000 and not any(isinstance(k, int) and k >= 500 for k in tally.statuses)
