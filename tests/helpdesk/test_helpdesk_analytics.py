"""Console analytics counted from stored conversations: every figure of GET /api/console/analytics
for a seeded week (and a program), the clusters and their FAQ entry, the CSV exports (masked),
who may read them, and the 👎 reason of POST /api/feedback."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import pytest

from messaging import NOT_UNDERSTOOD
from persistence.helpdesk_models import Handoff, Rating
from gateway.helpdesk.outcomes import OUT_OF_SCOPE_LEAD
from persistence.models import Conversation, Message
from helpdesk_fakes import applicant_session, helpdesk_of
from web_fakes import ListingKnowledge

NOW = datetime.now(timezone.utc)
PHONE = "13812345678"
NOT_IN_NOTICES = "【上海市5G+医疗健康应用试点】通知中没有关于“报名费”的说明，我不能确定。"
OUT_OF_SCOPE = f"{OUT_OF_SCOPE_LEAD}我可以回答……如需帮助可转人工客服。"
SH5G = {"doc": "sh5g", "title": "上海通知", "clause": "五", "quote": "……"}


@dataclass
class FakeProgram:
    source: str


@dataclass
class FakeDetection:
    programs: tuple[str, ...]


class FakeDetector:
    def detect(self, text: str) -> FakeDetection:
        found = [key for word, key in (("国家", "nat5g"), ("上海", "sh5g")) if word in text]
        return FakeDetection(tuple(found))


@dataclass
class Composer:
    detector: FakeDetector = field(default_factory=FakeDetector)


@dataclass
class Data:
    programs: dict[str, FakeProgram] = field(default_factory=lambda: {"sh5g": FakeProgram("sh5g"), "nat5g": FakeProgram("nat5g")})


@dataclass
class ProgramAwareKnowledge(ListingKnowledge):
    """The fake knowledge with what analytics borrows: the program detector and the notices' programs."""

    composer: Composer = field(default_factory=Composer)
    data: Data = field(default_factory=Data)


@pytest.fixture
def kb() -> ProgramAwareKnowledge:
    return ProgramAwareKnowledge()


def ago(**delta: float) -> datetime:
    return NOW - timedelta(**delta)


def seed(client) -> dict[str, int]:
    """Four conversations of the last week and one of ten days ago; returns message ids."""
    sessions = helpdesk_of(client).store._sessions
    ids: dict[str, int] = {}

    def conversation(db, session_id: str, channel: str, messages: list[tuple]) -> None:
        db.add(Conversation(session_id=session_id, channel=channel, created_at=messages[0][0], updated_at=messages[-1][0]))
        for at, sender, text, *rest in messages:
            extra = rest[0] if rest else {}
            name = extra.pop("name", None)
            row = Message(session_id=session_id, sender=sender, text=text, buttons=[], citations=extra.pop("citations", []),
                          created_at=at, **extra)
            db.add(row)
            db.flush()
            if name:
                ids[name] = row.id

    with sessions.begin() as db:
        conversation(db, "an-a", "web", [
            (ago(days=1, minutes=10), "user", "上海5G试点什么时候截止"),
            (ago(days=1, minutes=10), "bot", "已于2021年1月19日17:00截止。",
             {"citations": [SH5G], "rating": "down", "rating_reason": f"信息有误：电话{PHONE}打不通", "name": "downvoted"}),
            (ago(days=1, minutes=9), "user", "申报要交报名费吗", {"name": "fee_a"}),
            (ago(days=1, minutes=9), "bot", NOT_IN_NOTICES),
            (ago(days=1, minutes=8), "user", "某某医院"),  # a form field, not a question
            (ago(days=1, minutes=8), "bot", "（2/20）请填写申报单位名称"),
        ])
        conversation(db, "an-b", "wechat", [
            (ago(days=2, minutes=30), "user", "国家5G试点报名费多少"),
            (ago(days=2, minutes=30), "bot", NOT_IN_NOTICES),
            (ago(days=2, minutes=29), "user", "今天天气怎么样"),
            (ago(days=2, minutes=29), "bot", OUT_OF_SCOPE),
            (ago(days=2, minutes=28), "user", "啊啊啊"),
            (ago(days=2, minutes=28), "bot", NOT_UNDERSTOOD),
            (ago(days=2, minutes=27), "user", "转人工"),  # asked for a person: not a question
            (ago(days=2, minutes=27), "bot", "已为您转接人工客服，当前排队第1位，请稍候。"),
            (ago(days=2, minutes=25), "staff", "您好，报名不收费。"),
        ])
        conversation(db, "an-c", "web", [
            (ago(days=3, minutes=20), "user", "上海5G试点报名费要交多少钱"),
            (ago(days=3, minutes=20), "bot", NOT_IN_NOTICES),
            (ago(days=3, minutes=19), "user", '/helpdesk_request{"reason":"answer_rated_down"}'),
            (ago(days=3, minutes=14), "staff", "您好，我来解答。"),
        ])
        conversation(db, "an-old", "web", [
            (ago(days=10), "user", "上海5G试点报名费多少"),
            (ago(days=10), "bot", NOT_IN_NOTICES),
        ])
        db.add_all([
            Handoff(id=1, session_id="an-b", channel="wechat", reason="user_request", program="nat5g", status="closed",
                    requested_at=ago(days=2, minutes=27), ended_at=ago(days=2, minutes=20)),
            Handoff(id=2, session_id="an-c", channel="web", reason="answer_rated_down", program="sh5g", status="closed",
                    requested_at=ago(days=3, minutes=19), ended_at=ago(days=3, minutes=10)),
            Handoff(id=3, session_id="an-old", channel="web", reason="user_request", program="sh5g", status="closed",
                    requested_at=ago(days=9, hours=23), ended_at=ago(days=9, hours=22)),
        ])
        db.flush()
        db.add_all([Rating(handoff_id=1, session_id="an-b", score=4, created_at=ago(days=2, minutes=19)),
                    Rating(handoff_id=2, session_id="an-c", score=5, created_at=ago(days=3, minutes=9)),
                    Rating(handoff_id=3, session_id="an-old", score=1, created_at=ago(days=10))])
    return ids


def fee_cluster(report: dict) -> dict:
    return next(c for c in report["unanswered"] if "报名费" in c["question"])


def test_every_figure_of_a_week(client, staff_login):
    seed(client)
    console = staff_login()
    response = console.get("/api/console/analytics", params={"days": 7})
    assert response.status_code == 200, response.text
    report = response.json()

    assert report["totals"] == {"messages": 19, "conversations": 3, "questions": 6, "answered": 1, "unanswered": 5,
                                "downvoted": 1, "handoffs": 2}
    assert report["unanswered_by_kind"] == {"out_of_scope": 1, "not_in_notices": 3, "fallback": 1}
    assert report["downvote_reasons"] == {"信息有误": 1}
    assert report["handoffs"]["by_reason"] == {"user_request": 1, "answer_rated_down": 1}
    assert report["handoffs"]["median_wait_seconds"] == 210.0  # 120 s and 300 s to the first staff message
    assert report["csat"] == {"average": 4.5, "count": 2, "distribution": {"1": 0, "2": 0, "3": 0, "4": 1, "5": 1}}

    fees = fee_cluster(report)
    assert fees["count"] == 3 and fees["programs"] == ["nat5g", "sh5g"]
    assert set(fees["examples"]) == {"申报要交报名费吗", "国家5G试点报名费多少", "上海5G试点报名费要交多少钱"}
    assert {c["session_id"] for c in fees["conversations"]} == {"an-a", "an-b", "an-c"}
    assert fees["faq"] is None
    assert sum(c["count"] for c in report["unanswered"]) == 5

    [downvoted] = report["downvoted"]
    assert downvoted["question"] == "上海5G试点什么时候截止" and downvoted["reasons"] == {"信息有误": 1}
    assert downvoted["reason_texts"] == ["信息有误：电话138****5678打不通"]  # masked

    per_day = report["per_day"]
    assert len(per_day) == 8 and sum(d["questions"] for d in per_day) == 6 and sum(d["unanswered"] for d in per_day) == 5
    assert report["top_questions"][0]["count"] == 1 and len(report["top_questions"]) == 6


def test_one_program_and_a_longer_period(client, staff_login):
    seed(client)
    console = staff_login()
    nat = console.get("/api/console/analytics", params={"days": 7, "program": "nat5g"}).json()
    # an-b's 天气/啊啊啊 name no program and follow a nat5g question: they count for nat5g
    assert nat["totals"]["questions"] == 3 and nat["unanswered_by_kind"] == {"out_of_scope": 1, "not_in_notices": 1, "fallback": 1}
    assert nat["totals"]["handoffs"] == 1 and nat["totals"]["downvoted"] == 0
    assert nat["csat"]["count"] == 1 and nat["csat"]["average"] == 4.0
    sh = console.get("/api/console/analytics", params={"days": 7, "program": "sh5g"}).json()
    assert sh["totals"]["questions"] == 3 and sh["totals"]["unanswered"] == 2 and sh["totals"]["downvoted"] == 1
    month = console.get("/api/console/analytics", params={"days": 30}).json()
    assert month["totals"]["questions"] == 7 and month["csat"]["count"] == 3 and fee_cluster(month)["count"] == 4


def test_a_cluster_answered_by_a_staff_entry_shows_it(client, staff_login):
    seed(client)
    console = staff_login()
    fees = fee_cluster(console.get("/api/console/analytics", params={"days": 7}).json())
    created = console.post("/api/console/faq", json={"questions": fees["variants"], "answer": "申报不收取任何费用。"})
    assert created.status_code == 201, created.text
    fees = fee_cluster(console.get("/api/console/analytics", params={"days": 7}).json())
    assert fees["faq"] == {"id": created.json()["id"], "question": fees["variants"][0], "answer": "申报不收取任何费用。"}


def test_csv_exports_are_masked(client, staff_login):
    seed(client)
    console = staff_login()
    figures = console.get("/api/console/analytics.csv", params={"days": 7})
    assert figures.status_code == 200 and figures.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(figures.text.lstrip("\ufeff"))))
    assert ["总数", "questions", "6", ""] in rows and ["满意度", "average", "4.5", ""] in rows
    assert ["转人工", "median_wait_seconds", "210.0", "首次人工回复等待时间中位数（秒）"] in rows
    conversations = console.get("/api/console/analytics.csv", params={"days": 7, "part": "conversations"})
    rows = list(csv.DictReader(io.StringIO(conversations.text.lstrip("\ufeff"))))
    assert {r["session_id"] for r in rows} == {"an-a", "an-b", "an-c"}
    assert PHONE not in conversations.text and "138****5678" in conversations.text
    assert [r["outcome"] for r in rows if r["session_id"] == "an-b" and r["sender"] == "bot"][:3] == [
        "not_in_notices", "out_of_scope", "fallback"]


def test_staff_only(client, staff_login):
    seed(client)
    session_id, token = applicant_session(client)
    for url in ("/api/console/analytics", "/api/console/analytics.csv", "/api/console/analytics/conversations/an-a"):
        assert client.get(url, headers={"X-Session-Token": token}).status_code == 401
    console = staff_login()
    transcript = console.get("/api/console/analytics/conversations/an-a").json()
    assert transcript["messages"][1]["rating_reason"].startswith("信息有误")
    assert console.get("/api/console/analytics/conversations/guessed-id").status_code == 404
    bad = console.get("/api/console/analytics", params={"days": 0})
    assert bad.status_code == 422 and "days" in bad.json()["detail"]
    assert console.get("/api/console/analytics", params={"program": "nope"}).json()["detail"] == "未知的项目：nope"


def test_feedback_reason_is_stored_and_shown(client, staff_login):
    session_id, token = applicant_session(client)
    headers = {"X-Session-Token": token}
    client.post("/api/chat", json={"session_id": session_id, "text": "材料交几份"}, headers=headers)
    bot_id = next(m["id"] for m in client.get("/api/history", params={"session_id": session_id}, headers=headers).json()["messages"]
                  if m["sender"] == "bot")
    too_long = client.post("/api/feedback", headers=headers,
                           json={"session_id": session_id, "message_id": bot_id, "rating": "down", "reason": "长" * 501})
    assert too_long.status_code == 422 and "reason" in too_long.json()["detail"] and "过长" in too_long.json()["detail"]
    rated = client.post("/api/feedback", headers=headers,
                        json={"session_id": session_id, "message_id": bot_id, "rating": "down", "reason": "不够详细：没说寄到哪里"})
    assert rated.status_code == 200 and rated.json()["reason"] == "不够详细：没说寄到哪里"
    history = client.get("/api/history", params={"session_id": session_id}, headers=headers).json()["messages"]
    assert next(m for m in history if m["id"] == bot_id)["rating_reason"] == "不够详细：没说寄到哪里"
    report = staff_login().get("/api/console/analytics", params={"days": 1}).json()
    assert report["downvote_reasons"] == {"不够详细": 1}
    client.post("/api/feedback", headers=headers, json={"session_id": session_id, "message_id": bot_id, "rating": "up"})
    history = client.get("/api/history", params={"session_id": session_id}, headers=headers).json()["messages"]
    assert "rating_reason" not in next(m for m in history if m["id"] == bot_id)
