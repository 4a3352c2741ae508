"""Same or different: the comparison step (knowledge/comparison.py) and its use by the composer.

Phrasings are written for these tests, not taken from the question files."""
from __future__ import annotations

import pytest

from knowledge.comparison import Side, asks_to_compare, both_asked, compare, each_asked, plain_question, two_subjects


@pytest.mark.parametrize(
    "question",
    ["两个通知的份数一样吗", "截止时间相同不", "这俩是不是同一个网址", "网上和书面的截止有什么区别", "是同一天吗", "集中受理是同几天"],
)
def test_comparing_questions_are_recognised(question):
    assert asks_to_compare(question)


@pytest.mark.parametrize("question", ["线上线下材料能不能不一样", "不同方向可以一起报吗", "各单位要求不同吗我不清楚，先问下截止", "同时申报两个可以吗"])
def test_other_questions_with_the_same_words_are_not_comparisons(question):
    assert not asks_to_compare(question)


def test_each_side_answers_the_plain_question():
    assert plain_question("国家的方向跟上海的一样多吗") == "国家的方向跟上海的有多少个"
    assert "一样" not in plain_question("两个试点的截止日期一样吗")


@pytest.mark.parametrize(
    ("question", "subjects"),
    [
        ("网上申报截止和纸质材料截止是同一天吗", ("网上申报截止", "纸质材料截止")),
        ("验收申请书跟成果统计表的模板一样吗", ("验收申请书", "成果统计表的模板")),
        ("要交几份？还是跟申报时一样吗", None),  # a question before: no two subjects
    ],
)
def test_two_subjects_of_one_notice(question, subjects):
    assert two_subjects(question) == subjects


def test_the_quantity_about_the_subject_asked_is_compared():
    a = Side("甲", "牵头单位为1家，联合单位不超过8家")
    b = Side("乙", "牵头单位为1家，联合单位不超过6家")
    assert compare("联合单位的上限一样吗", [a, b]) == "不一样：甲是8家，乙是6家。"
    assert compare("牵头单位数一样吗", [a, b]) == "一样：都是1家。"
    assert compare("单位数量一样吗", [a, b]) is None  # which count is meant is unclear


def test_windows_are_shown_whole_and_deadlines_by_day_and_time():
    a = Side("甲", "受理：2021年1月15日至1月19日（每天9:00-17:00），已于2021年1月19日17:00截止。")
    b = Side("乙", "报送：2018年4月11日至4月13日16:00，已于2018年4月13日16:00截止。")
    assert compare("受理是同几天", [a, b]) == "不一样：甲是2021年1月15日至1月19日，乙是2018年4月11日至4月13日。"
    assert compare("截止的钟点一样吗", [a, b]) == "不一样：甲是17:00，乙是16:00。"
    both = compare("截止是同一天同一个钟点吗", [a, Side("丙", "已于2021年1月19日17:00截止。")])
    assert both == "一样：都是1月19日；都是17:00。"


def test_rules_without_values_differ_by_their_words_only_when_asked_yes_or_no():
    a = Side("甲", "申报单位须为上海市依法设立的企事业单位。")
    b = Side("乙", "申报单位须为境内注册、具有独立法人资格的企事业单位。")
    assert compare("注册地要求一样吗", [a, b]).startswith("不一样")
    assert compare("注册地要求有什么区别", [a, b]) is None  # both answers are shown; nothing to assert
    assert compare("注册地要求一样吗", [a, b], by_wording=False) is None
    assert compare("要求一样吗", [a, Side("乙", a.text)]) is None


@pytest.mark.parametrize(
    ("question", "opening", "values"),
    [
        ("智慧医疗专项网上填报和书面报送的截止日是同一天吗", "不一样", ["4月10日", "4月13日"]),
        ("国家和上海的5G试点，重点方向数量一样吗", "不一样", ["8个", "10个"]),
        ("上海5G试点和国家5G试点的受理时间是同几天吗", "不一样", ["1月15日至1月19日", "1月18日至1月22日"]),
        ("国家5G试点和上海5G试点，联合单位最多能有几家，一样吗", "一样", ["8家"]),
    ],
)
def test_the_composer_answers_comparisons_with_both_values(kb, question, opening, values):
    first = kb.answer(question).text.split("\n")[0]
    assert opening in first[:20] and all(v in first for v in values), first


def test_asking_for_leave_to_differ_is_not_answered_as_a_comparison(kb):
    reply = kb.answer("验收材料线上线下的版本可以不一样吗")
    assert not reply.text.split("】", 1)[-1].startswith(("一样", "不一样")), reply.text


def test_how_many_directions_compared(kb):
    first = kb.answer("上海5G试点跟国家5G试点，重点方向一样多吗").text.split("\n")[0]
    assert first.startswith("不一样") and "8个" in first and "10个" in first, first


@pytest.mark.parametrize(
    ("question", "said"),
    [
        ("国家5G医疗试点第二批什么时候报", "没有给出下一批"),
        ("智慧医疗专项明年还会组织申报吗", "没有给出下一批"),
        ("验收现场考察要花多长时间", "没有给出所需时长"),
        ("5G试点验收没过，整改完能申请二次验收不", "没有给出不通过后重新验收"),
        ("我们公司刚注册，国家5G试点要求单位成立满几年", "没有给出单位成立年限要求"),
        ("智慧医疗的项目查新证明找哪家机构做", "没有给出出具机构的要求"),
    ],
)
def test_a_next_round_or_a_length_the_notices_do_not_give(kb, question, said):
    assert said in kb.answer(question).text


def test_a_window_answers_how_many_days(kb):
    assert "没有给出所需时长" not in kb.answer("上海5G试点集中受理几天").text


@pytest.mark.parametrize(
    ("question", "subjects", "first"),
    [
        ("年度报告和验收材料的截止日期分别是几号", ("年度报告", "验收材料"), "年度报告的截止日期是几号"),
        ("申报书和证明材料各需要几份", ("申报书", "证明材料"), "申报书需要几份"),
        ("请问，线上填报和纸质报送分别在什么时间", ("线上填报", "纸质报送"), "请问,线上填报在什么时间"),
    ],
)
def test_one_question_asked_of_each_of_two_subjects(question, subjects, first):
    each = each_asked(question)
    assert each is not None and each.subjects == subjects and each.questions[0] == first


@pytest.mark.parametrize("question", ["上海和国家5G试点各单位能牵头几个", "两个项目分别是什么时候截止的"])
def test_no_two_subjects_no_split(question):
    assert each_asked(question) is None


@pytest.mark.parametrize(
    ("question", "facts"),
    [
        ("智慧医疗专项的网上申报和书面材料各自几号截止", ("4月10日", "4月13日")),
        ("5G试点年报和验收资料分别要在哪天前交", ("9月30日", "1月10日")),
        ("上海5G试点线上申报和纸质材料分别啥时候截止", ("线上系统申报", "集中受理")),
    ],
)
def test_each_subject_gets_its_own_notices_answer(kb, question, facts):
    reply = kb.answer(question)
    for fact in facts:
        assert fact in reply.text, reply.text


@pytest.mark.parametrize("question", ["上海5G试点和国家5G试点方向数量有什么区别", "国家的跟上海的5G试点，方向个数一样不"])
def test_the_number_of_directions_is_the_length_of_each_list(kb, question):
    reply = kb.answer(question)
    assert reply.text.startswith("不一样") and "10个" in reply.text and "8个" in reply.text, reply.text


@pytest.mark.parametrize(
    ("question", "opening"),
    [
        ("上海和国家的5G试点，是不是都得附电子版光盘", "是的，都得"),
        ("上海跟国家的5G医疗试点都需要做线上系统申报吗", "不一样"),
        ("两个5G试点申报材料都要A4纸双面打印吗", "是的，都要"),
    ],
)
def test_a_requirement_asked_of_both_notices_gets_both_or_which(kb, question, opening):
    reply = kb.answer(question)
    assert reply.text.startswith(opening), reply.text


def test_a_requirement_one_notice_denies_is_not_stated_by_it():
    sides = [Side("甲", "申报材料一式六份，同时须进行线上系统申报。"), Side("乙", "通知未提及线上系统申报或申报网址。")]
    assert both_asked("都要线上系统申报吗", sides) == "不一样：甲要线上系统申报，乙的通知没有这样的要求。"
    assert both_asked("线上系统申报截止是哪天", sides) is None
