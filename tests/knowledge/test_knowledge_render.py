"""Render (knowledge/render.py): the facts chosen as text — one program's or several programs'
replies under their names, a window with its status, a contact line, "the notice does not give
it" first with the related fact labelled. Hand-made facts, so rendering is tested apart from
retrieval and loading."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from knowledge.models import CitationRef, Contact, Deadline, Person, Program, Statement
from knowledge.render import contact_line, item_text, labelled, not_given, shorten
from knowledge.reply import Reply

CITE = CitationRef(clause="五、申报流程", quote="集中受理时间")


def program(key: str = "sh5g", short_name: str = "上海5G试点", contacts: list[Contact] | None = None) -> Program:
    return Program(
        key=key, name=short_name, short_name=short_name, label=short_name, scope_text=short_name, aliases=[short_name],
        source="x", issuer="某委", issued=date(2020, 12, 1), summary="试点。", summary_cite=CITE, contacts=contacts or [],
    )


CONTACT = Contact(id="c", title="联系人", cite=CITE, agency="信通院", people=[Person(name="刘娜", phone="021-1234"), Person(name="刘迪")], role="业务咨询")


def test_a_closed_window_is_said_with_its_hours_and_that_it_has_closed(set_today):
    set_today("2026-12-03")
    window = Deadline(
        id="d", title="集中受理", cite=CITE, kind="集中受理", start=datetime(2021, 1, 15), end=datetime(2021, 1, 19, 17),
        daily_hours="9:00-17:00",
    )
    text = item_text(window)
    assert text.startswith("集中受理：") and "1月15日" in text and "1月19日" in text
    assert text.endswith("已于2021年1月19日17:00截止。")


def test_a_contact_line_names_the_agency_each_person_and_phone():
    assert contact_line(CONTACT) == "信通院：刘娜 021-1234、刘迪（业务咨询）"
    assert item_text(CONTACT) == contact_line(CONTACT)


def test_a_rule_is_its_own_text():
    assert item_text(Statement(id="s", title="联合体", cite=CITE, text="须以联合体方式申报。")) == "须以联合体方式申报。"


def test_not_given_says_so_first_then_the_related_fact_and_whom_to_ask():
    related = Reply(text="申报材料一式6份。", programs=["sh5g"], topic="documents")
    reply = not_given(program(contacts=[CONTACT]), related, "字数要求")
    assert reply.text.startswith("通知中没有给出字数要求，我不能确定。相关规定：申报材料一式6份。")
    assert "建议咨询信通院：刘娜 021-1234" in reply.text
    assert reply.kind == "unknown" and [b.title for b in reply.buttons] == ["转人工"]


def test_one_programs_reply_is_labelled_with_its_name():
    reply = labelled([Reply(text="须以联合体方式申报。")], [program()], "eligibility", "要联合体吗")
    assert reply.text == "【上海5G试点】须以联合体方式申报。"
    assert (reply.programs, reply.topic, reply.question) == (["sh5g"], "eligibility", "要联合体吗")


@pytest.mark.parametrize(
    ("first", "second", "compared", "verdict"),
    [("书面材料截止：2018年4月13日16时。", "集中受理：2021年1月19日17:00。", "两个的书面材料截止钟点一样吗", "不一样"),
     ("申报材料一式6份。", "申报材料一式6份。", "两个的纸质材料份数一样吗", "一样")],
)
def test_several_programs_each_under_its_name_and_same_or_different_first(first, second, compared, verdict):
    replies = [Reply(text=first), Reply(text=second)]
    reply = labelled(replies, [program("smart", "智慧医疗专项"), program()], "deadline", "截止一样吗", compared=compared)
    lines = reply.text.split("\n")
    assert lines[0].startswith(verdict)
    assert lines[1:] == [f"【智慧医疗专项】{first}", f"【上海5G试点】{second}"]
    assert reply.programs == ["smart", "sh5g"]


def test_a_long_quote_is_cut_at_the_limit_with_an_ellipsis():
    assert shorten("甲" * 200, limit=10) == "甲" * 10 + "……"
    assert shorten("  短句  ") == "短句"
