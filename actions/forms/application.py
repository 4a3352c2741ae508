"""Guided filling: start or resume a draft, one field per turn through the Rasa form
``application_form``, then a document to download and the checklist of what to attach.

The form has a single required slot, ``form_answer``, filled from the applicant's text each
turn; ``validate_application_form`` hands that text to the engine (knowledge/forms/engine.py),
saves the draft, and clears the slot until the engine says the draft is finished, paused or
stopped. ``action_ask_form_answer`` asks whatever the engine says comes next.
"""

from __future__ import annotations

from dataclasses import replace

import logging
import re
import secrets
from collections.abc import Iterable, Mapping
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from messaging import CLIENT_KEY_METADATA
from knowledge.api import get_knowledge
from knowledge.forms.eligibility import EligibilityCheck, get_checks
from knowledge.forms.engine import (
    MAX_FAILURES_BEFORE_OFFERING_HELP,
    Draft,
    Outcome,
    handle,
    opening,
    prompt,
    start_draft,
)
from knowledge.forms.export import checklist_text, export_docx
from knowledge.forms.loader import get_forms
from knowledge.forms.rounds import closed_round_notice
from knowledge.forms.schema import FormSchema
from knowledge.models import Program
from knowledge.privacy import mask_pii
from knowledge.settings import get_settings
from knowledge.situation import read_situation

from ..answer import context_of
from ..handoff import request_person
from ..replies import send_reply
from persistence.drafts import Lockout, StoredDraft, code_hint, find_code, get_draft_store, get_resume_guard, mask_codes

log = logging.getLogger(__name__)

ANSWER_SLOT = "form_answer"
CODE_SLOT = "draft_code"
READY_SLOT = "form_ready"
SITUATION_SLOT = "situation"  # the applicant's own words about themselves (knowledge.situation), kept by actions/answer.py
# Marks the messages that ask a form's question, so the web chat can drop what does not belong
# under them (👍/👎): Rasa passes it as the message's ``custom`` part.
FORM_PROMPT_MARKER = {"kind": "form_prompt"}
_CLIENT_KEY = re.compile(r"[0-9a-f]{16,64}")
QUESTION_INTENT_CONFIDENCE = 0.6
_QUESTION_WORDS = re.compile(r"[?？]|吗|几份|几个|多少|什么|怎么|如何|哪里|哪些|哪个|是否需要|能不能|可不可以|要不要")


def eligibility_only(programs: Mapping[str, Program], checks: Mapping[str, EligibilityCheck], forms: Iterable[FormSchema]) -> dict[str, str]:
    """Programs with an eligibility pre-check but no form to fill (智慧医疗专项), named by their
    short name, in program order."""
    with_checks = {key for key, check in checks.items() if check.pre_check}
    with_forms = {form.program for form in forms}
    return {key: program.short_name for key, program in programs.items() if key in with_checks and key not in with_forms}


def _eligibility_only() -> dict[str, str]:
    return eligibility_only(get_knowledge().data.programs, get_checks(), get_forms().values())


def _form(draft: Draft) -> FormSchema | None:
    return get_forms()[draft.form_id] if draft.form_id else None


def _title(draft: Draft) -> str:
    form = _form(draft)
    return form_label(form) if form else f"{_eligibility_only().get(draft.program, draft.program)}申报资格预审"


def _send(dispatcher: CollectingDispatcher, text: str, buttons: list[dict[str, str]] | None = None) -> None:
    if text or buttons:
        dispatcher.utter_message(text=text, buttons=buttons or [])


def _loaded(tracker: Tracker) -> StoredDraft | None:
    code = tracker.get_slot(CODE_SLOT)
    store = get_draft_store()
    stored = store.get(code) if code else None
    return stored or store.latest_open(tracker.sender_id)


# --- choosing what to fill --------------------------------------------------------------------

def form_label(form: FormSchema) -> str:
    """The form's title, with its program named when another form's title contains it (the
    national 申报书 is titled like the Shanghai one without 上海市)."""
    ambiguous = any(form.title in other.title for other in get_forms().values() if other.id != form.id)
    return f"{form.title}（{get_knowledge().data.programs[form.program].short_name}）" if ambiguous else form.title


def _choice_buttons() -> list[dict[str, str]]:
    order = list(get_knowledge().data.programs)
    forms = sorted(get_forms().values(), key=lambda form: (order.index(form.program), form.id))
    buttons = [{"title": form_label(form), "payload": f'/start_application{{"form":"{form.id}"}}'} for form in forms]
    for program, title in _eligibility_only().items():
        buttons.append({"title": f"{title}（资格预审）", "payload": f'/start_application{{"form":"{program}"}}'})
    return buttons


def choose_form(text: str, form_entity: str | None, programs: list[str]) -> str | None:
    """The form (or eligibility-only program) the applicant means, or None when unclear."""
    forms, without_form = get_forms(), _eligibility_only()
    if form_entity and (form_entity in forms or form_entity in without_form):
        return form_entity
    by_keyword = [form.id for form in forms.values() if any(word in text for word in form.keywords)]
    if len(by_keyword) == 1:
        return by_keyword[0]
    candidates = [form.id for form in forms.values() if form.program in programs]
    candidates += [program for program in programs if program in without_form]
    if by_keyword:
        candidates = [form_id for form_id in candidates if form_id in by_keyword] or by_keyword
    return candidates[0] if len(candidates) == 1 else None


def _program_entities(tracker: Tracker) -> list[str]:
    found = [e.get("value") for e in tracker.latest_message.get("entities", []) if e.get("entity") == "program"]
    return [value for value in found if isinstance(value, str)]


class ActionStartApplication(Action):
    def name(self) -> str:
        return "action_start_application"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        text = tracker.latest_message.get("text") or ""
        form_entity = next(tracker.get_latest_entity_values("form"), None)
        programs = _program_entities(tracker) or list(tracker.get_slot("programs") or [])
        choice = choose_form(text if not text.startswith("/") else "", form_entity, programs)
        if choice is None:
            _send(dispatcher, "请选择要填写的表格（申报书会先做资格预审）：", _choice_buttons())
            return [SlotSet(READY_SLOT, False)]
        form = get_forms().get(choice)
        program = form.program if form else choice
        profile = read_situation(tracker.get_slot(SITUATION_SLOT) or "").profile
        draft = start_draft(form, program, profile)
        opened = opening(form, draft)
        stored = get_draft_store().create(tracker.sender_id, draft)
        log.info("form started code=%s form=%s sender=%s carried=%s", code_hint(stored.code), choice,
                 tracker.sender_id, sorted(draft.eligibility))
        _send(
            dispatcher,
            f"好的，开始填写《{_title(draft)}》。您的填写编号是 {stored.code}，每填一项都会自动保存；"
            f"中途离开后回复“继续填写 {stored.code}”即可接着填（换设备或渠道也可以）。"
            "随时可以回复“查看已填内容”“上一步”“修改+栏目名称”或“暂停”，也可以直接问申报问题。",
        )
        notice = closed_round_notice(form) if form else None
        if notice:
            _send(dispatcher, notice)
        for number, message in enumerate(opened.messages, start=1):
            _send(dispatcher, message, opened.buttons if number == len(opened.messages) else None)
        if opened.status != "continue":  # the chat's answers already decided the pre-check
            return [SlotSet(CODE_SLOT, stored.code), SlotSet(READY_SLOT, False)]
        return [SlotSet(CODE_SLOT, stored.code), SlotSet(ANSWER_SLOT, None), SlotSet(READY_SLOT, True)]


def client_key_of(tracker: Tracker) -> str | None:
    """The gateway's key of the client address behind the latest message (message metadata), if any."""
    metadata = tracker.latest_message.get("metadata")
    if not isinstance(metadata, dict):
        # Rasa 3.6 leaves metadata out of latest_message; the user event keeps it.
        user_event = next((event for event in reversed(tracker.events) if event.get("event") == "user"), None)
        metadata = user_event.get("metadata") if user_event else None
    key = metadata.get(CLIENT_KEY_METADATA) if isinstance(metadata, dict) else None
    return key if isinstance(key, str) and _CLIENT_KEY.fullmatch(key) else None


class ActionResumeApplication(Action):
    def name(self) -> str:
        return "action_resume_application"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        store = get_draft_store()
        code = find_code(tracker.latest_message.get("text") or "")
        if code:
            found = get_resume_guard().try_code(tracker.sender_id, client_key_of(tracker), lambda: store.get(code))
        else:
            found = store.latest_open(tracker.sender_id)  # the conversation's own draft: nothing guessed
        if isinstance(found, Lockout):
            _send(dispatcher, f"输入错误的填写编号次数过多，为保护各单位已填写的内容，按编号继续填写已暂停，请约{found.minutes}分钟后再试。"
                              "在此之前输入的编号（包括正确的编号）都不会被查询；如需帮助请回复“转人工”。")
            return [SlotSet(READY_SLOT, False)]
        stored = found
        if stored is None:
            if code:
                _send(dispatcher, f"没有找到编号为 {code} 的填写记录，请核对编号（8位字母数字）后再试，或回复“我要填写申报书”重新开始。")
            else:
                _send(dispatcher, "没有找到您未完成的填写记录。请回复“继续填写”加上填写编号，或回复“我要填写申报书”开始填写。")
            return [SlotSet(READY_SLOT, False)]
        draft = stored.draft
        if draft.phase in ("done", "stopped"):
            _send(dispatcher, f"编号 {stored.code} 的《{_title(draft)}》已经填写完成，不能继续填写。如需重新填写请回复“我要填写申报书”。")
            return [SlotSet(READY_SLOT, False)]
        if draft.phase == "paused":
            draft.phase = draft.resume_phase or "fields"
            draft.resume_phase = None
        store.save(stored.code, draft, sender_id=tracker.sender_id)
        filled = sum(1 for value in draft.values.values() if value not in (None, "", []))
        _send(dispatcher, f"已找到编号 {stored.code} 的《{_title(draft)}》（已填{filled}项），接着填写：")
        return [SlotSet(CODE_SLOT, stored.code), SlotSet(ANSWER_SLOT, None), SlotSet(READY_SLOT, True)]


# --- one turn of the form ---------------------------------------------------------------------

def _is_question(tracker: Tracker, text: str) -> bool:
    intent = tracker.latest_message.get("intent") or {}
    name = intent.get("name") or ""
    return (
        name.startswith("ask_")
        and (intent.get("confidence") or 0) >= QUESTION_INTENT_CONFIDENCE
        and bool(_QUESTION_WORDS.search(text))
    )


def _wants_person(tracker: Tracker) -> bool:
    intent = tracker.latest_message.get("intent") or {}
    return intent.get("name") == "request_human" and (intent.get("confidence") or 0) >= 0.8


class ValidateApplicationForm(FormValidationAction):
    def name(self) -> str:
        return "validate_application_form"

    def validate_form_answer(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        stored = _loaded(tracker)
        if stored is None:
            _send(dispatcher, "没有找到正在填写的表格，请回复“我要填写申报书”重新开始。")
            return {ANSWER_SLOT: "stopped"}
        text = str(slot_value or "").strip()
        if not text:
            # The form validates the slot the start/resume action just cleared: nothing was said.
            return {ANSWER_SLOT: None, CODE_SLOT: stored.code}
        if _wants_person(tracker):
            stored.draft.resume_phase = stored.draft.phase
            stored.draft.phase = "paused"
            get_draft_store().save(stored.code, stored.draft, sender_id=tracker.sender_id)
            return {ANSWER_SLOT: "handoff", CODE_SLOT: stored.code}
        if _is_question(tracker, text):
            self._answer_question(dispatcher, tracker, text, stored.draft.program)
            return {ANSWER_SLOT: None, CODE_SLOT: stored.code}

        outcome: Outcome = handle(_form(stored.draft), stored.draft, text)
        get_draft_store().save(stored.code, stored.draft, sender_id=tracker.sender_id)
        log.info("form turn code=%s status=%s phase=%s text=%s", code_hint(stored.code), outcome.status, stored.draft.phase,
                 mask_codes(mask_pii(text)))
        for number, message in enumerate(outcome.messages, start=1):
            _send(dispatcher, message, outcome.buttons if number == len(outcome.messages) else None)
        if outcome.status == "continue":
            return {ANSWER_SLOT: None, CODE_SLOT: stored.code}
        return {ANSWER_SLOT: outcome.status, CODE_SLOT: stored.code}

    @staticmethod
    def _answer_question(dispatcher: CollectingDispatcher, tracker: Tracker, text: str, program: str) -> None:
        """A question in the middle of a form is about the form's program unless it names another."""
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        context = replace(context_of(tracker), programs=(program,))
        reply = get_knowledge().answer(text, intent=intent, nlu_programs=_program_entities(tracker), context=context)
        send_reply(dispatcher, reply)
        dispatcher.utter_message(text="（以上是您问题的答复，下面继续填写）")


class ActionAskFormAnswer(Action):
    def name(self) -> str:
        return "action_ask_form_answer"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        stored = _loaded(tracker)
        if stored is None:
            _send(dispatcher, "没有找到正在填写的表格，请回复“我要填写申报书”开始。")
            return []
        question = prompt(_form(stored.draft), stored.draft)
        if question.text or question.buttons:
            dispatcher.utter_message(text=question.text, buttons=question.buttons, json_message=FORM_PROMPT_MARKER)
        return []


# --- after the form ---------------------------------------------------------------------------

def _export(stored: StoredDraft, form: FormSchema) -> tuple[str, str]:
    """Write the document behind a new unguessable token; returns (url, filename)."""
    token = secrets.token_urlsafe(24)
    filename = f"{form.filename}.docx"
    folder = get_settings().exports_dir / token
    folder.mkdir(parents=True, exist_ok=True)
    export_docx(form, stored.draft.values, folder / filename)
    get_draft_store().save(stored.code, stored.draft, document_token=token)
    return f"/files/{token}", filename


class ActionFinishApplication(Action):
    def name(self) -> str:
        return "action_finish_application"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        status = tracker.get_slot(ANSWER_SLOT)
        stored = _loaded(tracker)
        reset = [SlotSet(ANSWER_SLOT, None), SlotSet("requested_slot", None), SlotSet(READY_SLOT, False)]
        if stored is None:
            return reset
        title = _title(stored.draft)
        if status in ("paused", "handoff"):
            _send(dispatcher, f"已暂停，已填内容都已保存。填写编号：{stored.code}。回来后回复“继续填写 {stored.code}”即可接着填。")
            if status == "handoff":
                struggled = any(count >= MAX_FAILURES_BEFORE_OFFERING_HELP for count in stored.draft.failures.values())
                request_person(dispatcher, "form_validation" if struggled else "user_request")
            return reset
        form = _form(stored.draft)
        if status == "completed" and form is not None:
            url, filename = _export(stored, form)
            log.info("form exported code=%s form=%s", code_hint(stored.code), form.id)
            dispatcher.utter_message(
                text=f"《{title}》已生成，请下载后核对、签字盖章：{filename}",
                json_message={"attachment": {"url": url, "filename": filename}},
            )
            _send(dispatcher, checklist_text(form))
        elif status == "completed":
            _send(dispatcher, f"{title}已完成。可以继续问我申报材料、截止时间等问题。")
        return reset
