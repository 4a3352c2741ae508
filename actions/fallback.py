"""What the assistant says when a request is outside its scope or not understood: what it can
help with, a way to a person, and the contacts. It never guesses. Not understood twice in a
row: it offers a person first."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from knowledge.api import KnowledgeBase, get_knowledge
from messaging import NOT_UNDERSTOOD, NOT_UNDERSTOOD_AGAIN
from knowledge.reply import Context
from knowledge.situation import read_situation, tells_about_oneself
from knowledge.text import normalize
from knowledge.wording import WHAT_TO_DO

from .handoff import previous_action
from .replies import send_reply



class ActionOutOfScope(Action):
    def name(self) -> str:
        return "action_out_of_scope"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        kb = get_knowledge()
        text = tracker.latest_message.get("text") or ""
        if kb.composer.detector.detect(text).by_name or asks_what_to_do_in_its_state(text, tracker.get_slot("situation") or ""):
            # "我是区卫健委的，想了解上海市5G+医疗健康应用试点": it names one of ours, so it is in scope;
            # "那现在该怎么办" after "我们的试点任务没按期完成": what to do in a state the notices cover
            from .answer import ActionAnswerQuestion

            return ActionAnswerQuestion().run(dispatcher, tracker, domain)
        send_reply(dispatcher, kb.composer.out_of_scope())
        return []


def asks_what_to_do_in_its_state(text: str, said_before: str) -> bool:
    """A "what now" question while the conversation has said what state the project is in."""
    if not WHAT_TO_DO.search(normalize(text)):
        return False
    return "project_state" in read_situation(said_before).updated_by(read_situation(text)).profile


def understood(kb: KnowledgeBase, text: str, said_before: str = "") -> bool:
    """A question that names a program or a topic is answered (or clarified) from the facts; so is
    what the applicant says of their own unit or plans ("明年要去国外进修半年"), kept for the next
    turn, and a bare "这样行吗" about what they said."""
    return bool(
        kb.composer.topics.best(text) or kb.composer.detector.detect(text).programs or tells_about_oneself(text)
        or kb.composer.asks_of_what_was_said(text, Context(situation=said_before))
    )


def previous_user_text(tracker: Tracker) -> tuple[str, str | None] | None:
    """(text, intent) of the applicant's message before the latest one."""
    users = [e for e in tracker.events if e.get("event") == "user"]
    if len(users) < 2:
        return None
    previous = users[-2]
    return previous.get("text") or "", ((previous.get("parse_data") or {}).get("intent") or {}).get("name")


def failed_before(kb: KnowledgeBase, tracker: Tracker) -> bool:
    """The bot did not understand the applicant's previous message either."""
    previous = previous_user_text(tracker)
    if previous is None or previous_action(tracker) != "action_fallback":
        return False
    text, intent = previous
    return intent == "nlu_fallback" and not understood(kb, text)


class ActionFallback(Action):
    def name(self) -> str:
        return "action_fallback"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        kb = get_knowledge()
        text = tracker.latest_message.get("text") or ""
        if understood(kb, text, tracker.get_slot("situation") or ""):
            from .answer import ActionAnswerQuestion

            return ActionAnswerQuestion().run(dispatcher, tracker, domain)
        lead = NOT_UNDERSTOOD_AGAIN if failed_before(kb, tracker) else NOT_UNDERSTOOD
        send_reply(dispatcher, kb.composer.out_of_scope(lead=lead))
        return []
