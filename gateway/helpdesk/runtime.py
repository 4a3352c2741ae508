"""The helpdesk inside the running gateway: what happens to an applicant's message during a
handoff, the notices the applicant gets, and how staff replies reach the applicant's channel.

``gateway.routers.chat.route_message`` (every channel) asks :meth:`Helpdesk.before_rasa`
first: commands of the helpdesk (``/helpdesk_request{"reason": …}``, ``/helpdesk_cancel``,
``/helpdesk_rate{"score": 1-5}``, or a plain "1"-"5" while a rating is asked) are answered
here, and while a person owns the conversation (or it waits for one) the bot stays silent.
Then :meth:`Helpdesk.after_rasa` turns an action's ``{"handoff": {"reason": …}}`` into a
queued request (replacing that message's text by the queue notice) and offers a person after
an answer rated down.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from dataclasses import dataclass, field
from typing import Any

from starlette.concurrency import run_in_threadpool

from connectors import outbound
from connectors.web import pushing_as
from persistence.staff_accounts import StaffAccounts, StaffIdentity
from gateway.helpdesk.applicants import ApplicantAccess
from gateway.helpdesk.bus import LocalBus
from gateway.helpdesk.callback import LeftContact, contact_in
from gateway.helpdesk.console_hub import ConsoleHub
from persistence.staff_faq import StaffFaqRepository
from persistence.database import make_session_factory
from gateway.helpdesk.hours import OfficeHours, parse_office_hours
from persistence.helpdesk_models import Handoff
from persistence.rounds import DatabaseChanges, RoundRepository
from gateway.helpdesk.service import HandoffService, RequestOutcome, clean_reason
from gateway.helpdesk.tracker import TrackerReader
from gateway.helpdesk.triage import CannedReplies, Triage
from persistence.drafts import DraftStore
from gateway.schemas import BotMessage, Button
from gateway.settings import REPO_ROOT, Settings
from knowledge.overlay import set_overlay
from persistence.messages import MessageStore

log = logging.getLogger(__name__)

REQUEST_COMMAND = "/helpdesk_request"
CANCEL_COMMAND = "/helpdesk_cancel"
RATE_COMMAND = "/helpdesk_rate"
PLAIN_RATING = re.compile(r"^\s*([1-5])\s*(分|星)?\s*$")
DEFAULT_TRACKER_DB = REPO_ROOT / "var" / "db" / "rasa_tracker.db"
STORING_CHANNELS = ("web",)
WATCH_REFRESH_SECONDS = 30.0  # their pusher stores what it delivers (connectors.web.push)

CANCEL_BUTTON = Button(title="取消转人工", payload=CANCEL_COMMAND)
BACK_BUTTON = Button(title="返回智能助手", payload=CANCEL_COMMAND)
RATING_BUTTONS = [Button(title=f"{n}分", payload=f'{RATE_COMMAND}{{"score":{n}}}') for n in range(5, 0, -1)]
OFFER_AFTER_DOWNVOTE = BotMessage(
    text="抱歉刚才的回答没能帮到您。如需进一步帮助，可以转人工客服，工作人员会为您解答。",
    buttons=[Button(title="转人工", payload=f'{REQUEST_COMMAND}{{"reason":"answer_rated_down"}}')],
)
RATING_PROMPT = "请为本次人工服务打分（1-5分，5分最满意）：点击下方按钮或直接回复数字即可。"
STILL_ASK_ME = "等待期间，政策问题仍可直接问我（申报助手）。"
CALLBACK_OFFER = "也可以留下手机号码或电子邮箱，工作人员会在工作时间回电或回信。"


def parse_command(text: str, command: str) -> dict[str, Any] | None:
    """``{…}`` after ``command`` (``{}`` when there is none); None if ``text`` is not it."""
    if not text.startswith(command):
        return None
    rest = text[len(command):].strip()
    if not rest:
        return {}
    try:
        value = json.loads(rest)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def queue_notice(outcome: RequestOutcome, hours: OfficeHours, channel: str) -> BotMessage:
    handoff = outcome.handoff
    if handoff.status == "active":
        return BotMessage(text="工作人员正在为您服务，请直接发送您的问题。")
    if handoff.kind == "live":
        return BotMessage(
            text=f"已为您转接人工客服，当前排队第{outcome.position}位，请稍候。接入前您可以先把问题发在这里。{STILL_ASK_ME}",
            buttons=[CANCEL_BUTTON],
        )
    where = "回复会通过公众号消息发给您" if channel == "wechat" else "回复会显示在本对话中，下次打开也能看到"
    if hours.is_open(handoff.requested_at):
        lead = "当前暂无人工客服在线。"
    else:
        lead = f"现在是非工作时间（人工客服工作时间：{hours.describe()}）。"
    return BotMessage(
        text=f"{lead}您可以直接在这里留言，工作人员会尽快回复您，{where}。{CALLBACK_OFFER}{STILL_ASK_ME}",
        buttons=[BACK_BUTTON],
    )


def waiting_notice(handoff: Handoff, position: int) -> BotMessage:
    if handoff.kind == "live":
        return BotMessage(text=f"您的消息已转给人工客服，当前排队第{position}位，请稍候。", buttons=[CANCEL_BUTTON])
    return BotMessage(text="已收到您的留言，工作人员会尽快回复您。", buttons=[BACK_BUTTON])


def callback_notice(contact: LeftContact, hours: OfficeHours) -> BotMessage:
    if contact.value is None:
        return BotMessage(text=f"{contact.problem}也可以留下电子邮箱。", buttons=[BACK_BUTTON])
    way = "回电" if contact.kind == "phone" else "回信"
    return BotMessage(
        text=f"已记录您的{contact.label}：{contact.value}，工作人员会在工作时间（{hours.describe()}）{way}。{STILL_ASK_ME}",
        buttons=[BACK_BUTTON],
    )


def assistant_note(handoff: Handoff, position: int) -> str:
    """Under the assistant's answer while a person is awaited: who answered, and the request still stands."""
    if handoff.kind == "live":
        return f"\n\n（以上为申报助手的自动回答。您仍在人工客服队列中，当前排队第{position}位。）"
    return "\n\n（以上为申报助手的自动回答。您的留言已保留，工作人员会尽快回复您。）"


@dataclass
class Helpdesk:
    """Everything the helpdesk needs in one process (``app.state.helpdesk``).

    ``watched`` holds the conversations that may have an open handoff (filled from the database
    at start and every ``WATCH_REFRESH_SECONDS``, and from every process's queue events), so
    that an ordinary message costs no database query before it reaches the bot.
    """

    store: MessageStore
    accounts: StaffAccounts
    handoffs: HandoffService
    faq: StaffFaqRepository
    applicants: ApplicantAccess
    tracker: TrackerReader
    drafts: DraftStore
    bus: LocalBus
    console: ConsoleHub
    rounds: RoundRepository
    triage: Triage
    canned: CannedReplies
    watched: set[str] = field(default_factory=set)
    _refresher: asyncio.Task[None] | None = None

    async def start(self) -> None:
        set_overlay(DatabaseChanges(self.rounds).overlay())  # this process's answers and FAQ: the gateway's database
        self.bus.subscribe(self._on_event)
        await self.bus.start()
        await self._refresh_watched()
        self._refresher = asyncio.create_task(self._keep_watched_fresh())

    def _on_event(self, event: dict[str, Any]) -> None:
        if event.get("t") == "queue" and isinstance(event.get("s"), str):
            self.watched.add(event["s"])

    async def _refresh_watched(self) -> None:
        self.watched |= await run_in_threadpool(self.handoffs.open_sessions)

    async def _keep_watched_fresh(self) -> None:
        while True:
            await asyncio.sleep(WATCH_REFRESH_SECONDS)
            try:
                await self._refresh_watched()
            except Exception:
                log.exception("helpdesk: could not read the open handoffs")

    async def _announce(self, handoff: Handoff) -> None:
        """Tell every process (consoles, routing) that this handoff changed."""
        self.watched.add(handoff.session_id)
        await self.bus.publish_async({"t": "queue", "h": handoff.id, "s": handoff.session_id})

    # --- the applicant's messages -------------------------------------------------------------

    async def before_rasa(self, session_id: str, text: str) -> list[BotMessage] | None:
        """Replies decided by the helpdesk (``[]``: stay silent), or None: ask the bot."""
        request = parse_command(text, REQUEST_COMMAND)
        if request is not None:
            return [await self.request(session_id, clean_reason(request.get("reason") or "user_request"), text)]
        if parse_command(text, CANCEL_COMMAND) is not None:
            return [await self.cancel(session_id)]
        rating = self._rating_in(text)
        if rating is not None:
            reply = await self.rate(session_id, rating)
            if reply is not None:
                return [reply]
        if session_id not in self.watched:
            return None
        handoff = await run_in_threadpool(self.handoffs.open_for, session_id)
        if handoff is None:
            self.watched.discard(session_id)
            return None
        if not handoff.bot_paused:
            return None
        await self._announce(handoff)
        if handoff.status == "active":
            return []  # a person owns the conversation: the bot is silent, staff see the message
        contact = contact_in(text) if handoff.kind == "message" else None
        if contact is not None:
            log.info("handoff %d callback %s left valid=%s", handoff.id, contact.kind, contact.value is not None)  # never the contact
            return [callback_notice(contact, self.handoffs.hours)]
        return None  # waiting: the assistant still answers knowledge questions (after_rasa marks them)

    async def _waiting_handoff(self, session_id: str) -> Handoff | None:
        if session_id not in self.watched:
            return None
        handoff = await run_in_threadpool(self.handoffs.open_for, session_id)
        return handoff if handoff is not None and handoff.status == "waiting" and handoff.bot_paused else None

    async def _while_waiting(self, handoff: Handoff, replies: list[BotMessage]) -> list[BotMessage]:
        """The assistant's cited answers pass, marked as its own; anything else it says (not
        understood, small talk) gives way to the waiting notice: the message is for staff."""
        position = await run_in_threadpool(self.handoffs.position, handoff)
        answers = [m for m in replies if m.citations]
        if not answers:
            return [waiting_notice(handoff, position)]
        answers[-1].text += assistant_note(handoff, position)
        return answers

    @staticmethod
    def _rating_in(text: str) -> int | None:
        command = parse_command(text, RATE_COMMAND)
        if command is not None:
            score = command.get("score")
            return score if isinstance(score, int) and not isinstance(score, bool) and 1 <= score <= 5 else None
        match = PLAIN_RATING.match(text)
        return int(match.group(1)) if match else None

    async def after_rasa(self, session_id: str, text: str, replies: list[BotMessage]) -> list[BotMessage]:
        carrier = next((m for m in replies if m.handoff is not None), None)
        if carrier is not None:
            reason = clean_reason((carrier.handoff or {}).get("reason") or "user_request")
            notice = await self.request(session_id, reason, text)
            carrier.text, carrier.buttons, carrier.citations = notice.text, notice.buttons, []
            carrier.handoff = None
            return replies
        waiting = await self._waiting_handoff(session_id)
        if waiting is not None:
            return await self._while_waiting(waiting, replies)
        if replies and await run_in_threadpool(self.handoffs.last_answer_rated_down, session_id):
            return [*replies, OFFER_AFTER_DOWNVOTE.model_copy(deep=True)]
        return replies

    async def request(self, session_id: str, reason: str, text: str = "") -> BotMessage:
        channel = await run_in_threadpool(self.handoffs.channel_of, session_id)
        dialogue = await run_in_threadpool(self.tracker.state, session_id)
        programs = dialogue.slots.get("programs")
        program = programs[0] if isinstance(programs, list) and len(programs) == 1 and isinstance(programs[0], str) else None
        outcome = await run_in_threadpool(
            lambda: self.handoffs.request(session_id, reason, channel=channel, text=text, program=program)
        )
        if outcome.created:
            log.info("handoff %d requested session=%s reason=%s kind=%s", outcome.handoff.id, session_id, reason, outcome.handoff.kind)
        await self._announce(outcome.handoff)
        return queue_notice(outcome, self.handoffs.hours, channel)

    async def cancel(self, session_id: str) -> BotMessage:
        outcome = await run_in_threadpool(self.handoffs.cancel, session_id)
        if outcome.handoff is None:
            return BotMessage(text="您当前没有转人工的请求，可以继续向我提问。")
        await self._announce(outcome.handoff)
        if outcome.kept:
            return BotMessage(text="已返回智能助手，您可以继续提问。您的留言已保留，工作人员回复后会发给您。")
        return BotMessage(text="已取消转人工，您可以继续向申报助手提问。")

    async def rate(self, session_id: str, score: int) -> BotMessage | None:
        handoff = await run_in_threadpool(self.handoffs.rate, session_id, score)
        if handoff is None:
            return None
        log.info("handoff %d rated %d", handoff.id, score)
        await self._announce(handoff)
        return BotMessage(text=f"感谢您的评价（{score}分）！还有其他问题可以继续问我。")

    # --- the staff's actions ------------------------------------------------------------------

    async def deliver(self, session_id: str, messages: list[BotMessage], *, sender: str) -> bool:
        """Send messages to the applicant on their channel; they are stored either way (the
        web chat replays them, and staff see them in the transcript)."""
        channel = await run_in_threadpool(self.handoffs.channel_of, session_id)
        if channel not in STORING_CHANNELS:
            await run_in_threadpool(self.store.save_bot_messages, session_id, messages, sender=sender, channel=channel)
        with pushing_as(sender):
            delivered = await outbound.deliver(channel, session_id, messages)
        if not delivered and channel in STORING_CHANNELS:
            await run_in_threadpool(self.store.save_bot_messages, session_id, messages, sender=sender, channel=channel)
        if not delivered:
            log.warning("helpdesk: %d message(s) for session=%s stored, not delivered now (%s)", len(messages), session_id, channel)
        return delivered

    async def claim(self, handoff_id: int, staff: StaffIdentity) -> Handoff:
        handoff = await run_in_threadpool(self.handoffs.claim, handoff_id, staff.id)
        log.info("handoff %d claimed by staff=%s", handoff_id, staff.username)
        await self.deliver(handoff.session_id, [BotMessage(text=f"工作人员{staff.display_name}已接入，请问有什么可以帮您？")], sender="system")
        await self._announce(handoff)
        return handoff

    async def release(self, handoff_id: int, staff: StaffIdentity) -> Handoff:
        handoff = await run_in_threadpool(self.handoffs.release, handoff_id, staff.id)
        position = await run_in_threadpool(self.handoffs.position, handoff)
        await self.deliver(handoff.session_id, [BotMessage(text=f"正在为您转接其他工作人员，当前排队第{position}位，请稍候。")], sender="system")
        await self._announce(handoff)
        return handoff

    async def end(self, handoff_id: int, staff: StaffIdentity, *, status: str, resolution: str = "") -> Handoff:
        handoff = await run_in_threadpool(self.handoffs.end, handoff_id, staff.id, status=status, resolution=resolution)
        log.info("handoff %d %s by staff=%s", handoff_id, status, staff.username)
        if status == "returned":
            notices = [BotMessage(text="工作人员已将对话交回申报助手，您可以继续提问。")]
        else:
            notices = [BotMessage(text="本次人工服务已结束，感谢您的耐心。如有新的问题，可以继续向申报助手提问。")]
        if handoff.rating_requested:
            notices.append(BotMessage(text=RATING_PROMPT, buttons=RATING_BUTTONS))
        await self.deliver(handoff.session_id, notices, sender="system")
        await self._announce(handoff)
        return handoff

    async def reply(self, handoff_id: int, staff: StaffIdentity, text: str) -> bool:
        handoff = await run_in_threadpool(self.handoffs.check_owner, handoff_id, staff.id)
        return await self.deliver(handoff.session_id, [BotMessage(text=text)], sender="staff")

    async def close(self) -> None:
        if self._refresher is not None:
            self._refresher.cancel()
        await self.console.close()
        await self.bus.stop()
        set_overlay(None)


_current: Helpdesk | None = None


def set_current(helpdesk: Helpdesk | None) -> None:
    """The process's helpdesk, consulted by ``route_message`` for every channel."""
    global _current
    _current = helpdesk


def current() -> Helpdesk | None:
    return _current


def build_helpdesk(settings: Settings, store: MessageStore, bus: LocalBus) -> Helpdesk:
    """The helpdesk on the gateway's database (``store`` should announce on ``bus``)."""
    sessions = make_session_factory(store.engine)
    hours = parse_office_hours(settings.helpdesk_office_hours, settings.helpdesk_timezone)
    accounts = StaffAccounts(sessions, session_hours=settings.staff_session_hours)
    console = ConsoleHub(accounts)
    bus.subscribe(console.on_event)
    return Helpdesk(
        store=store,
        accounts=accounts,
        handoffs=HandoffService(sessions, hours, accounts),
        faq=StaffFaqRepository(sessions),
        applicants=ApplicantAccess(sessions),
        tracker=TrackerReader(settings.rasa_tracker_db or str(DEFAULT_TRACKER_DB)),
        drafts=DraftStore(sessions),
        bus=bus,
        console=console,
        rounds=RoundRepository(sessions),
        triage=Triage(sessions),
        canned=CannedReplies(sessions),
    )
