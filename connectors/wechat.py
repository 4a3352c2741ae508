"""WeChat Official Account (公众号) adapter, built on wechatpy.

WeChat POSTs each user message or event to ``/wechat`` (``gateway/routers/wechat.py``) as XML,
signed with the account's token and, in safe mode (``encrypt_type=aes``), AES-encrypted. This
module turns that into the gateway's internal messages and back:

- :class:`WeChatCodec`: signature check, decryption, parsing (entity declarations and DTDs are
  refused before any parser sees them; wechatpy's xmltodict forbids entities too), reply
  rendering and encryption.
- :class:`WeChatChannel`: one conversation per user (``session_id = "wx-" + openid``, channel
  ``wechat``), answered by the same ``route`` as the web chat
  (``gateway.routers.chat.route_message``) and stored like it. Every message is processed once:
  retries of WeChat (same ``MsgId``, or ``FromUserName`` + ``CreateTime`` for events) are
  recognised through ``wechat_inbound`` (persistence/wechat.py), in any gateway process.
  The answer goes back passively, on the newest copy of the message still waiting, when it is
  ready within the budget (about 4 s; WeChat gives up after 5 s, retries twice, then shows
  "该公众号暂时无法提供服务"); otherwise that copy is answered ``success`` and the answer follows
  through the customer-service message API (``/cgi-bin/message/custom/send``, wechatpy's client;
  its access token shared by every gateway through the database, :class:`ApiClient`). Without that API a copy waits as long as WeChat
  does, so that a retry can still take the answer passively.
- Freshness and replay checks of the signed requests: ``connectors/wechat_guard.py``.
- Rendering for a plain-text channel: buttons become a numbered menu ("回复1 …") remembered per
  user, so that a reply "1" sends that button's payload; citations one short line
  ("依据：《…》…"); documents a link; long answers split under WeChat's size limit.
- :func:`push_to_wechat`: how other features (staff replies during a handoff, reminders) reach a
  WeChat user; registered with ``connectors.outbound`` as channel ``wechat`` at gateway start-up.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import re
import threading
import time
import unicodedata
import uuid
import weakref
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import requests
from starlette.concurrency import run_in_threadpool
from wechatpy import WeChatClient, create_reply, parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.events import ClickEvent, SubscribeEvent, SubscribeScanEvent
from wechatpy.exceptions import InvalidSignatureException, WeChatClientException
from wechatpy.messages import BaseMessage, TextMessage
from wechatpy.utils import check_signature

from persistence.wechat import DONE, AccessTokenStore, Pending, WeChatStore
from messaging import BUSY_TEXT, Attachment, BotMessage, Button, Citation, too_long_text
from persistence.models import utcnow
from persistence.messages import MessageStore

log = logging.getLogger(__name__)

Route = Callable[[str, str], Awaitable[list[BotMessage]]]
CountEvent = Callable[[str], None]  # Metrics.inc

CHANNEL = "wechat"
SESSION_PREFIX = "wx-"
OPENID_RE = re.compile(r"^[A-Za-z0-9_\-]{1,60}$")  # "wx-" + openid fits a 64-character session id
MAX_TEXT_BYTES = 2000  # one text message (WeChat allows 2048 bytes of UTF-8)
MAX_BODY_BYTES = 64 * 1024  # WeChat's own messages are a few hundred bytes
MAX_CITATIONS_SHOWN = 2
API_TIMEOUT_SECONDS = 10.0
SHUTDOWN_GRACE_SECONDS = 5.0
SUCCESS = "success"  # the answer that tells WeChat "received, nothing to say now, do not retry"
WECHAT_WAIT_SECONDS = 5.0  # WeChat waits this long for an answer, then sends the message again
# WeChat's documentation: "五秒内收不到响应会断掉连接，并且重新发起请求，总共重试三次" (seen: three
# deliveries in all, about 5 s apart); an answer waits for a fourth before it counts as lost.
WECHAT_DELIVERIES_AT_MOST = 4
HOLD_MARGIN_SECONDS = 1.0
POLL_SECONDS = 0.1  # how often a waiting copy looks for an answer computed in another process
OWNER_POLL_SECONDS = 0.25  # how often the process with a computed answer looks whether it was taken
DTD_RE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)

WELCOME_TEXT = (
    "您好，欢迎关注！我是申报助手，可以解答“5G+医疗健康应用试点”和“智慧医疗专项研究”项目的申报问题："
    "截止时间、申报条件、所需材料、申报方向、提交方式和联系方式等，每个回答都注明所依据的通知条款。\n"
    "请直接输入您的问题；需要工作人员帮助时，回复“转人工”。"
)
WELCOME_BUTTONS = [
    Button(title=question, payload=question)
    for question in ("上海5G医疗试点什么时候截止", "国家5G医疗试点需要准备哪些材料", "智慧医疗专项的咨询电话是多少")
]
MEDIA_NOTE = "抱歉，目前只能阅读文字消息，暂时无法识别图片、语音、视频、位置或文件。请用文字输入您的问题，例如：上海5G医疗试点什么时候截止？"
UNSUPPORTED_NOTE = "抱歉，暂不支持这种消息，请用文字输入您的问题。"
EMPTY_TEXT = "请输入您想咨询的问题，例如：上海5G医疗试点需要准备哪些材料？"
UNKNOWN_MENU_KEY = "抱歉，这个菜单暂时无法使用，请直接输入您的问题。"
MEDIA_TYPES = {"image", "voice", "video", "shortvideo", "location", "link", "file", "miniprogrampage"}

# Custom-menu CLICK keys (set up in the account's menu) and the question each one asks.
CLICK_QUESTIONS = {
    "ASK_DEADLINE": "申报截止时间是什么时候",
    "ASK_DOCUMENTS": "申报需要准备哪些材料",
    "ASK_ELIGIBILITY": "哪些单位可以申报",
    "ASK_DIRECTIONS": "有哪些申报方向",
    "ASK_SUBMISSION": "申报材料怎么提交",
    "ASK_CONTACT": "咨询电话是多少",
    "HANDOFF": "转人工",
}


def menu_range_text(count: int) -> str:
    return f"请回复1到{count}之间的数字选择，或直接输入您的问题。" if count > 1 else "请回复1选择，或直接输入您的问题。"


# --- rendering for a text-only channel ------------------------------------------------------


def citation_line(citations: Sequence[Citation]) -> str:
    """The clauses an answer relies on, as one short line: "依据：《通知》五、有关事宜 > （三）"."""
    labels: list[str] = []
    for citation in citations:
        label = f"《{citation.title}》{citation.clause}" if citation.title else citation.clause
        if label and label not in labels:
            labels.append(label)
    return "依据：" + "；".join(labels[:MAX_CITATIONS_SHOWN]) if labels else ""


def attachment_line(attachment: Attachment, public_base_url: str) -> str:
    """A document as a link WeChat can open (relative links need ``public_base_url``)."""
    name = attachment.filename or "文件"
    url = attachment.url
    if url.startswith("/") and not url.startswith("//") and public_base_url:
        url = public_base_url + url
    if not url.startswith(("http://", "https://")):
        return f"文件：{name}（请在网页版对话中下载）"
    return f"文件：{name}\n{url}"


def render(messages: Sequence[BotMessage], public_base_url: str = "") -> tuple[str, list[Button]]:
    """The messages as one text, and the buttons it offers as a numbered menu, in menu order."""
    parts: list[str] = []
    buttons: list[Button] = []
    for message in messages:
        lines = [message.text.strip()] if message.text.strip() else []
        if message.citations:
            lines.append(citation_line(message.citations))
        if message.attachment is not None:
            lines.append(attachment_line(message.attachment, public_base_url))
        for button in message.buttons:
            buttons.append(button)
            lines.append(f"回复{len(buttons)} {button.title}")
        if lines:
            parts.append("\n".join(lines))
    # Replies are XML CDATA sections, which "]]>" would end.
    return "\n\n".join(parts).replace("]]>", "]] >"), buttons


def _utf8_size(text: str) -> int:
    return len(text.encode("utf-8"))


def _cut(line: str, max_bytes: int) -> list[str]:
    """A line in pieces of at most ``max_bytes`` (whole characters)."""
    pieces, piece, size = [], "", 0
    for char in line:
        char_size = _utf8_size(char)
        if size + char_size > max_bytes and piece:
            pieces.append(piece)
            piece, size = "", 0
        piece += char
        size += char_size
    pieces.append(piece)
    return pieces


def split_text(text: str, max_bytes: int = MAX_TEXT_BYTES) -> list[str]:
    """``text`` as messages of at most ``max_bytes`` UTF-8 bytes each, cut between lines where
    possible (a longer line is cut between characters)."""
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        for piece in _cut(line, max_bytes):
            candidate = f"{current}\n{piece}" if current else piece
            if _utf8_size(candidate) <= max_bytes:
                current = candidate
            else:
                chunks.append(current)
                current = piece
    chunks.append(current)
    return [chunk.strip("\n") for chunk in chunks if chunk.strip()]


def menu_choice(text: str) -> int | None:
    """The number in a reply such as "1", "１" or "回复2", else None."""
    normalized = unicodedata.normalize("NFKC", text).strip().removeprefix("回复").strip()
    return int(normalized) if re.fullmatch(r"\d{1,2}", normalized) else None


# --- inbound requests: signature, decryption, parsing -----------------------------------------


class SignatureError(Exception):
    """The request is not signed with the account's token (or the encrypted body's signature is wrong)."""


class NotConfiguredError(Exception):
    """An encrypted message arrived but no EncodingAESKey is configured."""


@dataclass(frozen=True)
class Inbound:
    """One received message or event, with what identifies it for de-duplication."""

    message: BaseMessage
    openid: str
    dedupe_key: str

    @property
    def session_id(self) -> str:
        return SESSION_PREFIX + self.openid


def is_event(message: BaseMessage) -> bool:
    """Events include those wechatpy does not know (parsed as UnknownMessage)."""
    return message.type == "event" or str(message._data.get("MsgType", "")).lower() == "event"


def dedupe_key(message: BaseMessage) -> str:
    """``MsgId`` for messages; for events ``FromUserName`` + ``CreateTime`` (WeChat's advice),
    plus the event and its key so that two menu clicks within one second both count. At most
    64 characters (it is also the stored user message's ``client_id``)."""
    if not is_event(message) and message.id:
        return f"msg:{message.id}"
    parts = (message.source, message.time, getattr(message, "event", message.type), getattr(message, "key", ""))
    identity = "\x1f".join(str(part) for part in parts)
    return "evt:" + hashlib.sha256(identity.encode("utf-8")).hexdigest()[:40]


class WeChatCodec:
    """Verifies, decrypts and parses what WeChat sends; renders and encrypts what goes back."""

    def __init__(self, token: str, encoding_aes_key: str = "", app_id: str = "") -> None:
        self.token = token
        self.crypto = WeChatCrypto(token, encoding_aes_key, app_id) if encoding_aes_key else None

    def signature_ok(self, signature: str | None, timestamp: str | None, nonce: str | None) -> bool:
        if not (signature and timestamp and nonce):
            return False
        try:
            check_signature(self.token, signature, timestamp, nonce)
        except InvalidSignatureException:
            return False
        return True

    def decode(self, body: bytes, *, encrypted: bool, msg_signature: str | None, timestamp: str, nonce: str) -> Inbound | None:
        """The message in ``body``, or None when it cannot be read (malformed, DTD or entity
        declarations, missing fields). Raises SignatureError for a wrong ``msg_signature`` and
        NotConfiguredError for an encrypted body without a configured key."""
        xml = body
        if encrypted:
            if self.crypto is None:
                raise NotConfiguredError()
            if not msg_signature:
                raise SignatureError()
            if DTD_RE.search(body):
                log.warning("wechat: refused an encrypted envelope with a DTD or entity declaration")
                return None
            try:
                xml = self.crypto.decrypt_message(body, msg_signature, timestamp, nonce).encode("utf-8")
            except InvalidSignatureException:
                raise SignatureError() from None
            except Exception as exc:  # bad base64, padding, app id, XML: all mean "unreadable"
                log.warning("wechat: could not decrypt a message: %s", type(exc).__name__)
                return None
        return self.parse(xml)

    @staticmethod
    def parse(xml: bytes) -> Inbound | None:
        if DTD_RE.search(xml):
            log.warning("wechat: refused a message with a DTD or entity declaration")
            return None
        try:
            message = parse_message(xml.decode("utf-8"))
            openid = message.source
            key = dedupe_key(message)
        except Exception as exc:  # malformed XML, no <xml> root or MsgType, non-numeric ids …
            log.warning("wechat: unreadable message: %s", type(exc).__name__)
            return None
        if not isinstance(openid, str) or not OPENID_RE.match(openid):
            log.warning("wechat: message without a usable FromUserName")
            return None
        return Inbound(message=message, openid=openid, dedupe_key=key)

    def reply_xml(self, inbound: Inbound, text: str, *, encrypted: bool, timestamp: str, nonce: str) -> str:
        """A passive text reply to ``inbound`` (encrypted when the request was)."""
        xml = create_reply(text, inbound.message, render=True)
        if encrypted and self.crypto is not None:
            return self.crypto.encrypt_message(xml, nonce, timestamp)
        return xml


# --- outbound: the customer-service message API -----------------------------------------------


class _TimeoutSession(requests.Session):
    """requests.Session with a default timeout (wechatpy fetches the access token without one)."""

    def __init__(self, timeout: float) -> None:
        super().__init__()
        self.default_timeout = timeout

    def request(self, method, url, **kwargs):  # noqa: ANN001, ANN003, ANN201 (requests' signature)
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.default_timeout
        return super().request(method, url, **kwargs)


class ApiClient(WeChatClient):
    """wechatpy's client with every call, the access token included, sent to ``base_url``
    (https://api.weixin.qq.com, or a stand-in server in tests). The token lives in ``tokens``
    (the gateway database), shared by every gateway process: fetched by one of them before it
    expires, or when WeChat says the one in use is invalid — and then only if nobody stored a
    newer one meanwhile, so gateways never invalidate each other's token."""

    def __init__(self, app_id: str, secret: str, base_url: str, tokens: AccessTokenStore,
                 timeout: float = API_TIMEOUT_SECONDS) -> None:
        super().__init__(app_id, secret, timeout=timeout)
        self.API_BASE_URL = f"{base_url.rstrip('/')}/cgi-bin/"
        self._http = _TimeoutSession(timeout)
        self._tokens = tokens
        self._timeout = timeout
        self._in_use: str | None = None

    @property
    def access_token(self) -> str:
        self._in_use = self._tokens.current() or self._shared_token(stale=None)
        return self._in_use

    def fetch_access_token(self) -> dict:
        """wechatpy calls this when WeChat refused the token in use, then reads the session."""
        self._in_use = self._shared_token(stale=self._in_use)
        self.session.set(self.access_token_key, self._in_use)
        return {"access_token": self._in_use}

    def _shared_token(self, stale: str | None) -> str:
        deadline = time.monotonic() + 2 * self._timeout
        while True:
            if self._tokens.lease_refresh(stale, timedelta(seconds=self._timeout + 5)):
                try:
                    params = {"grant_type": "client_credential", "appid": self.appid, "secret": self.secret}
                    result = self._fetch_access_token(url=f"{self.API_BASE_URL}token", params=params)
                except BaseException:
                    self._tokens.give_up_lease()
                    raise
                self._tokens.save(result["access_token"], int(result.get("expires_in", 7200)))
                return result["access_token"]
            current = self._tokens.current()
            if current is not None and current != stale:
                return current
            if time.monotonic() > deadline:
                raise WeChatClientException(errcode=None, errmsg="another gateway's token refresh did not finish", client=self)
            time.sleep(0.1)


class CustomerServiceApi:
    """Sends text through ``/cgi-bin/message/custom/send`` (wechatpy is synchronous: one call at
    a time, in a worker thread, so that the token is fetched once and the session is not shared)."""

    def __init__(self, client: WeChatClient) -> None:
        self._client = client
        self._lock = threading.Lock()

    def _send_text(self, openid: str, text: str) -> None:
        with self._lock:
            self._client.message.send_text(openid, text)

    async def send_text(self, openid: str, text: str) -> None:
        """Raises WeChatClientException or requests.RequestException when WeChat refuses or is unreachable."""
        await run_in_threadpool(self._send_text, openid, text)


# --- the channel ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    """The passive reply to a request, and the texts to send after it (a long answer's rest)."""

    text: str
    follow_up: list[str] = field(default_factory=list)


@dataclass
class Turn:
    """What a received message calls for: a question for the assistant (``question``, with the
    menu ``title`` it was chosen by) or replies given directly."""

    question: str | None = None
    title: str | None = None
    replies: list[BotMessage] = field(default_factory=list)


class WeChatChannel:
    """Answers received messages (once each, passively or through the API) and pushes messages."""

    def __init__(
        self,
        messages: MessageStore,
        state: WeChatStore,
        route: Route,
        api: CustomerServiceApi | None,
        *,
        max_chars: int = 2000,
        reply_budget_seconds: float = 4.0,
        public_base_url: str = "",
        count: CountEvent | None = None,
        wechat_wait_seconds: float = WECHAT_WAIT_SECONDS,
    ) -> None:
        self.messages = messages
        self.state = state
        self.route = route
        self.api = api
        self.max_chars = max_chars
        self.reply_budget_seconds = reply_budget_seconds
        self.public_base_url = public_base_url
        self.wechat_wait_seconds = wechat_wait_seconds
        self._count = count or (lambda name: None)
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        self._wakeups: weakref.WeakValueDictionary[str, asyncio.Event] = weakref.WeakValueDictionary()
        self._tasks: set[asyncio.Task[None]] = set()

    # --- receiving ----------------------------------------------------------------------------

    async def handle(self, inbound: Inbound) -> Reply | None:
        """Answer one received message: a passive Reply, or None for ``success`` (nothing to say,
        or the answer is delivered otherwise).

        The message is answered once, however many copies of it arrive (in any gateway process).
        Every copy waits for that one answer, and the newest copy still waiting when it is ready
        returns it as the passive reply: WeChat sends a retry only once it stopped listening to
        the copy before, so an older copy answers ``success`` as soon as a newer one arrives.
        When no copy is waiting any more, the answer goes through the customer-service API.
        Without that API (no WECHAT_APP_ID/WECHAT_APP_SECRET) a copy waits as long as WeChat
        does, so that WeChat's next retry can take the answer; an answer nobody could take is
        logged as an error."""
        self._count("gateway_wechat_messages_total")
        key = inbound.dedupe_key
        waiter = uuid.uuid4().hex
        wait_until = utcnow() + timedelta(seconds=self._patience_seconds())
        try:
            claim = await run_in_threadpool(self.state.claim, key, inbound.openid, waiter, wait_until)
        except Exception:
            log.exception("wechat: the de-duplication store failed for %s", key)
            return await self._handle_without_store(inbound)
        if claim.new:
            answer = asyncio.create_task(self._respond(inbound, deduplicated=True))
            self._spawn(self._hand_over(inbound, answer))
        else:
            self._count("gateway_wechat_duplicates_total")
            log.info("wechat retry of %s (answered: %s)", key, claim.done)
            if claim.done:
                return Reply(claim.reply) if claim.reply else None
        return await self._wait_for_answer(key, waiter, wait_until)

    def _patience_seconds(self) -> float:
        """How long a copy waits for the answer: the reply budget when the customer-service API
        can deliver a later answer; without it as long as WeChat waits (answering ``success``
        earlier would stop WeChat's retries, the only way left to deliver the answer)."""
        if self.api is not None:
            return self.reply_budget_seconds
        return max(self.reply_budget_seconds, self.wechat_wait_seconds + HOLD_MARGIN_SECONDS)

    async def _wait_for_answer(self, dedupe_key: str, waiter: str, wait_until: datetime) -> Reply | None:
        """The answer when this copy is the one to deliver it; None (``success``) when a newer
        copy took over or the answer was not ready in time (it then follows through the API)."""
        while True:
            wakeup = self._wakeups.setdefault(dedupe_key, asyncio.Event())  # before looking: no lost wake-up
            try:
                handover = await run_in_threadpool(self.state.take, dedupe_key, waiter)
            except Exception:
                log.exception("wechat: could not look for the answer to %s", dedupe_key)
                return None
            if handover.state in ("taken", "done"):
                texts = handover.texts
                return Reply(texts[0], texts[1:]) if texts else None
            if handover.state == "superseded":
                return None
            remaining = (wait_until - utcnow()).total_seconds()
            if remaining <= 0:
                return None
            # woken at once by an answer computed here; another process's answer is polled for
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wakeup.wait(), min(POLL_SECONDS, remaining))

    async def _hand_over(self, inbound: Inbound, answer: asyncio.Task[list[str]]) -> None:
        """Once the answer is computed, leave it for the copy waiting for it; when no copy can
        take it any more, send it through the customer-service API (or log it as lost)."""
        key = inbound.dedupe_key
        started = time.monotonic()
        texts = await answer
        try:
            await run_in_threadpool(self.state.answer_ready, key, texts)
        except Exception as exc:  # the error's text would carry the answer's: only its kind is logged
            log.error("wechat: could not hand over the answer to %s (%s); it goes through the API", key, type(exc).__name__)
            await self._deliver_late(key, inbound.openid, texts)
            return
        self._wake(key)
        if self.api is None and texts and time.monotonic() - started > self.reply_budget_seconds:
            log.error(
                "wechat: the answer to %s took %.1fs, more than the passive-reply budget, and the customer-service API "
                "is not configured (WECHAT_APP_ID/WECHAT_APP_SECRET): it can only go to a retry of WeChat still waiting",
                key, time.monotonic() - started,
            )
        while True:
            try:
                pending = await run_in_threadpool(self.state.pending, key)
                if pending is None or pending.status == DONE:
                    return
                delay = (self._push_after(pending) - utcnow()).total_seconds()
                if delay > 0:
                    await asyncio.sleep(min(delay, OWNER_POLL_SECONDS))
                    continue
                late = await run_in_threadpool(self.state.take_for_push, key)
            except Exception:
                log.exception("wechat: could not hand over the answer to %s: it is lost", key)
                return
            if late is not None:
                await self._deliver_late(key, inbound.openid, late)
                return

    def _push_after(self, pending: Pending) -> datetime:
        """When no copy can take the answer any more: the newest copy's wait is over and, without
        the customer-service API, WeChat's last retry cannot come any more either."""
        moments = [pending.waiter_until or pending.created_at]
        if self.api is None:
            retries_over = WECHAT_DELIVERIES_AT_MOST * self.wechat_wait_seconds + HOLD_MARGIN_SECONDS
            moments.append(pending.created_at + timedelta(seconds=retries_over))
        return max(moments)

    async def _deliver_late(self, dedupe_key: str, openid: str, texts: list[str]) -> None:
        """An answer no request could return: through the customer-service API, or logged as lost."""
        if not texts:
            return
        if self.api is None:
            self._count("gateway_wechat_lost_answers_total")
            log.error(
                "wechat: the answer to %s is lost: no retry of WeChat was waiting when it was ready, and the "
                "customer-service API is not configured (set WECHAT_APP_ID and WECHAT_APP_SECRET)",
                dedupe_key,
            )
            return
        log.info("wechat answer of %s not ready in time: it follows through the API", dedupe_key)
        self._count("gateway_wechat_slow_answers_total")
        await self.send(openid, texts)

    def _wake(self, dedupe_key: str) -> None:
        wakeup = self._wakeups.pop(dedupe_key, None)
        if wakeup is not None:
            wakeup.set()

    async def _handle_without_store(self, inbound: Inbound) -> Reply | None:
        """Answer a message while the de-duplication store fails (the error is logged).

        Failing closed: a retry must not become a second bot turn, and without the store a retry
        looks like a first delivery. The conversation's messages table then decides, as the
        question is stored with the message's key (``_ask``): a question it records as new is
        asked, one stored before is not, and if it fails too nothing is asked and the request
        gets ``success``. So a user's first message is still answered whenever the database
        can store it; replies that ask the assistant nothing (welcome, notes) are given anyway."""
        answer = asyncio.create_task(self._respond(inbound, deduplicated=False))
        done, _ = await asyncio.wait({answer}, timeout=self.reply_budget_seconds)
        if done:
            texts = answer.result()
            return Reply(texts[0], texts[1:]) if texts else None
        self._spawn(self._deliver_when_computed(inbound, answer))
        return None

    async def _deliver_when_computed(self, inbound: Inbound, answer: asyncio.Task[list[str]]) -> None:
        await self._deliver_late(inbound.dedupe_key, inbound.openid, await answer)

    def _spawn(self, coroutine: Awaitable[None]) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _respond(self, inbound: Inbound, *, deduplicated: bool) -> list[str]:
        """The texts answering ``inbound`` (the turn, the assistant's replies, the menu kept);
        ``deduplicated``: the de-duplication store recorded the message as new."""
        try:
            turn = await self._turn(inbound)
            replies = turn.replies
            if turn.question is not None:
                replies = await self._ask(inbound, turn, deduplicated=deduplicated)
            text, buttons = render(replies, self.public_base_url)
            if buttons or (turn.question is not None and replies):
                await self._remember_menu(inbound.openid, buttons)
            return split_text(text)
        except Exception:
            log.exception("wechat: could not answer %s", inbound.dedupe_key)
            return [BUSY_TEXT]

    async def _remember_menu(self, openid: str, buttons: list[Button]) -> None:
        """Keep ``buttons`` as the user's numbered menu (none: forget it); a database failure only
        costs the menu, not the answer."""
        try:
            await run_in_threadpool(self.state.set_menu, openid, buttons)
        except Exception:
            log.exception("wechat: could not remember the menu of %s", openid)

    async def _turn(self, inbound: Inbound) -> Turn:
        message = inbound.message
        if isinstance(message, TextMessage):
            return await self._text_turn(inbound.openid, message.content or "")
        if isinstance(message, (SubscribeEvent, SubscribeScanEvent)):
            return Turn(replies=[BotMessage(text=WELCOME_TEXT, buttons=WELCOME_BUTTONS)])
        if isinstance(message, ClickEvent):
            question = CLICK_QUESTIONS.get(message.key or "")
            return Turn(question=question) if question else Turn(replies=[BotMessage(text=UNKNOWN_MENU_KEY)])
        if is_event(message):
            return Turn()  # unsubscribe, menu links, location reports …: nothing to say
        if message.type in MEDIA_TYPES:
            return Turn(replies=[BotMessage(text=MEDIA_NOTE)])
        return Turn(replies=[BotMessage(text=UNSUPPORTED_NOTE)])

    async def _text_turn(self, openid: str, content: str) -> Turn:
        text = content.strip()
        if not text:
            return Turn(replies=[BotMessage(text=EMPTY_TEXT)])
        if len(text) > self.max_chars:
            return Turn(replies=[BotMessage(text=too_long_text(self.max_chars))])
        number = menu_choice(text)
        if number is not None:
            menu = await run_in_threadpool(self.state.menu, openid)
            if menu:
                if not 1 <= number <= len(menu):
                    return Turn(replies=[BotMessage(text=menu_range_text(len(menu)))])
                return Turn(question=menu[number - 1].payload, title=menu[number - 1].title)
        return Turn(question=text)

    async def _ask(self, inbound: Inbound, turn: Turn, *, deduplicated: bool) -> list[BotMessage]:
        """Store the question, ask the assistant (one question at a time per user), store the
        replies. A question already stored under the message's key is not asked again; when it
        cannot be stored and the de-duplication store failed too, it is not asked at all."""
        assert turn.question is not None
        session_id = inbound.session_id
        lock = self._locks.setdefault(session_id, asyncio.Lock())
        async with lock:
            try:
                saved = await run_in_threadpool(
                    self.messages.save_user_message, session_id, turn.question,
                    client_id=inbound.dedupe_key, title=turn.title, channel=CHANNEL,
                )
                if not saved.created:  # stored before: another gateway process is answering it
                    return []
            except Exception:
                if not deduplicated:
                    log.exception("wechat: %s cannot be told from a retry (no store works): not answered", inbound.dedupe_key)
                    return []
                log.exception("wechat: could not store a message of session=%s", session_id)
            replies = await self.route(session_id, turn.question)
            if replies:
                try:
                    await run_in_threadpool(self.messages.save_bot_messages, session_id, replies, channel=CHANNEL)
                except Exception:
                    log.exception("wechat: could not store replies of session=%s", session_id)
            return replies

    # --- sending through the customer-service API ------------------------------------------------

    async def send(self, openid: str, texts: Sequence[str]) -> bool:
        """Send ``texts`` in order through the customer-service API; False if any could not be sent."""
        if not texts:
            return True
        if self.api is None:
            log.error("wechat: %d message(s) not sent: WECHAT_APP_ID/WECHAT_APP_SECRET not set", len(texts))
            return False
        for text in texts:
            try:
                await self.api.send_text(openid, text)
            except (WeChatClientException, requests.RequestException) as exc:
                self._count("gateway_wechat_push_errors_total")
                log.warning("wechat: customer-service message to %s failed: %s", openid, exc)
                return False
            self._count("gateway_wechat_pushes_total")
        return True

    async def push(self, session_id: str, messages: Sequence[BotMessage]) -> bool:
        """Deliver messages (staff replies, reminders) to a WeChat user; the caller stores them.
        Their buttons become the user's numbered menu."""
        openid = session_id.removeprefix(SESSION_PREFIX)
        if not session_id.startswith(SESSION_PREFIX) or not OPENID_RE.match(openid):
            log.warning("wechat: cannot push to session %s (not a WeChat conversation)", session_id)
            return False
        text, buttons = render(messages, self.public_base_url)
        if buttons:
            await self._remember_menu(openid, buttons)
        return await self.send(openid, split_text(text))

    async def close(self) -> None:
        """At shutdown: let answers still on their way finish (briefly)."""
        if self._tasks:
            _, pending = await asyncio.wait(set(self._tasks), timeout=SHUTDOWN_GRACE_SECONDS)
            for task in pending:
                task.cancel()


_current: WeChatChannel | None = None


def set_current(channel: WeChatChannel | None) -> None:
    """The process's channel, used by :func:`push_to_wechat` (set by the gateway at start-up)."""
    global _current
    _current = channel


async def push_to_wechat(session_id: str, messages: list[BotMessage]) -> bool:
    """Send ``messages`` to the WeChat user of ``session_id`` ("wx-" + openid) through the
    customer-service API. False when the gateway's WeChat channel is not running or WeChat
    refused (e.g. the user has not written in the last 48 hours)."""
    if _current is None:
        log.warning("wechat: push to %s while the channel is not running", session_id)
        return False
    return await _current.push(session_id, messages)
