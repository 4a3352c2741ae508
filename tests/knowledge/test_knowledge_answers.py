"""knowledge.answers through KnowledgeBase: short cited answers with the right facts, program
detection, clarification, follow-ups, comparisons, time awareness and honest "not stated"."""

from __future__ import annotations

import json
import re

import pytest

from knowledge.reply import Context, Reply
from knowledge.api import KnowledgeBase
from knowledge.sources import squeeze

LABELS = {
    "sh5g": "【上海市5G+医疗健康应用试点】",
    "nat5g": "【国家5G+医疗健康应用试点】",
    "accept": "【上海市5G+医疗健康应用试点项目验收】",
    "smart": "【上海市智慧医疗专项研究项目】",
}


def assert_cited(kb: KnowledgeBase, reply: Reply) -> None:
    """At least one citation, and every citation's quote is really in the named clause."""
    assert reply.citations, f"no citation for: {reply.text}"
    by_doc = {s.doc: s for s in kb.data.sources.values()}
    for citation in reply.citations:
        source = by_doc[citation.doc]
        assert citation.title == source.title
        section = source.section_text(citation.clause)
        assert section is not None, citation.clause
        assert squeeze(citation.quote) in squeeze(section)


@pytest.fixture
def today_2026(set_today) -> None:
    set_today("2026-11-22")


# ---- deadlines of every program ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("program", "question", "facts", "doc"),
    [
        ("sh5g", "上海5G试点什么时候截止", ["2021年1月15日", "1月19日", "已于2021年1月19日17:00截止"], "000_a6bc89e5a162244b"),
        ("nat5g", "国家5G试点什么时候截止", ["2021年1月18日", "已于2021年1月22日17:00截止"], "001_f747ae33edc9ba62"),
        ("accept", "验收资料什么时候截止", ["已于2024年1月10日17:00截止"], "002_4e25405a7b6ae7c1"),
        ("annual", "年度总结报告什么时候交", ["已于2022年9月30日17:00截止"], "004_c26b485ef90ae7e3"),
        ("smart", "智慧医疗专项网上申报什么时候截止", ["2018年3月19日", "已于2018年4月10日16:00截止"], "003_ed6ac7d3f3aa281e"),
    ],
)
def test_deadline_answer_per_program(kb: KnowledgeBase, today_2026, program: str, question: str, facts: list[str], doc: str) -> None:
    reply = kb.answer(question, intent="ask_deadline")
    assert reply.kind == "answer"
    assert reply.programs == [program]
    assert reply.topic == "deadline"
    for fact in facts:
        assert fact in reply.text
    assert_cited(kb, reply)
    assert reply.citations[0].doc == doc


def test_deadline_answer_while_the_window_is_open(kb: KnowledgeBase, set_today) -> None:
    set_today("2021-01-16")
    reply = kb.answer("上海5G试点什么时候截止", intent="ask_deadline")
    assert "正在进行中" in reply.text
    assert "还剩3天" in reply.text
    assert "已于" not in reply.text


def test_deadline_answer_before_the_window_opens(kb: KnowledgeBase, set_today) -> None:
    set_today("2021-01-05")
    reply = kb.answer("国家5G试点什么时候截止", intent="ask_deadline")
    assert "尚未开始" in reply.text
    assert "13天" in reply.text  # 1月5日 -> 1月18日


# ---- other topics: the right fact, cited ---------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "intent", "program", "facts"),
    [
        ("上海5G试点材料要交几份", "ask_documents", "sh5g", ["一式六份"]),
        ("国家5G试点材料要几份", "ask_documents", "nat5g", ["一式三份"]),
        ("智慧医疗专项申报书打印几份", "ask_documents", "smart", ["一式五份"]),
        ("智慧医疗负责人年龄要求", "ask_eligibility", "smart", ["50岁", "中国国籍"]),
        ("上海5G试点材料寄到哪里", "ask_submission", "sh5g", ["金港路766号", "刘娜"]),
        ("国家5G试点材料寄到哪里", "ask_submission", "nat5g", ["花园北路52号"]),
        ("验收资料传到哪个平台", "ask_submission", "accept", ["https://hrp.3incloud.com/signup/five_g"]),
        ("上海5G试点联合单位最多几家", "ask_eligibility", "sh5g", ["不超过8家"]),
        ("验收不通过的分数线是多少", "ask_procedure", "accept", ["60分"]),
        ("上海5G试点联系人是谁", "ask_contact", "sh5g", ["贾丽昆", "021-23170721"]),
    ],
)
def test_fact_answers(kb: KnowledgeBase, question: str, intent: str, program: str, facts: list[str]) -> None:
    reply = kb.answer(question, intent=intent)
    assert reply.kind == "answer"
    assert reply.programs == [program]
    assert reply.text.startswith(LABELS[program])
    for fact in facts:
        assert fact in reply.text
    assert_cited(kb, reply)


def test_overview_names_issuer_number_and_date(kb: KnowledgeBase) -> None:
    reply = kb.answer("上海5G试点是哪个部门发的", intent="ask_overview")
    assert reply.programs == ["sh5g"]
    assert "沪经信基〔2020〕1146号" in reply.text
    assert "2020年12月29日" in reply.text
    assert "上海市经济和信息化委员会" in reply.text
    assert_cited(kb, reply)


def test_direction_list(kb: KnowledgeBase) -> None:
    reply = kb.answer("国家5G试点有哪些方向", intent="ask_directions")
    assert reply.programs == ["nat5g"]
    assert "8个" in reply.text
    for name in ("急诊救治", "远程重症监护（ICU）", "健康管理"):
        assert name in reply.text
    assert "远程查房" not in reply.text
    assert_cited(kb, reply)


def test_direction_that_exists_is_described(kb: KnowledgeBase) -> None:
    reply = kb.answer("上海5G试点有远程查房方向吗", intent="ask_directions")
    assert reply.programs == ["sh5g"]
    assert "没有" not in reply.text
    assert "远程查房" in reply.text
    assert any(c.clause.endswith("（九）5G+远程查房") for c in reply.citations)
    assert_cited(kb, reply)


def test_direction_not_in_the_program_says_no(kb: KnowledgeBase) -> None:
    reply = kb.answer("国家5G试点有远程查房方向吗", intent="ask_directions")
    assert reply.programs == ["nat5g"]
    assert "没有" in reply.text
    assert "远程查房" in reply.text
    assert "8个" in reply.text  # and lists what the program does have
    assert "远程重症监护" in reply.text
    assert_cited(kb, reply)


# ---- program detection ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "intent", "programs"),
    [
        ("国家那个截止时间是哪天", "ask_deadline", ["nat5g"]),
        ("智慧医疗的申报条件是什么", "ask_eligibility", ["smart"]),
        ("验收资料什么时候交", "ask_deadline", ["accept"]),
        ("上海的试点要交几份材料", "ask_documents", ["sh5g"]),
        ("工信部那个要交几份材料", "ask_documents", ["nat5g"]),
    ],
)
def test_program_detection(kb: KnowledgeBase, question: str, intent: str, programs: list[str]) -> None:
    reply = kb.answer(question, intent=intent)
    assert reply.kind == "answer"
    assert reply.programs == programs
    assert_cited(kb, reply)


def test_generic_5g_pilot_answers_both_shanghai_and_national(kb: KnowledgeBase) -> None:
    detection = kb.composer.detector.detect("5G试点材料要几份")
    assert detection.programs == () and detection.generic_5g
    reply = kb.answer("5G试点材料要几份", intent="ask_documents")
    assert set(reply.programs) == {"sh5g", "nat5g"}
    assert LABELS["sh5g"] in reply.text and LABELS["nat5g"] in reply.text
    assert "一式六份" in reply.text and "一式三份" in reply.text
    assert {c.doc for c in reply.citations} == {"000_a6bc89e5a162244b", "001_f747ae33edc9ba62"}


def test_nlu_program_entity_is_used_when_text_names_none(kb: KnowledgeBase) -> None:
    reply = kb.answer("材料要几份", intent="ask_documents", nlu_programs=["smart"])
    assert reply.programs == ["smart"]
    assert "一式五份" in reply.text


# ---- clarification and follow-ups ----------------------------------------------------------------


def test_question_naming_no_program_asks_which(kb: KnowledgeBase) -> None:
    reply = kb.answer("材料要几份", intent="ask_documents")
    assert reply.kind == "clarify"
    assert reply.citations == []
    assert reply.topic == "documents"
    assert reply.question == "材料要几份"
    assert len(reply.buttons) == 5
    programs = []
    for button in reply.buttons:
        assert button.payload.startswith("/inform_program{")
        programs.append(json.loads(button.payload[len("/inform_program"):])["program"])
        assert button.title
    assert sorted(programs) == sorted(["sh5g", "nat5g", "accept", "annual", "smart"])


def test_follow_up_about_another_program_keeps_the_question(kb: KnowledgeBase) -> None:
    context = Context(programs=("sh5g",), topic="documents", question="材料要几份")
    reply = kb.answer("那国家的呢", intent="inform_program", context=context)
    assert reply.programs == ["nat5g"]
    assert reply.topic == "documents"
    assert "一式三份" in reply.text
    assert "一式六份" not in reply.text
    assert_cited(kb, reply)


def test_button_choice_after_clarify_answers_the_pending_question(kb: KnowledgeBase) -> None:
    first = kb.answer("材料要几份", intent="ask_documents")
    context = Context(programs=tuple(first.programs), topic=first.topic, question=first.question)
    reply = kb.answer("", intent="inform_program", nlu_programs=["smart"], context=context)
    assert reply.programs == ["smart"]
    assert "一式五份" in reply.text
    assert_cited(kb, reply)


def test_question_without_program_uses_the_program_in_focus(kb: KnowledgeBase) -> None:
    context = Context(programs=("nat5g",), topic="deadline", question="国家5G试点什么时候截止")
    reply = kb.answer("材料寄到哪里", intent="ask_submission", context=context)
    assert reply.programs == ["nat5g"]
    assert "花园北路52号" in reply.text


# ---- comparison ----------------------------------------------------------------------------------


def test_two_programs_named_are_both_answered_and_labelled(kb: KnowledgeBase) -> None:
    reply = kb.answer("上海5G试点和智慧医疗材料要几份", intent="ask_documents")
    assert set(reply.programs) == {"sh5g", "smart"}
    assert reply.text.count(LABELS["sh5g"]) == 1 and reply.text.count(LABELS["smart"]) == 1
    sh5g_part, smart_part = (reply.text.split(LABELS["smart"]) if reply.text.startswith(LABELS["sh5g"])
                             else reversed(reply.text.split(LABELS["sh5g"])))
    assert "一式六份" in sh5g_part and "一式五份" in smart_part
    assert {c.doc for c in reply.citations} == {"000_a6bc89e5a162244b", "003_ed6ac7d3f3aa281e"}


def test_shanghai_and_national_compared(kb: KnowledgeBase) -> None:
    reply = kb.answer("上海和国家5G试点材料要几份", intent="ask_documents")
    assert set(reply.programs) == {"sh5g", "nat5g"}
    assert LABELS["sh5g"] in reply.text and LABELS["nat5g"] in reply.text
    assert "一式六份" in reply.text and "一式三份" in reply.text


# ---- what the notices do not say ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("上海5G试点食堂几点开饭", "ask_procedure"),
        ("智慧医疗专项申报书可以用英文写吗", "ask_documents"),
        ("上海5G试点申报需要交报名费吗", "ask_procedure"),
        ("上海5G试点的评审费由谁承担", "ask_procedure"),  # 评审 + 费: the segmenter splits the compound
    ],
    ids=["canteen", "english", "application-fee", "review-fee-compound"],
)
def test_question_the_notice_does_not_answer_says_so(kb: KnowledgeBase, question: str, intent: str) -> None:
    reply = kb.answer(question, intent=intent)
    assert reply.kind == "unknown", f"answered with an unrelated fact: {reply.text}"
    assert re.search(r"没有(?:提到|.*说明)|未.*说明", reply.text), reply.text
    assert "不能确定" in reply.text or "不确定" in reply.text
    assert any(b.payload == "/request_human" for b in reply.buttons)
    assert re.search(r"\d{8}", reply.text), "offers a phone number"


# ---- FAQ search and contacts ---------------------------------------------------------------------


def test_search_faq_returns_cited_answers(kb: KnowledgeBase) -> None:
    results = kb.search_faq("材料寄到哪里", program="sh5g")
    assert results
    assert results[0].program == "sh5g"
    assert results[0].topic == "submission"
    assert "金港路766号" in results[0].answer
    assert results[0].answer.startswith(LABELS["sh5g"])
    for result in results:
        assert result.citations
        assert result.program == "sh5g"
    scores = [r.score for r in results]
    assert scores == sorted(scores, reverse=True)


def test_search_faq_program_filter(kb: KnowledgeBase) -> None:
    everywhere = kb.search_faq("联系电话", top_k=10)
    assert len({r.program for r in everywhere}) > 1
    only_smart = kb.search_faq("联系电话", program="smart", top_k=10)
    assert only_smart and {r.program for r in only_smart} == {"smart"}
    assert all(r.citations for r in only_smart)


def test_search_faq_top_k(kb: KnowledgeBase) -> None:
    assert len(kb.search_faq("截止时间", top_k=2)) == 2


def test_helpdesk_contacts_text_lists_phone_numbers(kb: KnowledgeBase) -> None:
    text = kb.helpdesk_contacts_text()
    assert text.startswith("人工咨询")
    assert "021-23170721" in text  # 上海市经济信息化委 贾丽昆
    assert "010-68206173" in text  # 工业和信息化部
    assert len(re.findall(r"\d{3,4}-\d{7,8}|\b\d{8}\b|\b1\d{10}\b", text)) >= 4
    for program in kb.data.programs.values():
        if program.contacts:
            assert program.short_name in text


# ---- a bare "how do I apply" ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("上海的5G医疗试点要如何申报", ["金港路766号", "shanghai-five-g"]),
        ("国家5G试点咋报名", ["花园北路52号"]),
        ("智慧医疗专项研究项目怎样申请", ["上海市财政科技投入信息管理平台"]),
    ],
    ids=["sh5g", "nat5g", "smart"],
)
def test_how_to_apply_is_answered_with_where_and_how_to_hand_in(kb: KnowledgeBase, question: str, expected: list[str]) -> None:
    reply = kb.answer(question, intent="ask_submission")

    assert reply.kind == "answer", reply.text
    for fact in expected:
        assert fact in reply.text
    assert reply.citations


def test_a_specific_how_question_is_not_taken_for_how_to_apply(kb: KnowledgeBase) -> None:
    reply = kb.answer("上海5G试点申报书怎么盖章", intent="ask_submission")

    assert "骑缝章" in reply.text and "金港路" not in reply.text


def test_a_when_question_whose_rule_gives_no_date_says_the_notice_does_not_say(kb: KnowledgeBase) -> None:
    reply = kb.answer("验收专家组哪天来单位现场考察", intent="ask_deadline")

    assert reply.kind == "unknown" and "没有给出具体时间" in reply.text
    assert "专家组" in reply.text and reply.citations  # the related rule, with its clause
    assert any(b.payload == "/request_human" for b in reply.buttons)


def test_a_when_question_answered_with_a_date_is_unchanged(kb: KnowledgeBase) -> None:
    reply = kb.answer("年度总结报告最晚哪天交", intent="ask_deadline")

    assert reply.kind == "answer" and "2022年9月30日" in reply.text


@pytest.mark.parametrize(
    ("question", "place"),
    [
        ("验收资料往哪儿传", "https://hrp.3incloud.com/signup/five_g"),
        ("验收资料的上传网址给一下", "https://hrp.3incloud.com/signup/five_g"),
        ("上海5G试点验收资料在哪里提交", "https://hrp.3incloud.com/signup/five_g"),
        ("国家5G试点的材料要送到哪", "花园北路52号"),
        ("验收的材料传到哪个网站", "https://hrp.3incloud.com/signup/five_g"),
    ],
)
def test_where_to_submit_is_answered_with_the_address_or_url(kb, question, place):
    """The best fact may only say "upload to the platform"; the one with its address answers."""
    reply = kb.answer(question)
    assert place in reply.text.split("\n")[0] and "没有给出" not in reply.text, reply.text
