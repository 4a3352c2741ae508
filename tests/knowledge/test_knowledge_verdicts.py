"""Decide, then render: situation questions get a verdict from the typed rules, with reasons.

Phrasings here are written for these tests (not taken from the question files): each rule type
is checked with several ways applicants say the same situation."""
from __future__ import annotations

import pytest

from knowledge.situation import find_moment, read_situation, to_number


@pytest.mark.parametrize(("text", "value"), [("12", 12), ("十二", 12), ("两", 2), ("二十五", 25), ("九", 9), ("六百五", 650), ("一千二", 1200), ("三千零五", 3005), ("abc", None)])
def test_numbers_in_digits_or_chinese(text, value):
    assert to_number(text) == value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我们是杭州注册的软件公司", {"legally_established_in_shanghai": False, "registered_in_china": True, "health_system_unit": False}),
        ("本单位在闵行区注册，独立法人", {"legally_established_in_shanghai": True, "independent_legal_person": True}),
        ("我们是香港注册的公司", {"registered_in_china": False}),
        ("我们是集团下面的分公司", {"independent_legal_person": False}),
        ("除了牵头还拉了七家合作单位", {"partner_count": 7}),
        ("加上牵头一共十家", {"partner_count": 9}),
        ("纸质版准备了4份", {"copies": 4}),
        ("负责人今年52岁，加拿大籍", {"pi_age": 52, "pi_chinese_nationality": False}),
        ("企业配套资金只有财政资助的60%", {"cofunding_ratio": 0.6}),
        ("企业出资配套2:1", {"cofunding_ratio": 2.0}),
        ("负责人要去国外访学8个月", {"pi_absence_over_six_months": True}),
        ("算上我们牵头的单位一共6家", {"partner_count": 5}),
        ("我们联合体总共有7家", {"partner_count": 6}),
        ("合作的有3家", {"partner_count": 3}),
        ("负责人能投入八成的精力", {"pi_time_share": True}),
        ("负责人只有五成的工作时间做这个", {"pi_time_share": False}),
        ("负责人明年出国两次，一次4个月，一次3个月", {"pi_absence_over_six_months": True}),
        ("负责人去年8月出去，今年1月回来", {"pi_absence_over_six_months": False}),
        ("PI 2020年11月出国，2021年7月回国", {"pi_absence_over_six_months": True}),
        ("向专项申请50万，企业那边答应配40万", {"cofunding_ratio": 0.8}),
        ("财政资助申请80万，合作公司投入120万", {"cofunding_ratio": 1.5}),
        ("企业配套资金只有财政资助的60%", {"cofunding_ratio": 0.6, "funded_elsewhere": None}),
        ("我们医院申请30万，企业出30万", {"cofunding_ratio": 1.0, "health_system_unit": True}),
        ("企业配套按1:0.6出", {"cofunding_ratio": 0.6}),
        ("负责人能不能同时主持两个项目", {"pi_leads_other": True}),
        ("负责人想同时牵头申报2项", {"leads_another_project": True}),
        ("负责人手上同时主持3项国家课题", {"pi_concurrent_projects": 3}),
        ("配套比例先说1:0.5\n不对，核了一下是1:1.2", {"cofunding_ratio": 1.2}),
    ],
)
def test_the_situation_becomes_typed_attributes(text, expected):
    profile = read_situation(text).profile
    for key, value in expected.items():
        assert profile.get(key) == pytest.approx(value) if isinstance(value, float) else profile.get(key) == value, (text, profile)


def test_a_partner_joining_is_read_as_a_partner_with_what_it_says_of_itself():
    # the lead unit's rules are not applied to it as they are (test_knowledge_followups.py)
    profile = read_situation("我们是区里的电信分公司，想作为联合单位参与").profile
    assert profile["role"] == "partner" and profile["independent_legal_person"] is False


@pytest.mark.parametrize(
    ("text", "moment"),
    [("1月21号晚上八点送过去", (None, 1, 21, 20, 0)), ("2024年1月10日下午4点半上传的", (2024, 1, 10, 16, 30)),
     ("4月13号上午十点", (None, 4, 13, 10, 0)), ("3月5日", (None, 3, 5, None, 0))],
)
def test_a_moment_with_its_time_of_day(text, moment):
    found = find_moment(text)
    assert (found.year, found.month, found.day, found.hour, found.minute) == moment


@pytest.mark.parametrize(
    ("text", "moment"),
    [("材料2020.12.30下午3点寄出", (2020, 12, 30, 15, 0)), ("2024/1/9 16:20上传", (2024, 1, 9, 16, 20)),
     ("2018-04-12上午九点", (2018, 4, 12, 9, 0)), ("4.12号上午送", (None, 4, 12, None, 0)),
     ("1/20晚上7点提交的", (None, 1, 20, 19, 0)), ("三月二十号下午两点", (None, 3, 20, 14, 0))],
)
def test_a_day_written_with_separators_or_in_words_is_read_as_a_day(text, moment):
    found = read_situation(text).moment
    assert found is not None, text
    assert (found.year, found.month, found.day, found.hour, found.minute) == moment


@pytest.mark.parametrize("text", ["企业配套1:1", "三分之二即2/3的时间", "版本3.5", "电话021-23170721", "预算12.5万"])
def test_numbers_that_are_no_day_stay_no_day(text):
    assert read_situation(text).moment is None, text


@pytest.mark.parametrize(
    ("question", "verdict", "facts"),
    [
        ("我们联合体拉了九家合作单位，上海5G医疗试点能这样报吗", "不可以", ["8家", "9家"]),
        ("上海5G医疗试点，合作单位一共五家，没问题吧", "可以", ["8家"]),
        ("国家5G医疗试点纸质稿我们只打了两份，够不够", "不够", ["一式三份"]),
        ("上海5G试点书面材料准备了6份，够吗", "足够", ["六份"]),
        ("我们是南京注册的公司，能牵头上海5G医疗试点吗", "不可以", ["上海市依法设立"]),
        ("智慧医疗专项负责人是英国籍，能当申请人吗", "不可以", ["中国国籍"]),
        ("智慧医疗专项的负责人53岁了还能报吗", "原则上不可以", ["50岁"]),
    ],
)
def test_a_situation_question_gets_the_verdict_first(kb, question, verdict, facts):
    reply = kb.answer(question)
    first_line = reply.text.split("\n")[0]
    assert first_line.split("】", 1)[1].startswith(verdict), reply.text
    for fact in facts:
        assert fact in reply.text, (fact, reply.text)
    assert reply.citations


@pytest.mark.parametrize(
    ("question", "verdict"),
    [
        ("国家5G医疗试点我们1月22日下午4点把材料送到，来得及吗", "算按时"),
        ("国家那个试点我们1月21号晚上八点送材料过去，还收吗", "不能"),
        ("国家5G试点的材料1月23号上午送到还算数吗", "不能按时受理"),
        ("验收资料我们2024年1月10号晚上9点才传到平台，算按期吗", "不能按时受理"),
        ("国家5G试点材料2021.1.20上午10点送到的，赶上了吗", "算按时"),
        ("国家那个纸质材料1/23上午才送到，赶没赶上", "不能按时受理"),
    ],
)
def test_a_moment_is_compared_with_the_window_and_its_daily_hours(kb, question, verdict):
    reply = kb.answer(question)
    assert reply.text.split("】", 1)[1].startswith(verdict), reply.text
    assert "截止" in reply.text  # and that the window has closed (today is after every window)


def test_asking_what_the_rule_is_gets_the_rule_not_a_verdict(kb):
    reply = kb.answer("国家5G试点对运营商有级别要求吗")
    assert "地市级" in reply.text and not reply.text.split("】", 1)[1].startswith(("可以", "不可以"))


def _conversation(kb, *turns):
    from knowledge.reply import Context

    context, reply = Context(), None
    for turn in turns:
        reply = kb.answer(turn, context=context)
        context = Context(programs=tuple(reply.programs) or context.programs, topic=reply.topic,
                          question=reply.question, situation=reply.situation)
    return reply


@pytest.mark.parametrize(
    ("turns", "verdict"),
    [
        (["我们是苏州注册的医疗器械公司，在看上海5G医疗试点", "那我们可以当牵头单位吗"], "不可以"),
        (["我们单位在徐汇注册，是独立法人的三级医院，关注上海5G试点", "那能牵头申报吗"], "可以"),
        (["智慧医疗专项这边，我们负责人是外籍专家", "他能当项目申请人吗"], "不可以"),
        (["国家5G试点我们联合体除牵头外有十一家单位", "这样能报吗"], "不可以"),
    ],
)
def test_what_was_said_before_decides_a_short_follow_up(kb, turns, verdict):
    reply = _conversation(kb, *turns)
    assert reply.text.split("】", 1)[1].startswith(verdict), reply.text


@pytest.mark.parametrize(
    ("said", "key", "latest"),
    [
        ("我们在浦东注册，下面有个分公司\n哦不对，我们本身是独立法人", "independent_legal_person", True),
        ("我们是独立法人单位\n其实我们只是集团的分院", "independent_legal_person", False),
        ("负责人是外籍\n搞错了，他是中国国籍", "pi_chinese_nationality", True),
        ("联合单位有9家\n后来砍掉了，现在只有6家联合单位", "partner_count", 6),
        ("负责人今年52岁\n更正一下，他今年49岁", "pi_age", 49),
    ],
)
def test_a_later_message_overrides_what_an_earlier_one_said(said, key, latest):
    assert read_situation(said).profile[key] == latest


def test_a_message_completing_the_one_before_is_read_with_it():
    assert read_situation("负责人明年要去国外进修\n前后大概十个月").profile["pi_absence_over_six_months"] is True


def test_a_late_correction_decides_the_verdict(kb):
    reply = _conversation(kb, "我们是上海注册的，不过是分公司", "哦不对，我们其实是有独立法人的", "那上海5G试点能牵头吗")
    assert reply.text.split("】", 1)[1].startswith("可以"), reply.text


def test_a_correction_forgets_what_was_said(kb):
    reply = _conversation(kb, "我们是苏州注册的公司，关注上海5G医疗试点", "我刚才说的情况有误，我们其实是上海注册的", "那能牵头吗")
    assert reply.text.split("】", 1)[1].startswith("可以"), reply.text
    assert "苏州" not in reply.situation


@pytest.mark.parametrize(
    ("question", "lead", "fact"),
    [
        ("智慧医疗专项申请人的年龄不能超过45岁，对吧", ("不对，不是45岁",), "50岁"),
        ("验收延期最多可以延三个月是吧", ("不对，不是三个月",), "一年"),
        ("国家5G试点纸质材料交三份就可以，对吗", ("是的", "足够"), "一式三份"),
        ("上海5G试点纸质申报材料是一式六份吧", ("是的",), "六份"),
        ("上海5G试点年度总结报告是2022年9月15日截止吧", ("不对，不是2022年9月15日",), "9月30日"),
    ],
)
def test_an_assumed_value_is_confirmed_or_corrected_first(kb, question, lead, fact):
    reply = kb.answer(question)
    assert reply.text.split("】", 1)[1].startswith(lead) and fact in reply.text, reply.text


def test_a_value_whose_subject_is_unclear_is_not_confirmed(kb):
    reply = kb.answer("上海5G试点联合单位最多1家，是吧")  # the notice says 牵头单位1家, 联合单位不超过8家
    assert not reply.text.split("】", 1)[1].startswith("是的"), reply.text


@pytest.mark.parametrize(
    ("question", "said"),
    [
        ("验收总结报告写多少字合适，有字数要求吗", "通知中没有给出字数限制"),
        ("上海5G试点刘迪的邮箱能给一下吗", "通知中没有给出邮箱"),
        ("国家5G试点申报书有页数限制吗，最多几页", "页"),
        ("年报要是漏交了，会受什么处罚", "处罚"),  # jieba cuts 漏交了 oddly: the detail names it
        ("智慧医疗专项书面材料不小心填错会被处分吗", "处罚"),
        ("5G试点延期申请交上去，一般多久给批复", "通知中没有给出审核（批复）所需的时间"),
        ("换牵头单位的申请报上去要审核多长时间", "通知中没有给出审核（批复）所需的时间"),
        ("智慧医疗的资格审核几天能出结果", "通知中没有给出审核（批复）所需的时间"),
        ("国家5G试点集中受理那几天赶上周六，当天有人收材料吗", "通知中没有给出周末或节假日是否受理"),
        ("验收延期一年还不够的话，可以第二次延期吗", "通知中没有给出能否再次延期的规定"),
        ("5G试点验收不合格，能重新组织一次验收吗", "通知中没有给出不通过后重新验收（复验）的安排"),
    ],
)
def test_a_detail_the_notices_do_not_give_is_said_to_be_missing_first(kb, question, said):
    reply = kb.answer(question)
    first = reply.text.split("\n")[0]
    assert said in first and "没有" in first, reply.text
    assert "@" not in reply.text  # nothing invented


def test_a_detail_the_answer_holds_is_just_answered(kb):
    reply = kb.answer("上海5G试点刘娜的电话多少")
    assert "没有给出" not in reply.text and "13024102873" in reply.text


@pytest.mark.parametrize(
    ("question", "opening", "values"),
    [
        ("国家的和上海的5G试点，纸质材料要交的份数相同吗", "不一样", ["三份", "六份"]),
        ("上海5G试点书面材料和智慧医疗专项书面材料，截止的钟点有区别吗", "不一样", ["17:00", "16:00"]),
        ("国家跟上海5G试点的集中受理截止日是同一天吗", "不一样", ["1月22日", "1月19日"]),
    ],
)
def test_same_or_different_says_which_with_both_values(kb, question, opening, values):
    reply = kb.answer(question)
    first = reply.text.split("\n")[0]
    assert first.startswith(opening) and all(v in first for v in values), reply.text


def test_values_whose_subject_is_unclear_are_not_compared(kb):
    reply = kb.answer("上海5G试点跟国家5G试点的联合单位上限一样不")  # 1家 (lead) and 8家 (partners) in both
    assert not reply.text.startswith(("一样", "不一样：")) or "8家" in reply.text.split("\n")[0], reply.text


@pytest.mark.parametrize(
    ("question", "verdict"),
    [
        ("我们单位打算牵头申报3个国家5G医疗试点项目，行吗", "不可以"),
        ("我一个人主持两个智慧医疗专项研究项目可以吗", "不可以"),
        ("智慧医疗专项书面材料我们4月11号下午两点送过去，时间上没问题吧", "算按时"),
        ("验收资料打算1月10日夜里11点再传，会不会算逾期", "不能按时受理"),
    ],
)
def test_more_ways_of_saying_a_count_or_a_moment(kb, question, verdict):
    reply = kb.answer(question)
    assert reply.text.split("】", 1)[1].startswith(verdict), reply.text


@pytest.mark.parametrize(
    ("question", "lead"),
    [
        ("验收申请书的试点项目介绍我们写了六百多字，会不会超", "不符合"),
        ("验收申请书里项目介绍写了450字，可以吗", "符合"),
        ("验收专家组我们只找了4位专家，行吗", "原则上不可以"),
        ("验收专家组请了9名专家，够不够", "符合"),
    ],
)
def test_a_quantity_against_the_limit_the_fact_states(kb, question, lead):
    reply = kb.answer(question)
    assert reply.text.split("】", 1)[1].startswith(lead), reply.text


@pytest.mark.parametrize(
    ("text", "partners"),
    [("1家牵头、7家联合", 7), ("我们有九家参与单位加一家牵头", 9), ("联合体里6个合作方", 6), ("除牵头外还有三家联合单位", 3)],
)
def test_the_partner_count_whichever_side_the_number_stands(text, partners):
    assert read_situation(text).profile.get("partner_count") == partners


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我们主任是英国国籍", {"pi_chinese_nationality": False}),
        ("负责人是新加坡国籍的", {"pi_chinese_nationality": False}),
        ("本院今年打算申报5个项目", {"unit_applications": 5}),
        ("我们单位一共报两项", {"unit_applications": 2}),
        ("负责人手上同时承担着4项国家课题", {"pi_concurrent_projects": 4}),
        ("申请人目前在研3个地方项目", {"pi_concurrent_projects": 3}),
    ],
)
def test_nationality_and_project_counts(text, expected):
    profile = read_situation(text).profile
    assert {k: profile.get(k) for k in expected} == expected, profile


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("我们下午三点送过去，算按时吧", True),
        ("独立法人的民营医院能牵头不", True),
        ("我们十家一起报行不行", True),
        ("集中受理每天几点到几点能收材料", False),  # asks a value, though 能 is in it
        ("我们在浦东，材料寄到哪里能收", False),
        ("联合单位最多8家，是吧", False),  # a premise to confirm, not a verdict
    ],
)
def test_what_asks_for_a_verdict(question, asks):
    from knowledge.verdicts import asks_for_verdict

    assert asks_for_verdict(question) is asks


@pytest.mark.parametrize(
    ("question", "verdict", "fact"),
    [
        ("我们单位准备报五个智慧医疗专项项目，可以吗", "不可以", "3项"),
        ("负责人是澳大利亚国籍，能申请智慧医疗专项吗", "不可以", "中国国籍"),
        ("项目负责人同期在研5项国家课题，还能报智慧医疗专项吗", "不可以", "3项"),
    ],
)
def test_counts_and_nationality_decide(kb, question, verdict, fact):
    reply = kb.answer(question)
    assert reply.text.split("】", 1)[1].startswith(verdict) and fact in reply.text, reply.text


@pytest.mark.parametrize(
    "question",
    [
        "我们是联合单位，上海5G试点项目负责人要换，我们自己能提交申请吗",
        "我们单位是上海5G试点项目的参加单位，项目想中止，我方能直接申请吗",
        "我们是上海5G试点的参与单位，想换项目负责人，能直接提申请吗",
    ],
)
def test_a_partner_may_not_file_what_the_lead_unit_files(kb, question):
    reply = kb.answer(question)
    first = reply.text.split("\n")[0].partition("】")[2]
    assert first.startswith("不能") and "牵头单位" in first, reply.text


def test_the_lead_unit_asking_the_same_is_not_refused(kb):
    reply = kb.answer("我们是牵头单位，上海5G试点想换项目负责人，我们能直接提申请吗")
    assert not reply.text.partition("】")[2].startswith("不能") and "牵头单位提出申请" in reply.text


def _verdicts_by_program(text: str) -> dict[str, str]:
    return {block.split("】")[0]: block.split("】", 1)[1] for block in text.split("\n") if block.startswith("【")}


@pytest.mark.parametrize(
    "turns",
    [
        ["我们是苏州的三甲医院，独立法人，能牵头报5G试点吗"],
        ["我们在杭州注册，是有独立法人资格的公司，国家的和上海的5G医疗试点都能牵头吗"],
        ["我们单位是成都的一家事业单位，独立法人", "上海和国家的5G试点，我们能当牵头单位吗"],
    ],
)
def test_two_programs_whose_rules_differ_each_give_their_verdict(kb, turns):
    verdicts = _verdicts_by_program(_conversation(kb, *turns).text)
    assert verdicts["【上海市5G+医疗健康应用试点"].startswith("不可以"), verdicts
    assert verdicts["【国家5G+医疗健康应用试点"].startswith("可以"), verdicts


def test_a_question_of_what_a_rule_requires_gets_no_verdict_on_the_asker(kb):
    reply = _conversation(kb, "上海5G试点要求在上海设立，国家那个是不是也得在上海注册")
    assert "可以（就您所说的情况）" not in reply.text, reply.text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("负责人明年去剑桥当访问学者，5月出发12月回来，前后7个月", {"pi_absence_over_six_months": True}),
        ("负责人要出国进修\n本来打算待8个月\n现在缩短了，只待4个月", {"pi_absence_over_six_months": False}),
        ("负责人每年出国一年里不超过3个月", {"pi_absence_over_six_months": False}),
        ("课题负责人发表论文很多，专利还没有", {"pi_has_patent": False}),
        ("我有两项发明专利，只是还没有转化", {"pi_has_patent": True}),
        ("李老师本次一共参与4项申报", {"pi_applications": 4}),
        ("这个课题前年拿过区里的财政经费", {"funded_elsewhere": True}),
        ("以前是分院，没有法人\n现在已经独立了，是独立法人", {"independent_legal_person": True}),
        ("我们是独立法人单位下面的分支机构", {"independent_legal_person": False}),
        ("我们属于分公司，不具有独立法人资格", {"independent_legal_person": False}),
        ("我们是高校附属的研究所，归教育系统，不属于卫生系统", {"health_system_unit": False}),
        ("我们单位在本市卫生计生系统内", {"health_system_unit": True}),
        ("民营医院算不算卫生计生系统内的单位", {"health_system_unit": None}),
        ("申请人能把四分之三的时间用在项目上", {"pi_time_share": True}),
        ("负责人最多拿出二分之一的精力", {"pi_time_share": False}),
        ("我们还想换个方向再牵头一个", {"project_state": None, "leads_another_project": True}),
        ("项目想更换一下牵头医院", {"project_state": "change_lead"}),
        ("我们只报了健康管理1个方向", {"one_direction": True}),
        ("国家5G试点就勾中医诊疗一个方向", {"one_direction": True}),
        ("能不能同时报远程诊断和远程治疗两个方向", {"one_direction": False}),
    ],
)
def test_what_the_applicant_says_latest_in_either_order_outright_or_as_a_fraction(text, expected):
    profile = read_situation(text).profile
    for key, value in expected.items():
        assert profile.get(key) == value, (key, profile)


def test_a_corrected_time_replaces_the_time_said_before():
    moment = read_situation("纸质材料1月19号晚上7点才送到\n不对，签收单上是1月19号下午3点").moment
    assert moment is not None and (moment.day, moment.hour) == (19, 15)


def test_two_moments_of_two_acts_are_not_a_correction():
    moment = read_situation("网上4月8号就交了\n纸质的4月12号送").moment
    assert moment is not None and moment.day == 8


def test_three_applications_are_above_the_limit_whatever_two_means(kb):
    reply = kb.answer("智慧医疗专项，王医生自己主持一项，还在别人两个项目里挂名，总共参与3项申报，可以吗")
    assert reply.text.partition("】")[2].startswith("不可以"), reply.text


@pytest.mark.parametrize(
    ("turns", "opening", "facts"),
    [
        (["智慧医疗专项网上3月30号填完提交，纸质版4月11号下午送过去的，两样都算按时吧"], "都符合", ("4月10日", "4月13日")),
        (["上海5G试点我们线上1月16号报的", "纸质材料1月18号上午送到金港路", "这两个时间都行吧"], "都符合", ("1月19日",)),
        (["智慧医疗专项网上4月8号交了，纸质版4月14号才送到，都没问题吧"], "不能按时受理", ("4月13日",)),
        (["国家5G试点", "我们的材料1月22号晚上7点才送到花园北路", "这样有影响吗"], "不能", ("17:00",)),
    ],
)
def test_two_acts_on_two_days_are_each_timed_against_their_own_window(kb, turns, opening, facts):
    reply = _conversation(kb, *turns)
    assert reply.text.split("】", 1)[1].startswith(opening), reply.text
    for fact in facts:
        assert fact in reply.text, reply.text


@pytest.mark.parametrize("question", ["上海5G试点项目2021年9月启动，计划一直建到2024年3月，符合周期要求吗", "5G试点验收前问下，我们项目2021年9月开始，打算做到2024年5月，符合要求吗"])
def test_a_planned_period_against_a_period_said_in_principle_or_generally_is_soft(kb, opens_with, question):
    opens_with(kb.answer(question), "原则上不可以", "两年")


@pytest.mark.parametrize(
    ("question", "verdict"),
    [("负责人要出国两次，第一次3个月，第二次4个月，可以吗", "不可以"), ("负责人能拿出八成时间做课题，够吗", "可以")],
)
def test_a_rule_only_one_program_has_answers_for_that_program_when_none_is_named(kb, question, verdict):
    reply = kb.answer(question)
    assert reply.programs == ["smart"], reply.text
    assert reply.text.split("】", 1)[1].startswith(verdict), reply.text


def test_what_a_unit_says_of_itself_names_no_program(kb):
    assert kb.answer("我们是区里的二级医院，能报吗").kind == "clarify"


@pytest.mark.parametrize(
    ("question", "verdict", "fact"),
    [
        ("国家5G试点联合单位不超过6家对吧？我们拉了7家，得砍掉吗", "可以", "8家"),
        ("智慧医疗专项年龄上限是40岁是吧？我们负责人43，是不是不行了", "可以", "50岁"),
        ("上海5G试点纸质材料交三份对不对？我们打了四份，够不够", "不够", "六份"),
    ],
)
def test_a_wrong_premise_then_the_askers_own_case_gets_the_verdict_on_it(kb, question, verdict, fact):
    reply = kb.answer(question)
    assert reply.text.split("】", 1)[1].startswith(verdict), reply.text
    assert fact in reply.text


@pytest.mark.parametrize("text", ["联合单位最多10家，是吧", "负责人要求45岁以下吧？", "最多报3项对吗？"])
def test_a_rule_the_applicant_assumes_is_no_fact_about_them(text):
    assert read_situation(text).profile == {}, text


def test_another_way_is_offered_when_the_verdict_is_no_and_the_applicant_asks_for_one(kb):
    reply = kb.answer("我们是无锡注册的独立法人医院，能牵头上海5G试点吗？如果不行的话还有别的办法吗")
    first, *rest = reply.text.split("\n")
    assert first.split("】", 1)[1].startswith("不可以"), reply.text
    assert any(line.startswith("另一条路：【国家5G+医疗健康应用试点】可以") for line in rest), reply.text


def test_no_other_way_is_added_unless_asked_or_when_it_is_no_as_well(kb):
    assert "另一条路" not in kb.answer("我们是无锡注册的独立法人医院，能牵头上海5G试点吗").text
    assert "另一条路" not in kb.answer("我们是香港注册的公司，能牵头上海5G试点吗？不行的话有别的路子吗").text


@pytest.mark.parametrize("question", ["我们科室能牵头上海5G试点吗？不行的话怎么办", "我们是外地公司能报智慧医疗吗？要是不行的话我们怎么参与"])
def test_a_verdict_asked_before_what_to_do_otherwise_is_a_verdict(question):
    from knowledge.verdicts import asks_for_verdict

    assert asks_for_verdict(question)
