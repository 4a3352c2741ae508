"""Test helpers for the WeChat connector: a WeChat user whose messages are really signed (and,
in safe mode, AES-encrypted) with wechatpy, and a stand-in for WeChat's API server on loopback
(access token + customer-service messages), served by uvicorn in a thread."""

from __future__ import annotations

import itertools
import secrets
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import uvicorn
import xmltodict
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from httpx import Response
from wechatpy.crypto import WeChatCrypto
from wechatpy.utils import WeChatSigner

TOKEN = "test-token-42"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"  # 43 characters
APP_ID = "wx0123456789abcdef"
APP_SECRET = "test-secret"
OFFICIAL_ACCOUNT = "gh_0123456789ab"
OPENID = "oUser_0123456789abcdefghijkl"  # 28 characters, like a real openid
# Generous, so a loaded CI machine still answers the stand-in's instant replies passively;
# the slow-path tests make Rasa slower than this.
REPLY_BUDGET_SECONDS = 2.0
SLOW_RASA_SECONDS = 3.5

_msg_ids = itertools.count(7_000_000_000_000_000_001)


def sign(*parts: str) -> str:
    signer = WeChatSigner()
    signer.add_data(*parts)
    return signer.signature


def text_xml(content: str, *, msg_id: int | None = None, openid: str = OPENID, create_time: int | None = None) -> str:
    return (
        f"<xml><ToUserName><![CDATA[{OFFICIAL_ACCOUNT}]]></ToUserName>"
        f"<FromUserName><![CDATA[{openid}]]></FromUserName>"
        f"<CreateTime>{create_time or int(time.time())}</CreateTime>"
        f"<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[{content}]]></Content>"
        f"<MsgId>{msg_id or next(_msg_ids)}</MsgId></xml>"
    )


def event_xml(event: str, key: str = "", *, openid: str = OPENID, create_time: int | None = None) -> str:
    return (
        f"<xml><ToUserName><![CDATA[{OFFICIAL_ACCOUNT}]]></ToUserName>"
        f"<FromUserName><![CDATA[{openid}]]></FromUserName>"
        f"<CreateTime>{create_time or int(time.time())}</CreateTime>"
        f"<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[{event}]]></Event>"
        f"<EventKey><![CDATA[{key}]]></EventKey></xml>"
    )


def media_xml(msg_type: str, *, openid: str = OPENID) -> str:
    return (
        f"<xml><ToUserName><![CDATA[{OFFICIAL_ACCOUNT}]]></ToUserName>"
        f"<FromUserName><![CDATA[{openid}]]></FromUserName><CreateTime>{int(time.time())}</CreateTime>"
        f"<MsgType><![CDATA[{msg_type}]]></MsgType><MediaId><![CDATA[media-1]]></MediaId>"
        f"<PicUrl><![CDATA[http://mmbiz.example/1.jpg]]></PicUrl><MsgId>{next(_msg_ids)}</MsgId></xml>"
    )


@dataclass
class WeChatServer:
    """Posts to the gateway's /wechat as WeChat's servers do: signed, and encrypted when ``aes``."""

    client: TestClient | None = None
    base_url: str = ""  # for a real gateway process (then ``client`` is None)
    token: str = TOKEN
    aes: bool = False
    crypto: WeChatCrypto = field(default_factory=lambda: WeChatCrypto(TOKEN, AES_KEY, APP_ID))

    def query(self, timestamp: str | None = None, nonce: str | None = None) -> dict[str, str]:
        timestamp = timestamp or str(int(time.time()))
        nonce = nonce or str(secrets.randbelow(10**10))  # random, as WeChat's
        return {"signature": sign(self.token, timestamp, nonce), "timestamp": timestamp, "nonce": nonce, "openid": OPENID}

    def post_raw(self, body: bytes | str, params: dict[str, str], timeout: float = 30) -> Response:
        content = body.encode("utf-8") if isinstance(body, str) else body
        if self.client is not None:
            return self.client.post("/wechat", params=params, content=content, headers={"content-type": "text/xml"})
        import httpx

        return httpx.post(f"{self.base_url}/wechat", params=params, content=content, headers={"content-type": "text/xml"}, timeout=timeout)

    def post(self, xml: str, timeout: float = 30) -> Response:
        """Send ``xml`` the way WeChat would (plain or safe mode)."""
        params = self.query()
        if not self.aes:
            return self.post_raw(xml, params, timeout)
        envelope = self.crypto.encrypt_message(xml, params["nonce"], params["timestamp"])
        params |= {"encrypt_type": "aes", "msg_signature": xmltodict.parse(envelope)["xml"]["MsgSignature"]}
        return self.post_raw(envelope, params, timeout)

    def reply(self, response: Response) -> dict[str, Any] | None:
        """The passive reply as a dict (decrypted in safe mode), or None for ``success``."""
        assert response.status_code == 200, response.text
        if response.text in ("success", ""):
            return None
        assert response.headers["content-type"].startswith("application/xml")
        xml = response.text
        if self.aes:
            envelope = xmltodict.parse(xml)["xml"]
            xml = self.crypto.decrypt_message(xml, envelope["MsgSignature"], envelope["TimeStamp"], envelope["Nonce"])
        return xmltodict.parse(xml)["xml"]

    def ask(self, xml: str) -> str | None:
        """The passive reply's text, or None for ``success``."""
        reply = self.reply(self.post(xml))
        if reply is None:
            return None
        assert reply["MsgType"] == "text" and reply["ToUserName"] == xmltodict.parse(xml)["xml"]["FromUserName"]
        return reply["Content"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class StandInWeChatApi:
    """WeChat's API on loopback: ``GET /cgi-bin/token`` and ``POST /cgi-bin/message/custom/send``.

    Records token requests and the messages sent; ``expire_tokens()`` makes the issued tokens
    invalid (WeChat answers 40001, as for a token refreshed elsewhere); ``refuse_with`` makes
    custom-send answer that error code (e.g. 45015: the user has not written for 48 hours)."""

    def __init__(self) -> None:
        self.token_requests: list[dict[str, str]] = []
        self.sent: list[dict[str, Any]] = []
        self.valid_tokens: set[str] = set()
        self.refuse_with: int | None = None
        self._issued = itertools.count(1)
        self._lock = threading.Lock()
        self.app = FastAPI()
        self.app.get("/cgi-bin/token")(self._token)
        self.app.post("/cgi-bin/message/custom/send")(self._custom_send)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._server = uvicorn.Server(uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off"))
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    def _token(self, request: Request) -> dict[str, Any]:
        params = dict(request.query_params)
        with self._lock:
            self.token_requests.append(params)
            if params.get("appid") != APP_ID or params.get("secret") != APP_SECRET:
                return {"errcode": 40125, "errmsg": "invalid appsecret"}
            token = f"token-{next(self._issued)}"
            self.valid_tokens.add(token)
        return {"access_token": token, "expires_in": 7200}

    async def _custom_send(self, request: Request) -> dict[str, Any]:
        body = await request.json()
        with self._lock:
            if request.query_params.get("access_token") not in self.valid_tokens:
                return {"errcode": 40001, "errmsg": "invalid credential, access_token is invalid or not latest"}
            if self.refuse_with is not None:
                return {"errcode": self.refuse_with, "errmsg": "refused by the stand-in"}
            self.sent.append(body)
        return {"errcode": 0, "errmsg": "ok"}

    def expire_tokens(self) -> None:
        with self._lock:
            self.valid_tokens.clear()

    def texts(self, openid: str = OPENID) -> list[str]:
        with self._lock:
            return [m["text"]["content"] for m in self.sent if m["touser"] == openid and m["msgtype"] == "text"]

    def wait_for_texts(self, count: int, timeout: float = 10.0, openid: str = OPENID) -> list[str]:
        wait_until(lambda: len(self.texts(openid)) >= count, timeout, f"{count} customer-service message(s)")
        return self.texts(openid)

    def start(self) -> StandInWeChatApi:
        self._thread.start()
        wait_until(lambda: self._server.started, 10, "the stand-in WeChat API to start")
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g}s waiting for {what}")
        time.sleep(0.05)
