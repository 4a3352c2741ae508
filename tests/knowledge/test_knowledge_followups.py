"""What the applicant says about themselves, read across a conversation, and the verdicts it
leads to: a place anywhere in China tells Shanghai or elsewhere; a bare "这样行吗" judges the
statement before it; "再加一个" adds to what was counted; a partner is not judged by the rules for
the applying unit. Also: a listed direction asked "能报吗", a notice named by its year, and "how
do we hand it in". Phrasings are written for this test, not taken from the question files."""
from __future__ import annotations

import pytest

from knowledge.api import KnowledgeBase
from knowledge.places import registered_in_shanghai
from knowledge.reply import Context, Reply
from knowledge.situation import read_situation


def conversation(kb: KnowledgeBase, *turns: str) -> Reply:
    context = Context()
    reply = None
    for turn in turns:
        reply = kb.answer(turn, context=context)
        context = Context(programs=tuple(reply.programs) or context.programs, topic=reply.topic, question=reply.question,
                          situation=reply.situation)
    assert reply is not None
    return reply


def opening(reply: Reply) -> str:
    return reply.text.partition("】")[2]


@pytest.mark.parametrize(
    ("text", "in_shanghai"),
    [("我们是太仓注册的软件企业", False), ("我们是宁波的一家民营医院", False), ("公司注册在合肥", False),
     ("我们在无锡设立的研究所", False), ("我们是闵行的一家社区卫生服务中心", True), ("我们是徐汇区的公司", True),
     ("我们是瑞金医院信息科", None), ("我们是高新技术企业", None), ("我们是新注册的公司", None)],
)
def test_where_a_unit_is_registered_from_any_city_or_county(text, in_shanghai):
    assert registered_in_shanghai(text) is in_shanghai


@pytest.mark.parametrize(
    ("text", "profile"),
    [("负责人今年46，能报吗", {"pi_age": 46}),
     ("我每周能投在课题上的时间大概30%", {"pi_time_share": False}),
     ("我用于项目研究的时间有八成，约80%", {"pi_time_share": True}),
     ("我们单位已经申报了2个项目 还想再报一个", {"unit_applications": 3}),
     ("联合体里已经有6家参与单位，打算再找三家", {"partner_count": 9})],
)
def test_what_is_said_about_the_applicant_is_read(text, profile):
    read = read_situation(text).profile
    assert {key: read.get(key) for key in profile} == profile
    assert "cofunding_ratio" not in read  # a share of working time is not money


def test_time_share_is_not_read_as_a_funding_ratio():
    assert read_situation("投入到项目里的时间大概65%").profile == {"pi_time_share": True}


def test_a_bare_yes_no_question_judges_the_statement_before_it(kb: KnowledgeBase):
    reply = conversation(kb, "我是智慧医疗专项的申请人", "下半年单位派我去海外访学", "前后要9个月", "这样可以吗")
    assert opening(reply).startswith("不可以") and "6个月" in reply.text


def test_a_date_said_before_is_judged_against_the_window_asked_about(kb: KnowledgeBase, set_today):
    set_today("2026-12-03")
    reply = conversation(kb, "智慧医疗专项的书面材料我们打算4月14号上午送过去", "行不行")
    assert opening(reply).startswith("不") and "4月13日" in reply.text


def test_one_more_is_added_to_the_count_said_before(kb: KnowledgeBase):
    reply = conversation(kb, "上海5G试点我们的联合体目前有8家联合单位", "再拉一家医院进来可以不")
    assert opening(reply).startswith("不可以") and "9家" in reply.text


def test_a_hospital_outside_shanghai_is_outside_the_citys_health_system(kb: KnowledgeBase):
    reply = conversation(kb, "我们是南京的一家三甲医院，可以报智慧医疗专项吗")
    assert opening(reply).startswith("不可以") and "本市卫生计生系统" in reply.text


def test_a_partner_is_not_judged_by_the_rules_for_the_applying_unit(kb: KnowledgeBase):
    reply = conversation(kb, "我们是合肥注册的公司，想作为联合单位参加上海5G试点的申报，行吗")
    assert opening(reply).startswith("需进一步确认") and "通知未明确" in reply.text


def test_an_enterprise_joining_a_hospitals_project_is_judged_as_a_partner(kb: KnowledgeBase):
    reply = conversation(kb, "我们是做手术机器人的企业，准备和华山医院合作申报智慧医疗专项，医院牵头，企业配套按1:1出资", "这样可以吗")
    assert opening(reply).startswith("可以") and "1:1" in reply.text


@pytest.mark.parametrize(
    ("question", "number"),
    [("国家5G试点 远程诊断方向我们能选吗", "方向2"), ("智慧医疗专项的智能诊断方向，我们做病理AI的可以报不", "方向1")],
)
def test_a_listed_direction_asked_may_we_gets_yes_and_its_number(kb: KnowledgeBase, question, number):
    reply = conversation(kb, question)
    assert opening(reply).startswith("可以") and number in reply.text


@pytest.mark.parametrize(
    ("question", "program"),
    [("2024年那份验收通知里专家组怎么打分", "accept"), ("2018年的那个文件负责人有年龄限制吗", "smart"),
     ("2022年发的通知里年报几号交", "annual"), ("2022年7月那个5G通知让交什么", "annual"), ("24年1月那份文件专家几个人", "accept")],
)
def test_a_notice_named_by_the_year_it_was_issued(kb: KnowledgeBase, question, program):
    assert kb.composer.detector.detect(question).programs == (program,)


def test_a_year_of_two_notices_only_hints(kb: KnowledgeBase):
    detected = kb.composer.detector.detect("2020年那个通知的联合单位上限")
    assert set(detected.programs) == {"sh5g", "nat5g"}


@pytest.mark.parametrize(
    ("question", "expected"),
    [("国家5G试点的申报材料要怎么寄", "花园北路52号"), ("验收资料如何提交", "five_g"), ("上海5G试点的材料送到哪儿", "金港路")],
)
def test_how_or_where_to_hand_in_gets_the_way_not_the_list(kb: KnowledgeBase, question, expected):
    assert expected in conversation(kb, question).text


@pytest.mark.parametrize(
    ("question", "lead", "fact"),
    [("5G试点项目到期了还有任务没干完，可以申请延期吗", "可以", "附件5"),
     ("上海5G试点我们进度快，还没到期，能不能提前验收", "可以", "提前验收"),
     ("上海5G试点我们项目想提前结项，需要交什么材料", "", "验收总结报告")],
)
def test_the_projects_state_named_in_the_question_gets_its_step(kb: KnowledgeBase, question, lead, fact):
    reply = conversation(kb, question)
    assert opening(reply).startswith(lead) and fact in reply.text


def test_of_several_steps_for_a_state_the_one_asked_about(kb: KnowledgeBase):
    # 中止: the acceptance notice's deadline step and the annual notice's approval step; who approves is asked
    reply = conversation(kb, "上海5G试点项目打算中止，这个得哪些部门审批")
    assert "审核" in reply.text and "批复" in reply.text


def test_a_partner_may_not_file_what_the_lead_unit_files_and_is_not_told_both(kb: KnowledgeBase):
    reply = conversation(kb, "我们只是上海5G试点项目的合作单位，打算自己去申请退出，行不行")
    assert opening(reply).startswith("不能") and "牵头单位" in reply.text
    assert "可以：" not in reply.text  # no second, contrary verdict below


def test_a_broken_count_decides_before_a_way_of_doing_that_is_right(kb: KnowledgeBase):
    reply = conversation(kb, "国家5G试点的申报书我们正反面打印了两份，这样行吗")
    assert opening(reply).startswith("不") and "3份" in reply.text and "另：" in reply.text


def test_a_statement_that_breaks_a_rule_is_judged_unasked(kb: KnowledgeBase):
    reply = conversation(kb, "智慧医疗专项的项目负责人是我", "单位明年派我去国外进修", "一共要待八个月")
    assert opening(reply).startswith("按您所说，不可以") and "6个月" in reply.text


def test_a_statement_that_breaks_nothing_gets_no_verdict(kb: KnowledgeBase):
    reply = conversation(kb, "我们是徐汇注册的独立法人企业，在看上海5G试点")
    assert not opening(reply).startswith(("按您所说", "可以", "不可以"))


@pytest.mark.parametrize(
    ("question", "lead"),
    [("国家5G试点联合单位上限是10家，对吗", "不对，不是10家"), ("上海5G试点纸质版准备四份就行了是吧", "不对，不是四份"),
     ("国家5G试点的纸质申报材料准备三份，没错吧", "是的")],
)
def test_a_premise_is_confirmed_or_corrected_not_judged_as_the_askers_situation(kb: KnowledgeBase, question, lead):
    assert opening(conversation(kb, question)).startswith(lead)


def test_a_quantity_over_the_limit_says_it_is_over(kb: KnowledgeBase):
    reply = conversation(kb, "验收申请书的试点项目介绍我们写了一千字左右，会不会超")
    assert opening(reply).startswith("不符合（超出）") and "500字" in reply.text


@pytest.mark.parametrize(
    ("turns", "expected"),
    [(("国家5G试点我们联合体目前有5家联合单位", "最多还能加几家"), "还能再加3家"),
     (("智慧医疗专项我们医院这次已经申报了1项", "还可以再报几个"), "还能再加2项")],
)
def test_how_many_more_the_limit_leaves(kb: KnowledgeBase, turns, expected):
    assert expected in conversation(kb, *turns).text


def test_what_now_in_the_projects_state_in_other_words(kb: KnowledgeBase):
    reply = conversation(kb, "上海5G试点我们的项目到期了还没建完", "那下一步咋办")
    assert "延期或终止申请" in reply.text and not opening(reply).startswith("可以")


@pytest.mark.parametrize(
    ("text", "key", "value"),
    [("我们医院的信息科想牵头报", "independent_legal_person", None),  # a 科室 is part of its hospital
     ("负责人是中国籍，有加拿大永久居留", "pi_chinese_nationality", True),
     ("负责人拿了美国绿卡", "pi_chinese_nationality", False),
     ("公司注册地在苏州，上海只有研发中心", "legally_established_in_shanghai", False),
     ("我们是一家民营医院", "health_system_unit", None),  # whether it is in the 卫生计生系统 is not said
     ("申请人每年去海外参加学术会议加起来差不多两个月", "pi_absence_over_six_months", False)],
)
def test_more_ways_of_describing_oneself(text, key, value):
    assert read_situation(text).profile.get(key) == value


def test_a_tick_box_for_the_online_system_is_no_second_direction():
    assert "one_direction" not in read_situation("纸质版六份打好了，线上系统也报了").profile


@pytest.mark.parametrize(
    ("turns", "lead", "fact"),
    [(("国家5G试点我们能报远程查房这个方向吗",), "不可以", "8个方向"),
     (("上海5G试点，想申报元宇宙医院方向，行不行",), "不可以", "10个方向"),
     (("我们的产品是5G急救车", "想参加上海的5G试点", "能报这个方向吗"), "可以", "方向1")],
)
def test_a_direction_asked_may_we_in_a_program_that_does_or_does_not_list_it(kb: KnowledgeBase, turns, lead, fact):
    reply = conversation(kb, *turns)
    assert opening(reply).startswith(lead) and fact in reply.text


@pytest.mark.parametrize(
    ("question", "lead"),
    [("上海5G试点纸质材料我们2021年1月18号下午三点送的，在集中受理时间之内吧", "算按时"),
     ("智慧医疗专项书面材料我们4月13号下午5点送到的，还在期限里吧？", "不能")],
)
def test_a_time_given_with_in_the_window_right_is_checked_against_it(kb: KnowledgeBase, set_today, question, lead):
    set_today("2026-12-03")
    assert opening(conversation(kb, question)).startswith(lead)


def test_a_span_of_dates_asked_is_not_answered_by_a_duration(kb: KnowledgeBase):
    reply = conversation(kb, "国家5G试点的项目建设期从啥时候到啥时候")
    assert "2021年9月" in reply.text or "通知中没有给出具体时间" in reply.text
    assert not opening(reply).startswith("建设周期。")  # "原则上不超过两年" alone does not answer it


def test_the_same_yes_no_question_for_another_program(kb: KnowledgeBase):
    reply = conversation(kb, "我们是南京注册的独立法人企业", "能牵头报上海的5G试点吗", "那国家的呢")
    assert reply.programs == ["nat5g"] and opening(reply).startswith("可以") and "境内" in reply.text


def test_the_city_level_pilot_named_as_the_city_ones(kb: KnowledgeBase):
    detected = kb.composer.detector.detect("市里那个和国家那个5G试点，联合单位上限各是多少")
    assert set(detected.programs) == {"sh5g", "nat5g"}


@pytest.mark.parametrize(
    "turns",
    [("这项研究内容前年已经获得市财政资金支持了，还能报智慧医疗专项吗",),
     ("我们课题想报智慧医疗专项", "同一个课题去年申请了市科委的项目，已经立项", "这样还能报吗")],
)
def test_the_same_research_funded_elsewhere_is_not_accepted(kb: KnowledgeBase, turns):
    reply = conversation(kb, *turns)
    assert reply.programs == ["smart"] and opening(reply).startswith("不可以") and "不予受理" in reply.text


def test_a_short_name_read_across_a_common_word_names_no_program(kb: KnowledgeBase):
    assert kb.composer.detector.detect("今年报的智慧医疗专项").programs == ("smart",)  # 今年 + 报, not 年报
    assert kb.composer.detector.detect("5G试点的年报几号交").programs == ("annual",)


@pytest.mark.parametrize(
    ("question", "program"),
    [("22年那个通知里年度报告写啥", "annual"), ("24年那份验收文件要交几样材料", "accept"), ("18年那个5G以外的专项通知，研究期限多久", "smart")],
)
def test_a_notice_named_by_a_two_digit_year(kb, question, program):
    assert kb.answer(question).programs == [program]


def test_a_year_naming_a_notice_is_no_length_of_time_to_correct(kb):
    reply = kb.answer("按23年之前那个22年的通知，建设周期是两年吧")
    assert "不是22年" not in reply.text


@pytest.mark.parametrize("question", ["5G试点项目实在推进不了，打算中止，需要怎么操作", "我们5G试点想中止项目，要谁审批"])
def test_the_step_that_names_the_asked_state_comes_first(kb: KnowledgeBase, question: str):
    reply = kb.answer(question)
    assert "试点项目中止" in reply.text and "备案" in reply.text, reply.text
