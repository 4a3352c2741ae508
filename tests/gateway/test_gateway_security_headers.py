"""Security headers on pages and API responses; pages a strict CSP can run; /docs offline; the
client key the gateway passes to Rasa for rate limits."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from gateway.client_identity import client_key
from gateway.settings import Settings
from gateway_fakes import RASA_URL

PORTAL = "https://portal.example.gov.cn"
OTHER_PORTAL = "http://zwfw.example.cn:8080"
PAGES = ["/", "/chat", "/faq", "/console", "/docs"]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The gateway tests' settings (conftest.py), with two portals that embed the chat."""
    return Settings(**{**settings.model_dump(), "portal_origins": f"{PORTAL}, {OTHER_PORTAL}/"})


def directives(response) -> dict[str, list[str]]:
    policy = response.headers["content-security-policy"]
    parsed: dict[str, list[str]] = {}
    for directive in filter(None, (part.strip() for part in policy.split(";"))):
        name, *values = directive.split()
        parsed[name] = values
    return parsed


def script_sources(csp: dict[str, list[str]]) -> list[str]:
    return csp.get("script-src", csp.get("default-src", []))


@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_nosniff_referrer_policy_and_a_csp_without_inline_script(client: TestClient, path: str):
    response = client.get(path)

    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] in {"same-origin", "no-referrer", "strict-origin-when-cross-origin"}
    csp = directives(response)
    assert script_sources(csp) == ["'self'"]
    assert "'unsafe-inline'" not in csp.get("style-src", csp["default-src"])
    assert "'unsafe-eval'" not in " ".join(sum(csp.values(), []))


@pytest.mark.parametrize("path", ["/", "/faq", "/console", "/docs"])
def test_pages_other_than_the_chat_can_be_framed_only_by_the_gateway_itself(client: TestClient, path: str):
    assert directives(client.get(path))["frame-ancestors"] == ["'self'"]


def test_the_chat_can_be_framed_by_the_configured_portals_and_no_one_else(client: TestClient):
    ancestors = directives(client.get("/chat?embed=1"))["frame-ancestors"]

    assert sorted(ancestors) == sorted(["'self'", PORTAL, OTHER_PORTAL])
    assert "*" not in ancestors and "https:" not in ancestors


def test_without_portal_origins_the_chat_is_framed_only_by_the_gateway(db_url: str):
    from gateway.app import create_app

    app = create_app(Settings(database_url=db_url, preload_knowledge=False))
    with TestClient(app) as client:
        assert directives(client.get("/chat"))["frame-ancestors"] == ["'self'"]


@pytest.mark.parametrize("value", ["*", "https://a.cn; script-src *", "'unsafe-inline'", "portal.example.cn", "javascript:alert(1)"])
def test_a_portal_origin_that_would_widen_the_policy_is_refused_at_start(value: str):
    with pytest.raises(ValidationError):
        Settings(portal_origins=value)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/config", None),
        ("GET", "/healthz", None),
        ("GET", "/openapi.json", None),
        ("GET", "/api/no-such-endpoint", None),
        ("POST", "/api/chat", {"session_id": "s1"}),  # 422
        ("POST", "/api/chat", {"text": "长" * 2_000_000}),  # 413 (body limit)
        ("GET", "/static/chat.js", None),
    ],
)
def test_api_responses_and_assets_are_never_sniffed(client: TestClient, method: str, path: str, body):
    response = client.request(method, path, json=body)

    assert response.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


class _PageScan(HTMLParser):
    """What a strict CSP would block in a page: inline scripts, handler and style attributes,
    <style> elements, javascript: URLs; and every URL a page loads."""

    def __init__(self) -> None:
        super().__init__()
        self.blocked: list[str] = []
        self.loads: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name, value in attrs:
            if name.startswith("on") or name == "style" or (value or "").strip().lower().startswith("javascript:"):
                self.blocked.append(f"<{tag} {name}=…>")
        if tag == "style":
            self.blocked.append("<style>")
        if tag == "script":
            self._in_script = "src" not in values
            if "src" not in values:
                self.blocked.append("inline <script>")
        for name in ("src", "href"):
            if values.get(name) and (tag in ("script", "img", "iframe") or (tag == "link" and name == "href")):
                self.loads.append(values[name])

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False


@pytest.mark.parametrize("path", PAGES)
def test_pages_hold_nothing_inline_that_the_policy_blocks_and_load_only_from_the_gateway(client: TestClient, path: str):
    scan = _PageScan()
    scan.feed(client.get(path).text)

    assert scan.blocked == []
    assert scan.loads, "every page loads its script or style"
    for url in scan.loads:
        assert not urlsplit(url).netloc, f"{path} loads {url} from another host"
        assert client.get(url).status_code == 200, url


def test_api_docs_run_swagger_ui_from_the_installed_package(client: TestClient):
    page = client.get("/docs").text

    assert "cdn" not in page.lower() and "http" not in page.lower()
    bundle = client.get("/static/docs-ui/swagger-ui-bundle.js")
    assert bundle.status_code == 200 and "SwaggerUIBundle" in bundle.text
    assert bundle.headers["content-type"].startswith("text/javascript")
    assert client.get("/static/docs.js").status_code == 200


def test_redoc_which_needs_a_cdn_and_inline_styles_is_not_served(client: TestClient):
    assert client.get("/redoc").status_code == 404


def test_the_widget_brings_its_styles_as_a_file_not_inline(client: TestClient):
    widget = client.get("/static/widget.js").text

    assert 'createElement("style")' not in widget and ".style." not in widget
    assert client.get("/static/widget.css").status_code == 200


# --- the client key passed to Rasa ---------------------------------------------------------------


def rasa_behind_the_middleware(servers):
    """A route that sends one message to (fake) Rasa, as the chat does, behind the gateway's
    client-identity middleware."""
    import httpx
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    from gateway.client_identity import ClientIdentityMiddleware
    from gateway.rasa_client import RasaClient

    async def chat(request):
        async with httpx.AsyncClient(transport=httpx.MockTransport(servers.handle)) as http:
            await RasaClient(http, RASA_URL, 2).send("s1", "截止时间？")
        return PlainTextResponse("ok")

    app = Starlette(routes=[Route("/api/chat", chat, methods=["POST"])])
    app.add_middleware(ClientIdentityMiddleware, secret="gateway secret")
    return app


def test_rasa_gets_a_keyed_hash_of_the_client_address_never_the_address(servers):
    app = rasa_behind_the_middleware(servers)
    for host in ("203.0.113.7", "203.0.113.7", "198.51.100.20"):
        with TestClient(app, client=(host, 40000)) as client:
            assert client.post("/api/chat").status_code == 200

    keys = [metadata["client_key"] for metadata in servers.webhook_metadata]
    assert keys[0] == keys[1] != keys[2]
    assert all("203.0.113.7" not in str(metadata) and "198.51.100.20" not in str(metadata) for metadata in servers.webhook_metadata)


def test_the_gateway_sets_client_keys_on_every_request(app):
    from gateway.client_identity import ClientIdentityMiddleware

    assert any(middleware.cls is ClientIdentityMiddleware for middleware in app.user_middleware)


def test_the_client_key_is_keyed_so_it_cannot_be_recomputed_from_the_address():
    assert client_key("203.0.113.7", b"one secret") != client_key("203.0.113.7", b"another secret")


def test_ipv6_clients_are_counted_by_their_64_network():
    secret = b"k"
    assert client_key("2001:db8:1:2::1", secret) == client_key("2001:db8:1:2:ffff::9", secret)
    assert client_key("2001:db8:1:2::1", secret) != client_key("2001:db8:1:3::1", secret)


def test_websockets_carry_a_client_key_and_wechat_requests_none():
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route, WebSocketRoute

    from gateway.client_identity import ClientIdentityMiddleware, current_client_key

    async def http_key(request):
        return PlainTextResponse(str(current_client_key()))

    async def socket_key(websocket):
        await websocket.accept()
        await websocket.send_text(str(current_client_key()))
        await websocket.close()

    app = Starlette(routes=[Route("/api/x", http_key), Route("/wechat", http_key, methods=["POST"]), WebSocketRoute("/ws", socket_key)])
    app.add_middleware(ClientIdentityMiddleware, secret="s")
    expected = client_key("203.0.113.7", b"s")
    with TestClient(app, client=("203.0.113.7", 1)) as client:
        assert client.get("/api/x").text == expected
        assert client.post("/wechat").text == "None"  # WeChat's servers' address is nobody's
        with client.websocket_connect("/ws") as socket:
            assert socket.receive_text() == expected
