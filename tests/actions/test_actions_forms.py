"""The form actions with a CollectingDispatcher and tracker fixtures, on a throw-away database."""

from __future__ import annotations

import pytest

from persistence import drafts
from actions.forms.application import (
    ActionAskFormAnswer,
    ActionFinishApplication,
    ActionResumeApplication,
    ActionStartApplication,
    ValidateApplicationForm,
)


@pytest.fixture(autouse=True)
def draft_db(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'assistant.db'}")
    drafts.get_draft_store.cache_clear()
    yield
    drafts.get_draft_store.cache_clear()


def slots_of(events: list[dict]) -> dict:
    return {event["name"]: event["value"] for event in events if event.get("event") == "slot"}


def texts(dispatcher) -> str:
    return "\n".join(message.get("text") or "" for message in dispatcher.messages)


def test_an_unclear_request_offers_one_button_per_form(dispatcher, make_tracker, domain):
    events = ActionStartApplication().run(dispatcher, make_tracker("我要填表", "start_application"), domain)

    titles = [button["title"] for button in dispatcher.messages[0]["buttons"]]
    assert slots_of(events) == {"form_ready": False}
    assert "上海市5G+医疗健康应用试点项目申报书" in titles and any("延期" in title for title in titles)
    assert any("智慧医疗" in title for title in titles)


def start(dispatcher, make_tracker, domain, text: str, entities=None) -> str:
    events = ActionStartApplication().run(dispatcher, make_tracker(text, "start_application", entities), domain)
    slots = slots_of(events)
    assert slots["form_ready"] is True
    return slots["draft_code"]


def test_a_named_form_starts_a_saved_draft_with_a_resume_code(dispatcher, make_tracker, domain):
    code = start(dispatcher, make_tracker, domain, "帮我填验收申请书")

    assert drafts.CODE_PATTERN.fullmatch(code)
    assert f"继续填写 {code}" in texts(dispatcher)
    assert drafts.get_draft_store().get(code).draft.form_id == "accept_application"


def test_a_question_midway_is_answered_and_the_field_stays(dispatcher, make_tracker, domain):
    code = start(dispatcher, make_tracker, domain, "帮我填验收申请书")
    dispatcher.messages.clear()
    tracker = make_tracker("验收资料什么时候截止？", "ask_deadline", slots={"draft_code": code})

    result = ValidateApplicationForm().validate_form_answer("验收资料什么时候截止？", dispatcher, tracker, domain)

    assert result == {"form_answer": None, "draft_code": code}
    assert "2024年1月10日" in texts(dispatcher) and "下面继续填写" in texts(dispatcher)
    assert drafts.get_draft_store().get(code).draft.values == {}


@pytest.mark.parametrize("question", ["材料要交几份？", "什么时候截止", "有问题找谁咨询？"])
def test_a_question_midway_that_names_no_program_is_about_the_forms_program(dispatcher, make_tracker, domain, question):
    code = start(dispatcher, make_tracker, domain, "帮我填验收申请书")
    dispatcher.messages.clear()
    tracker = make_tracker(question, "ask_documents", slots={"draft_code": code})

    ValidateApplicationForm().validate_form_answer(question, dispatcher, tracker, domain)

    assert "哪个项目" not in texts(dispatcher) and "【上海市5G+医疗健康应用试点项目验收】" in texts(dispatcher)


def test_pause_then_finish_gives_the_code_and_resume_finds_the_draft(dispatcher, make_tracker, domain):
    code = start(dispatcher, make_tracker, domain, "项目要延期，帮我填表")
    validate = ValidateApplicationForm()
    validate.validate_form_answer("基于5G的急诊救治平台", dispatcher, make_tracker("基于5G的急诊救治平台", "chitchat", slots={"draft_code": code}), domain)

    paused = validate.validate_form_answer("暂停", dispatcher, make_tracker("暂停", "deny", slots={"draft_code": code}), domain)
    dispatcher.messages.clear()
    ActionFinishApplication().run(dispatcher, make_tracker("暂停", "deny", slots={"draft_code": code, "form_answer": "paused"}), domain)

    assert paused["form_answer"] == "paused"
    assert f"继续填写 {code}" in texts(dispatcher)
    dispatcher.messages.clear()
    events = ActionResumeApplication().run(dispatcher, make_tracker(f"继续填写 {code.lower()}", "resume_application"), domain)
    assert slots_of(events)["form_ready"] is True and "已填1项" in texts(dispatcher)


def test_an_unknown_code_is_said_plainly(dispatcher, make_tracker, domain):
    events = ActionResumeApplication().run(dispatcher, make_tracker("继续填写 ZZZZ2222", "resume_application"), domain)

    assert slots_of(events) == {"form_ready": False}
    assert "没有找到编号为 ZZZZ2222" in texts(dispatcher)


def test_a_person_asked_for_after_three_refused_answers_is_a_form_validation_handoff(dispatcher, make_tracker, domain):
    code = start(dispatcher, make_tracker, domain, "帮我填验收申请书")  # first field: 填报时间, a date
    validate = ValidateApplicationForm()
    for _ in range(3):
        validate.validate_form_answer("下周吧", dispatcher, make_tracker("下周吧", "chitchat", slots={"draft_code": code}), domain)
    assert {"title": "转人工", "payload": "/request_human"} in dispatcher.messages[-1]["buttons"]

    wants = validate.validate_form_answer("/request_human", dispatcher, make_tracker("/request_human", "request_human", slots={"draft_code": code}, confidence=1.0), domain)
    dispatcher.messages.clear()
    ActionFinishApplication().run(dispatcher, make_tracker("/request_human", "request_human", slots={"draft_code": code, "form_answer": "handoff"}), domain)

    assert wants["form_answer"] == "handoff"
    assert f"继续填写 {code}" in texts(dispatcher)
    assert dispatcher.messages[-1]["custom"] == {"handoff": {"reason": "form_validation"}}


def test_every_code_can_be_typed_back_in_lower_case():
    codes = [drafts.new_code() for _ in range(2000)]

    assert all(drafts.find_code(f"继续填写 {code.lower()}") == code for code in codes)


# --- issue 15: the chat's profile, a closed round, the prompt marker ----------------------------------

SH5G_FORM = [{"entity": "form", "value": "sh5g_application"}]

def test_what_the_applicant_said_in_the_chat_answers_the_pre_check(dispatcher, make_tracker, domain):
    said = "我们是上海注册的独立法人医院，拉了两家联合单位"
    tracker = make_tracker("帮我填上海5G申报书", "start_application", SH5G_FORM, slots={"situation": said})

    events = ActionStartApplication().run(dispatcher, tracker, domain)
    code = slots_of(events)["draft_code"]
    dispatcher.messages.clear()
    ActionAskFormAnswer().run(dispatcher, make_tracker("", None, slots={"draft_code": code}), domain)

    draft = drafts.get_draft_store().get(code).draft
    assert draft.eligibility == {"legally_established_in_shanghai": True, "independent_legal_person": True, "partner_count": 2}
    assert "牵头申报了其他项目" in texts(dispatcher) and "依法设立" not in texts(dispatcher)


def test_the_carried_answers_are_told_with_the_start(dispatcher, make_tracker, domain):
    tracker = make_tracker("帮我填上海5G申报书", "start_application", SH5G_FORM, slots={"situation": "联合单位3家"})

    ActionStartApplication().run(dispatcher, tracker, domain)

    assert "不再重复询问" in texts(dispatcher) and "答：3" in texts(dispatcher)


def test_a_closed_round_is_said_with_its_dates_and_the_form_still_starts(dispatcher, make_tracker, domain):
    events = ActionStartApplication().run(dispatcher, make_tracker("帮我填上海5G申报书", "start_application", SH5G_FORM), domain)

    assert slots_of(events)["form_ready"] is True
    assert "2021年1月15日至1月19日" in texts(dispatcher) and "已于2021年1月19日17:00截止" in texts(dispatcher)
    assert "仍可以继续填写" in texts(dispatcher)


def test_a_form_prompt_is_marked_for_the_web_chat(dispatcher, make_tracker, domain):
    code = start(dispatcher, make_tracker, domain, "帮我填验收申请书")
    dispatcher.messages.clear()

    ActionAskFormAnswer().run(dispatcher, make_tracker("", None, slots={"draft_code": code}), domain)

    assert dispatcher.messages[-1]["custom"] == {"kind": "form_prompt"}
    assert dispatcher.messages[-1]["text"].startswith("（1/")
