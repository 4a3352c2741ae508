"""Resume codes cannot be guessed: wrong codes are limited per conversation and per client
address in the shared database, a right code waits out a lock, and no log shows a code."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from rasa_sdk import Tracker

from persistence import drafts
from actions.forms.application import (
    ActionFinishApplication,
    ActionResumeApplication,
    ActionStartApplication,
    ValidateApplicationForm,
    client_key_of,
)
from persistence.models import utcnow

ATTACKER_CLIENT = "a" * 32
OTHER_CLIENT = "b" * 32
LOCKED = "次数过多"


@pytest.fixture(autouse=True)
def draft_db(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'assistant.db'}")
    for name in ("RESUME_FAILURES_PER_SESSION", "RESUME_FAILURES_PER_CLIENT", "RESUME_LOCK_MINUTES"):
        monkeypatch.delenv(name, raising=False)
    drafts.get_draft_store.cache_clear()
    yield
    drafts.get_draft_store.cache_clear()


@pytest.fixture
def clock(monkeypatch):
    """The guard's clock, moved by hand (``clock.now += timedelta(...)``)."""

    class Clock:
        now = utcnow()

        def __call__(self):
            return self.now

    fake = Clock()
    monkeypatch.setattr(drafts.get_resume_guard(), "clock", fake)
    return fake


def tracker(text: str, sender: str = "s-attacker", client: str | None = ATTACKER_CLIENT, *, in_event: bool = False) -> Tracker:
    """A message as Rasa passes it to the actions: the gateway's client key in the message
    metadata, which Rasa 3.6 keeps in the user event (``in_event``) rather than latest_message."""
    metadata = {"client_key": client} if client else {}
    latest = {"text": text, "intent": {"name": "resume_application", "confidence": 0.99}, "entities": []}
    if not in_event:
        latest["metadata"] = metadata
    events = [{"event": "user", "text": text, "metadata": metadata}]
    return Tracker(sender, {"programs": None, "topic": None, "last_question": None}, latest, events, False, None, {}, None)


def resume(dispatcher, text: str, **kwargs) -> tuple[bool, str]:
    dispatcher.messages.clear()
    events = ActionResumeApplication().run(dispatcher, tracker(text, **kwargs), {})
    ready = any(e.get("name") == "form_ready" and e.get("value") is True for e in events)
    return ready, "\n".join(m.get("text") or "" for m in dispatcher.messages)


def a_draft(dispatcher, make_tracker) -> str:
    events = ActionStartApplication().run(dispatcher, make_tracker("帮我填验收申请书", "start_application"), {})
    return next(e["value"] for e in events if e.get("name") == "draft_code")


def wrong_code(number: int) -> str:
    """A well-formed code that is no draft's (codes of new drafts are random)."""
    return f"ZZZZ{number:04d}".replace("0", "2").replace("1", "3")


def test_after_five_wrong_codes_even_the_right_code_is_refused_with_a_clear_message(dispatcher, make_tracker, clock):
    code = a_draft(dispatcher, make_tracker)
    for number in range(5):
        ready, said = resume(dispatcher, f"继续填写 {wrong_code(number)}")
        assert not ready and "没有找到编号" in said

    ready, said = resume(dispatcher, f"继续填写 {code}")

    assert not ready
    assert LOCKED in said and "15分钟" in said and "已找到编号" not in said


def test_the_lock_expires_after_the_window(dispatcher, make_tracker, clock):
    code = a_draft(dispatcher, make_tracker)
    for number in range(5):
        resume(dispatcher, f"继续填写 {wrong_code(number)}")
    clock.now += timedelta(minutes=14)
    ready, said = resume(dispatcher, f"继续填写 {code}")
    assert not ready and "1分钟" in said

    clock.now += timedelta(minutes=1, seconds=1)
    ready, said = resume(dispatcher, f"继续填写 {code}")

    assert ready and "已找到编号" in said


def test_a_right_code_in_between_does_not_reset_the_count(dispatcher, make_tracker, clock):
    own = a_draft(dispatcher, make_tracker)
    for number in range(4):
        resume(dispatcher, f"继续填写 {wrong_code(number)}")
    assert resume(dispatcher, f"继续填写 {own}")[0]
    resume(dispatcher, f"继续填写 {wrong_code(4)}")

    ready, said = resume(dispatcher, f"继续填写 {own}")

    assert not ready and LOCKED in said


def test_new_conversations_from_one_client_address_share_a_limit_of_twenty(dispatcher, make_tracker, clock):
    code = a_draft(dispatcher, make_tracker)
    for number in range(20):  # a fresh conversation for every guess, as a script would
        assert not resume(dispatcher, f"继续填写 {wrong_code(number)}", sender=f"s-{number}", client=ATTACKER_CLIENT)[0]

    ready, said = resume(dispatcher, f"继续填写 {code}", sender="s-fresh", client=ATTACKER_CLIENT)
    assert not ready and LOCKED in said

    # another address, and the owner's own conversation elsewhere, are not locked out
    assert resume(dispatcher, f"继续填写 {code}", sender="s-owner", client=OTHER_CLIENT)[0]


def test_the_client_key_is_read_from_the_user_event_as_rasa_sends_it(dispatcher, make_tracker, clock):
    for number in range(20):
        resume(dispatcher, f"继续填写 {wrong_code(number)}", sender=f"s-{number}", in_event=True)

    ready, said = resume(dispatcher, f"继续填写 {wrong_code(99)}", sender="s-fresh", in_event=True)

    assert not ready and LOCKED in said
    assert client_key_of(tracker("x", client="not a key; drop table")) is None


def test_attempts_are_shared_by_every_action_server_on_the_database(dispatcher, make_tracker, clock, tmp_path):
    code = a_draft(dispatcher, make_tracker)
    for number in range(3):
        resume(dispatcher, f"继续填写 {wrong_code(number)}")
    other_server = drafts.ResumeGuard(
        drafts.make_session_factory(drafts.create_db_engine(f"sqlite:///{tmp_path / 'assistant.db'}")),
        drafts.ResumeLimits(),
        clock,
    )
    for number in range(3, 5):
        assert other_server.try_code("s-attacker", ATTACKER_CLIENT, lambda: None) is None

    ready, said = resume(dispatcher, f"继续填写 {code}")

    assert not ready and LOCKED in said


def test_limits_come_from_the_settings(dispatcher, make_tracker, monkeypatch):
    monkeypatch.setenv("RESUME_FAILURES_PER_SESSION", "2")
    monkeypatch.setenv("RESUME_LOCK_MINUTES", "60")
    code = a_draft(dispatcher, make_tracker)
    for number in range(2):
        resume(dispatcher, f"继续填写 {wrong_code(number)}")

    ready, said = resume(dispatcher, f"继续填写 {code}")

    assert not ready and "60分钟" in said


def test_resuming_ones_own_draft_without_a_code_is_never_limited(dispatcher, make_tracker, clock):
    a_draft(dispatcher, make_tracker)  # sender "test-user"
    for number in range(5):
        resume(dispatcher, f"继续填写 {wrong_code(number)}", sender="test-user")

    assert resume(dispatcher, "继续填写", sender="test-user")[0]


def test_no_log_record_of_a_whole_form_shows_its_code(dispatcher, make_tracker, caplog, clock):
    caplog.set_level(logging.DEBUG)
    code = a_draft(dispatcher, make_tracker)
    validate = ValidateApplicationForm()
    slots = {"draft_code": code}
    validate.validate_form_answer("2024年1月5日", dispatcher, make_tracker("2024年1月5日", "chitchat", slots=slots), {})
    validate.validate_form_answer(f"继续填写 {code}", dispatcher, make_tracker(f"继续填写 {code}", "chitchat", slots=slots), {})
    validate.validate_form_answer("暂停", dispatcher, make_tracker("暂停", "deny", slots=slots), {})
    ActionFinishApplication().run(dispatcher, make_tracker("暂停", "deny", slots={**slots, "form_answer": "paused"}), {})
    resume(dispatcher, f"继续填写 {code.lower()}")
    for number in range(6):
        resume(dispatcher, f"继续填写 {wrong_code(number)}")

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert code not in logged.upper()
    assert all(wrong_code(number) not in logged for number in range(6))
    assert "form started" in logged and "form turn" in logged and "locked" in logged  # the records were captured
