"""Resolve (knowledge/resolve.py) and the vocabulary it reads (knowledge/vocabulary.py): which
programs a message is about, its topic and the question each program answers, from the frame and
the conversation so far. Phrasings written for this test."""
from __future__ import annotations

import pytest

from knowledge.api import KnowledgeBase
from knowledge.frame import understand
from knowledge.reply import Context
from knowledge.resolve import Resolved
from knowledge.vocabulary import unknown_term


def resolve(kb: KnowledgeBase, text: str, context: Context = Context(), intent: str | None = None) -> Resolved:
    return kb.composer.resolver.resolve(understand(text, text), intent, None, context)


def test_a_named_program_and_the_topic_its_words_tell(kb):
    resolved = resolve(kb, "智慧医疗专项书面材料几号截止")
    assert resolved.programs == ("smart",) and resolved.topic == "deadline"


def test_another_program_asked_the_same_question_as_before(kb):
    before = Context(programs=("sh5g",), topic="deadline", question="上海5G试点纸质材料最晚哪天送")
    resolved = resolve(kb, "那国家的呢", before)
    assert resolved.programs == ("nat5g",) and resolved.topic == "deadline"
    assert resolved.question == before.question


def test_the_previous_asking_words_with_a_new_subject(kb):
    before = Context(programs=("sh5g",), topic="eligibility", question="上海5G试点联合单位最多几家")
    resolved = resolve(kb, "那牵头单位呢", before)
    assert resolved.programs == ("sh5g",) and "牵头单位" in resolved.question and "几家" in resolved.question


def test_a_short_follow_up_keeps_the_previous_subject(kb):
    before = Context(programs=("nat5g",), topic="submission", question="国家5G试点申报材料寄到哪")
    resolved = resolve(kb, "几号截止", before)
    assert resolved.programs == ("nat5g",) and "申报材料" in resolved.question


def test_the_pilot_named_generically_is_the_one_the_conversation_is_about(kb):
    before = Context(programs=("accept",), topic="documents", question="上海5G试点验收交什么")
    assert resolve(kb, "5G试点的联系人是谁", before).programs == ("accept",)


def test_the_pilot_named_generically_with_words_only_one_of_its_notices_uses(kb):
    assert resolve(kb, "5G试点延期申请表是附件几").programs == ("accept",)


def test_no_program_named_but_words_only_one_notice_uses(kb):
    assert resolve(kb, "合作研究协议要盖章吗").programs == ("smart",)


def test_no_program_can_be_told(kb):
    resolved = resolve(kb, "截止时间是哪天")
    assert resolved.programs == () and resolved.topic == "deadline"


def test_another_regions_program(kb):
    assert resolve(kb, "浙江省的5G医疗试点什么时候申报").other_region


def test_several_programs_come_in_the_order_of_the_program_files(kb):
    order = list(kb.data.programs)
    for text in ("国家和上海的5G试点联合单位上限一样吗", "上海和国家的5G试点联合单位上限一样吗"):
        programs = resolve(kb, text).programs
        assert len(programs) == 2 and sorted(programs, key=order.index) == list(programs)


@pytest.mark.parametrize(("term", "unknown"), [("报名费", True), ("申报费", True), ("注册地", False), ("联合单位", False)])
def test_a_word_no_notice_uses(kb, term, unknown):
    assert unknown_term(term, kb.composer.vocabulary.with_related["sh5g"]) is unknown


def test_the_subject_words_a_program_never_uses(kb):
    vocabulary = kb.composer.vocabulary
    assert vocabulary.missing_terms(kb.data.programs["sh5g"], "上海5G试点的申报费交多少") == ["申报费"]
    assert vocabulary.missing_terms(kb.data.programs["sh5g"], "上海5G试点联合单位最多几家") == []


def test_directions_are_found_by_their_names_and_aliases(kb):
    vocabulary = kb.composer.vocabulary
    assert "远程诊断" in vocabulary.directions_named("我们做5G+远程诊断")
    assert vocabulary.only_program_with_direction("信息安全与共性标准研究方向要几家单位") == ["smart"]


@pytest.mark.parametrize(
    "question",
    ["帮我算一下房贷月供多少", "晚饭吃什么比较健康", "推荐一部好看的电影", "麻烦问下今年社保基数调了没", "公积金贷款额度多少", "上海居转户要几年"],
)
def test_nothing_of_the_notices_domain_is_out_of_scope(kb, question):
    assert kb.answer(question).kind == "out_of_scope"


@pytest.mark.parametrize("question", ["一家单位能牵头几个", "网上去哪里申报", "负责人有什么要求"])
def test_a_domain_question_naming_no_program_asks_which(kb, question):
    assert kb.answer(question).kind == "clarify"


@pytest.mark.parametrize(("follow_up", "window"), [("那书面的呢", "4月13日"), ("纸质版呢", "4月13日")])
def test_a_kind_of_material_after_a_when_question_asks_the_same_of_it(talk, follow_up, window):
    reply = talk("智慧医疗专项网上申报哪天结束", follow_up)
    assert window in reply.text.split("\n")[0], reply.text


def test_a_subject_of_its_own_after_a_when_question_stands_alone(talk):
    reply = talk("国家5G试点材料几号截止", "那联系人呢")
    assert "010-" in reply.text and "截止" not in reply.text.split("\n")[0]


@pytest.mark.parametrize(
    "question",
    [
        "能帮我约个华山医院的门诊号吗",
        "上海医保卡住院能报多少",
        "后天浦东天气怎么样",
        "最近股市怎么样，能买点啥",
        "给我推荐个5G手机，两千左右",
        "帮我写一篇项目总结的作文",
    ],
)
def test_requests_no_notice_speaks_of_are_out_of_scope_though_they_share_a_word(kb, question):
    assert kb.answer(question).kind == "out_of_scope"


@pytest.mark.parametrize("question", ["智慧医疗专项的经费能报销吗", "上海5G试点的申报书要我们自己写吗", "5G医疗试点验收要交几份"])
def test_a_question_naming_a_program_is_ours_though_it_has_such_a_word(kb, question):
    assert kb.answer(question).kind != "out_of_scope"


@pytest.mark.parametrize(
    ("question", "fact"),
    [("延期了的项目能不能参加典型推荐", "不参与典型试点项目推荐"), ("我们项目终止了，还能推荐成典型吗", "不参与典型试点项目推荐"),
     ("典型项目推荐名额有上限吗", "30%")],
)
def test_words_only_one_pilots_later_notices_use_are_answered_without_asking_which(kb, question, fact):
    reply = kb.answer(question)
    assert reply.kind == "answer" and "accept" in reply.programs and fact in reply.text, reply.text


@pytest.mark.parametrize(("question", "phone"), [("孔琳电话多少", "68866370"), ("请问刘硕鹏的手机", "18701867242"), ("沈剑峰怎么联系", "68791911")])
def test_a_contact_named_alone_names_the_notice_that_lists_them(kb, question, phone):
    assert phone in kb.answer(question).text


_STRIP_IN_A_FRESH_PROCESS = """
from knowledge.loader import load_knowledge
from knowledge.programs import ProgramDetector
detector = ProgramDetector(load_knowledge().programs)
for question in ["2022年那个通知里 上海试点验收工作具体由谁完成", "国家5G医疗健康试点验收要交啥", "上海试点年度总结报告写什么"]:
    print(detector.strip(question), detector.detect(question).programs)
"""


def test_what_a_question_names_does_not_depend_on_the_process_hash_seed():
    """Names of equal length are tried in a fixed order: the same question is read the same way in
    every process (a set's order had made one answer differ between runs)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    def run(seed: str) -> str:
        env = {**os.environ, "PYTHONHASHSEED": seed}
        return subprocess.run([sys.executable, "-c", _STRIP_IN_A_FRESH_PROCESS], env=env, cwd=Path(__file__).resolve().parents[2],
                              capture_output=True, text=True, check=True).stdout

    outputs = {run(seed) for seed in ("1", "3", "5")}
    assert len(outputs) == 1, outputs
