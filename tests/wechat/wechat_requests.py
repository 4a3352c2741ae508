"""Helpers for tests that choose a request's signed parameters (timestamp, nonce) themselves."""

from __future__ import annotations

import time

import xmltodict
from httpx import Response

from wechat_fakes import TOKEN, WeChatServer, sign

def now() -> int:
    return int(time.time())


def signed_query(timestamp: int | str, nonce: str = "1405964451") -> dict[str, str]:
    timestamp = str(timestamp)
    return {"signature": sign(TOKEN, timestamp, nonce), "timestamp": timestamp, "nonce": nonce}


def post_with(server: WeChatServer, xml: str, query: dict[str, str]) -> Response:
    """``xml`` posted under the signed parameters of ``query`` (encrypted with them in safe mode)."""
    if not server.aes:
        return server.post_raw(xml, query)
    envelope = server.crypto.encrypt_message(xml, query["nonce"], query["timestamp"])
    msg_signature = xmltodict.parse(envelope)["xml"]["MsgSignature"]
    return server.post_raw(envelope, query | {"encrypt_type": "aes", "msg_signature": msg_signature})


def answer_of(server: WeChatServer, response: Response) -> str | None:
    """The passive reply's text, or None for ``success``."""
    reply = server.reply(response)
    return None if reply is None else reply["Content"]
