"""The queue's rules: office hours and presence (live queue or leave a message), positions,
claims that cannot collide, release, cancel, an offer of a person after a thumbs down; the
office-hours setting; the migration matching the models."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData

from helpdesk_fakes import applicant_session, helpdesk_of
from persistence.database import create_db_engine, upgrade_database
from persistence import helpdesk_models as models
from gateway.helpdesk.hours import OfficeHoursError, parse_office_hours
from persistence.models import Base


def chat(client, session_id: str, token: str, text: str) -> list[dict]:
    response = client.post("/api/chat", json={"session_id": session_id, "text": text}, headers={"X-Session-Token": token})
    assert response.status_code == 200, response.text
    return response.json()["messages"]


def test_positions_follow_the_order_of_requests(client, staff_login):
    console = staff_login()
    sessions = [applicant_session(client) for _ in range(3)]
    notices = [chat(client, s, t, "转人工")[0]["text"] for s, t in sessions]
    assert [n.split("当前排队第")[1][0] for n in notices] == ["1", "2", "3"]
    again = chat(client, *sessions[2], "在吗")  # still waiting: not a knowledge question, told the place again
    assert again[0]["text"].startswith("您的消息已转给人工客服，当前排队第3位")
    answered = chat(client, *sessions[2], "截止时间")  # a knowledge question: the assistant answers, marked as its own
    assert len(answered) == 1 and answered[0]["text"].startswith("答：截止时间")
    assert answered[0]["text"].endswith("（以上为申报助手的自动回答。您仍在人工客服队列中，当前排队第3位。）")
    assert answered[0]["citations"]

    first = console.get("/api/console/queue").json()["waiting"][0]["id"]
    console.post(f"/api/console/handoffs/{first}/claim")
    assert "当前排队第2位" in chat(client, *sessions[2], "还要等多久")[0]["text"]


def test_two_staff_cannot_claim_the_same_conversation(client, staff_login):
    li, wang = staff_login("li", "李老师"), staff_login("wang", "王老师")
    session_id, token = applicant_session(client)
    chat(client, session_id, token, "转人工")
    handoff_id = li.get("/api/console/queue").json()["waiting"][0]["id"]
    assert li.post(f"/api/console/handoffs/{handoff_id}/claim").status_code == 200
    taken = wang.post(f"/api/console/handoffs/{handoff_id}/claim")
    assert taken.status_code == 409 and "已被其他工作人员接入" in taken.json()["detail"]
    assert wang.post(f"/api/console/handoffs/{handoff_id}/reply", json={"text": "我来"}).status_code == 409
    assert wang.post(f"/api/console/handoffs/{handoff_id}/close", json={}).status_code == 409

    released = li.post(f"/api/console/handoffs/{handoff_id}/release")
    assert released.json()["status"] == "waiting"
    assert wang.post(f"/api/console/handoffs/{handoff_id}/claim").json()["staff_name"] == "王老师"
    texts = [m["text"] for m in client.get("/api/history", params={"session_id": session_id},
                                          headers={"X-Session-Token": token}).json()["messages"]]
    assert "工作人员李老师已接入，请问有什么可以帮您？" in texts and "工作人员王老师已接入，请问有什么可以帮您？" in texts
    assert any(t.startswith("正在为您转接其他工作人员") for t in texts)


def test_reply_checks_input(client, staff_login):
    console = staff_login()
    session_id, token = applicant_session(client)
    chat(client, session_id, token, "转人工")
    handoff_id = console.get("/api/console/queue").json()["waiting"][0]["id"]
    assert console.post(f"/api/console/handoffs/{handoff_id}/reply", json={"text": "先回复"}).json()["detail"] == "请先接入该会话再回复"
    console.post(f"/api/console/handoffs/{handoff_id}/claim")
    assert console.post(f"/api/console/handoffs/{handoff_id}/reply", json={"text": "   "}).status_code == 422
    assert console.post(f"/api/console/handoffs/{handoff_id}/reply", json={"text": "长" * 201}).status_code == 413
    assert console.post(f"/api/console/handoffs/{handoff_id}/reply", json={}).status_code == 422
    assert console.post("/api/console/handoffs/999/claim").status_code == 404
    assert console.get("/api/console/handoffs/0").status_code == 422


def test_nobody_online_means_leaving_a_message_that_waits_for_staff(client, staff_login):
    session_id, token = applicant_session(client)
    notice = chat(client, session_id, token, "转人工")[0]
    assert notice["text"].startswith("当前暂无人工客服在线。您可以直接在这里留言")
    assert "也可以留下手机号码或电子邮箱" in notice["text"]
    assert notice["buttons"] == [{"title": "返回智能助手", "payload": "/helpdesk_cancel"}]
    assert chat(client, session_id, token, "在吗")[0]["text"] == "已收到您的留言，工作人员会尽快回复您。"
    assert chat(client, session_id, token, "请回电 1381234567")[0]["text"].startswith("“1381234567”不是有效的电话号码")
    left = chat(client, session_id, token, "请回电 13812345678")[0]["text"]
    assert left.startswith("已记录您的电话：13812345678，工作人员会在工作时间（全天）回电")
    left = chat(client, session_id, token, "邮箱：li.si@hospital.cn")[0]["text"]
    assert left.startswith("已记录您的电子邮箱：li.si@hospital.cn，工作人员会在工作时间（全天）回信")
    answered = chat(client, session_id, token, "材料寄到哪里")[0]["text"]
    assert answered.startswith("答：材料寄到哪里") and answered.endswith("您的留言已保留，工作人员会尽快回复您。）")

    back = chat(client, session_id, token, "/helpdesk_cancel")[0]["text"]
    assert back.startswith("已返回智能助手") and "留言已保留" in back
    assert chat(client, session_id, token, "截止时间")[0]["text"] == "答：截止时间"  # the bot answers again

    console = staff_login(online=False)
    waiting = console.get("/api/console/queue").json()["waiting"]
    assert [(h["session_id"], h["kind"]) for h in waiting] == [(session_id, "message")]
    console.post(f"/api/console/handoffs/{waiting[0]['id']}/claim")
    console.post(f"/api/console/handoffs/{waiting[0]['id']}/reply", json={"text": "已给您回电"})
    history = client.get("/api/history", params={"session_id": session_id}, headers={"X-Session-Token": token}).json()
    assert history["messages"][-1]["sender"] == "staff" and history["messages"][-1]["text"] == "已给您回电"


@pytest.mark.parametrize("office_hours", ["sat-sat 00:00-00:01"])
def test_outside_office_hours_the_notice_names_the_hours(client, staff_login):
    staff_login()  # online, but it is not office hours
    session_id, token = applicant_session(client)
    text = chat(client, session_id, token, "转人工")[0]["text"]
    assert text.startswith("现在是非工作时间（人工客服工作时间：周六 00:00-00:01）")


def test_cancel_without_a_message_withdraws_the_request(client, staff_login):
    console = staff_login()
    session_id, token = applicant_session(client)
    chat(client, session_id, token, "转人工")
    assert chat(client, session_id, token, "/helpdesk_cancel")[0]["text"] == "已取消转人工，您可以继续向申报助手提问。"
    assert console.get("/api/console/queue").json()["waiting"] == []
    assert chat(client, session_id, token, "/helpdesk_cancel")[0]["text"].startswith("您当前没有转人工的请求")


def test_a_thumbs_down_then_another_question_offers_a_person(client, staff_login):
    console = staff_login()
    session_id, token = applicant_session(client)
    headers = {"X-Session-Token": token}
    chat(client, session_id, token, "材料几份")
    answer_id = client.get("/api/history", params={"session_id": session_id}, headers=headers).json()["messages"][-1]["id"]
    assert client.post("/api/feedback", json={"session_id": session_id, "message_id": answer_id, "rating": "down"},
                       headers=headers).status_code == 200
    replies = chat(client, session_id, token, "那材料到底几份")
    assert replies[0]["text"] == "答：那材料到底几份"
    offer = replies[1]
    assert "没能帮到您" in offer["text"]
    assert offer["buttons"] == [{"title": "转人工", "payload": '/helpdesk_request{"reason":"answer_rated_down"}'}]
    assert len(chat(client, session_id, token, "再问一次")) == 1  # offered once
    assert "已为您转接人工客服" in chat(client, session_id, token, offer["buttons"][0]["payload"])[0]["text"]
    assert console.get("/api/console/queue").json()["waiting"][0]["reason"] == "answer_rated_down"


def test_plain_digits_are_questions_when_no_rating_is_asked(client, staff_login):
    session_id, token = applicant_session(client)
    assert chat(client, session_id, token, "3")[0]["text"] == "答：3"
    assert chat(client, session_id, token, '/helpdesk_rate{"score":9}')[0]["text"] == '答：/helpdesk_rate{"score":9}'


def test_office_hours_setting():
    hours = parse_office_hours("mon-fri 09:00-12:00,13:30-17:30; sat 09:00-12:00", "Asia/Shanghai")
    assert hours.describe() == "周一至周五 09:00-12:00、13:30-17:30；周六 09:00-12:00"
    monday_10 = datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)  # 10:00 in Shanghai
    assert hours.is_open(monday_10)
    assert not hours.is_open(datetime(2026, 11, 23, 4, 30, tzinfo=timezone.utc))  # 12:30, lunch
    assert not hours.is_open(datetime(2026, 11, 22, 2, 0, tzinfo=timezone.utc))  # Sunday
    assert parse_office_hours("always").is_open(datetime(2026, 11, 22, 20, 0, tzinfo=timezone.utc))
    for wrong in ("", "weekdays 9-5", "mon-fri 17:00-09:00", "fri-mon 09:00-17:00", "mon 25:00-26:00"):
        with pytest.raises(OfficeHoursError):
            parse_office_hours(wrong)
    with pytest.raises(OfficeHoursError):
        parse_office_hours("always", "Mars/Olympus")


def test_migration_0004_matches_the_helpdesk_models(tmp_path):
    engine = create_db_engine(f"sqlite:///{tmp_path / 'm.db'}")
    upgrade_database(engine)
    mine = MetaData()
    for table in Base.metadata.sorted_tables:
        if table.name in {t.__tablename__ for t in (models.Staff, models.StaffSession, models.LoginAttempt, models.Handoff,
                                                   models.Rating, models.FaqEntry, models.ApplicantToken)}:
            table.to_metadata(mine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), mine)
    engine.dispose()
    assert [d for d in diff if d[0] != "remove_table" and "remove_index" != d[0]] == []
    assert {t for t in mine.tables} == {"staff", "staff_sessions", "staff_login_attempts", "handoffs",
                                        "handoff_ratings", "staff_faq_entries", "applicant_tokens"}
