"""How applicants really write: typos, their own words, situations, comparisons, and questions
the notices answer only in part. Each answer must still come from the right clause."""
from __future__ import annotations

import pytest

from knowledge.reply import Context
from knowledge.api import KnowledgeBase
from knowledge.typos import HomophoneCorrector


@pytest.fixture(scope="module")
def corrector() -> HomophoneCorrector:
    return HomophoneCorrector(["入围项目名单进行公示", "联系人及联系方式", "5G+远程查房", "验收资料上传", "加盖骑缝章"])


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("啥时候公式入围名单", "公示"), ("练系人是谁", "联系人"), ("远程茶房方向", "查房"), ("严收资料", "验收"), ("要盖骑缝张吗", "骑缝章")],
)
def test_homophone_typos_become_the_notices_word(corrector: HomophoneCorrector, typed: str, meant: str) -> None:
    assert meant in corrector.correct(typed)


@pytest.mark.parametrize("text", ["我们是一家企业", "通知是哪天发布的", "验收工作整体是从什么时候", "公示" * 200])
def test_words_across_word_boundaries_and_long_texts_are_left_alone(corrector: HomophoneCorrector, text: str) -> None:
    assert corrector.correct(text) == text


def test_a_homophone_typo_is_answered_as_meant(kb: KnowledgeBase) -> None:
    reply = kb.answer("上海5G医疗试点啥时候公式入围名单", intent="ask_deadline")

    assert "公示" in reply.text and "2021年3月" in reply.text


def test_still_open_is_answered_with_the_window_and_its_status(kb: KnowledgeBase) -> None:
    reply = kb.answer("工信部的5G医疗健康应用试点项目这会儿还可以申请吗", intent="ask_eligibility")

    assert "已于2021年1月22日17:00截止" in reply.text
    assert reply.citations


def test_a_direction_no_program_has_is_said_not_to_exist(kb: KnowledgeBase) -> None:
    reply = kb.answer("上海5G试点有5G+医保支付方向吗", intent="ask_directions")

    assert "没有“医保支付”方向" in reply.text and "共10个方向" in reply.text
    assert reply.citations


def test_another_regions_program_is_out_of_scope(kb: KnowledgeBase) -> None:
    assert kb.answer("广东省5G医疗健康试点的截止时间是哪天", intent="ask_deadline").kind == "out_of_scope"


def test_a_contact_asked_for_by_name_is_found_in_whichever_notice_has_them(kb: KnowledgeBase) -> None:
    reply = kb.answer("上海工创中心孔琳的电话是多少", intent="ask_contact")

    assert "孔琳" in reply.text and "68866370" in reply.text


def test_a_subject_only_one_notice_knows_picks_that_program(kb: KnowledgeBase) -> None:
    reply = kb.answer("延期/终止表上要写清楚什么", intent="ask_documents")

    assert reply.programs == ["accept"] and "延期" in reply.text


def test_the_form_outline_is_answered_from_the_form_schema(kb: KnowledgeBase) -> None:
    reply = kb.answer("上海5G试点申报书里已有工作基础写什么内容", intent="ask_documents")

    assert "已部署5G网络应用平台和设备情况" in reply.text
    assert "二、申报项目建设方案" in reply.citations[0].clause


def test_an_organisation_asking_if_it_may_apply_gets_who_may_apply_first(kb: KnowledgeBase) -> None:
    reply = kb.answer("我们是一家高新技术企业，能不能自己牵头报智慧医疗专项", intent="ask_eligibility")

    assert "卫生计生系统" in reply.text and "联合申报" in reply.text


def test_a_window_the_notice_leaves_undated_is_dated_by_the_related_notice(kb: KnowledgeBase) -> None:
    reply = kb.answer("上海5G医疗试点建设期具体是从哪年哪月到哪年哪月", intent="ask_deadline")

    assert "2021年9月" in reply.text and "2023年8月" in reply.text and "依据" in reply.text


def test_copies_the_notice_does_not_count_are_not_invented(kb: KnowledgeBase) -> None:
    reply = kb.answer("5G试点验收纸质版要交几份", intent="ask_documents")

    assert reply.kind == "unknown" and "没有给出份数" in reply.text


def test_a_when_question_about_something_no_window_covers_is_not_answered_with_another_date(kb: KnowledgeBase) -> None:
    reply = kb.answer("国家5G医疗试点入围名单大概什么时候公示", intent="ask_deadline")

    assert reply.kind == "unknown"


def test_both_phases_are_answered_when_compared(kb: KnowledgeBase) -> None:
    reply = kb.answer("上海5G试点申报和验收的时候，市经信委联系人分别是谁", intent="ask_contact")

    assert "贾丽昆" in reply.text and "包小宜" in reply.text


def test_an_applicants_word_for_binding_finds_the_binding_rule(kb: KnowledgeBase) -> None:
    reply = kb.answer("上海5G试点申报书需要胶装精装吗", intent="ask_documents")

    assert "简易装订" in reply.text


def test_changing_the_lead_unit_is_answered_by_the_annual_work_notice(kb: KnowledgeBase) -> None:
    reply = kb.answer("5G医疗试点的牵头单位中途可以换吗", intent="ask_procedure")

    assert reply.programs == ["annual"] and "不允许调整" in reply.text


def test_a_short_follow_up_on_another_subject_stands_on_its_own(kb: KnowledgeBase) -> None:
    first = kb.answer("上海5G+医疗健康应用试点是哪个单位负责组织的", intent="ask_procedure")
    context = Context(programs=tuple(first.programs), topic=first.topic, question=first.question)

    reply = kb.answer("那要几份", intent="ask_documents", context=context)

    assert "一式六份" in reply.text


def test_a_when_question_about_a_document_finds_the_window_for_it(kb: KnowledgeBase) -> None:
    reply = kb.answer("智慧医疗专项纸质材料哪几天送", intent="ask_documents")

    assert "4月11日" in reply.text and "4月13日" in reply.text


def test_a_rule_about_directions_is_not_answered_with_their_list(kb: KnowledgeBase) -> None:
    reply = kb.answer("国家5G医疗试点一个项目可以同时选两个试点方向吗", intent="ask_directions")

    assert "一个试点方向" in reply.text or "1个试点方向" in reply.text


def test_the_list_and_one_direction_when_both_are_asked(kb: KnowledgeBase) -> None:
    reply = kb.answer("上海的5G医疗试点一共几个方向，有没有远程查房", intent="ask_directions")

    assert "共10个重点方向" in reply.text and "远程查房：" in reply.text


def test_an_age_question_worded_still_can_i_is_about_eligibility(kb: KnowledgeBase) -> None:
    reply = kb.answer("请问一下智慧医疗专项负责人五十一岁了还能报吗", intent="ask_eligibility")

    assert "50岁" in reply.text


def test_an_answer_that_does_not_speak_of_the_subject_says_the_notice_does_not_say(kb: KnowledgeBase) -> None:
    reply = kb.answer("5G试点年度总结报告有字数要求吗", intent="ask_documents")

    assert reply.kind == "unknown" and "没有给出" in reply.text
    assert any(b.payload == "/request_human" for b in reply.buttons)


@pytest.mark.parametrize("question", ["浙江省数字健康专项今年啥时候开始申报", "北京市智慧医疗专项申报指南发一下"])
def test_other_regions_programs_are_out_of_scope_even_with_a_name_like_ours(kb: KnowledgeBase, question: str) -> None:
    assert kb.answer(question, intent="ask_deadline").kind == "out_of_scope"


def test_an_applicant_from_another_region_asking_about_ours_is_answered(kb: KnowledgeBase) -> None:
    reply = kb.answer("我们是注册在江苏昆山的软件公司，想牵头报上海的5G医疗试点，行不行", intent="ask_eligibility")

    assert reply.kind == "answer" and "上海市依法设立" in reply.text


def test_a_notice_named_by_its_document_number(kb: KnowledgeBase) -> None:
    reply = kb.answer("沪经信基〔2020〕1146号那个申报 除了纸质的还要交电子版吗", intent="ask_documents")

    assert reply.programs == ["sh5g"] and "光盘" in reply.text


def test_a_listed_direction_asked_about_is_confirmed(kb: KnowledgeBase) -> None:
    reply = kb.answer("上海5G医疗健康试点里面有没有远程查房这个方向", intent="ask_directions")

    assert reply.text.startswith("【上海市5G+医疗健康应用试点】有。") and "方向9" in reply.text


def test_two_named_directions_in_one_project_get_the_rule(kb: KnowledgeBase) -> None:
    reply = kb.answer("上海5G试点能一个项目勾两个方向吗？我们既做远程诊断又做远程监护", intent="ask_directions")

    assert "1个试点方向" in reply.text


def test_too_late_is_asked_in_many_ways(kb: KnowledgeBase) -> None:
    reply = kb.answer("工信部和卫健委那个5G医疗健康试点现在报名还来得及吗", intent="ask_contact")

    assert "截止" in reply.text and "2021年1月22日" in reply.text


def test_words_of_the_askers_self_description_are_no_unknown_subject(kb: KnowledgeBase) -> None:
    reply = kb.answer("我们是一家做AI影像的初创企业，能单独申报智慧医疗专项吗", intent="ask_eligibility")

    assert reply.kind == "answer" and "卫生计生系统" in reply.text


def test_who_asks_does_not_pick_the_program(kb: KnowledgeBase) -> None:
    assert kb.answer("我们社区卫生服务中心能不能报", intent="ask_eligibility").kind == "clarify"


def test_what_follows_from_a_situation_is_answered_from_the_procedure(kb: KnowledgeBase) -> None:
    reply = kb.answer("5G试点验收的时候，验收材料没提交会怎么样", intent="ask_deadline")

    assert "不通过" in reply.text


def test_ending_a_project_names_the_acceptance_notices_form(kb: KnowledgeBase) -> None:
    reply = kb.answer("上海5G医疗试点要终止项目怎么办，用什么表", intent="ask_documents")

    assert "附件5" in reply.text and reply.programs == ["accept"]


def test_every_agency_named_gets_its_contact(kb: KnowledgeBase) -> None:
    reply = kb.answer("上海5G医疗试点，市经信委跟市卫健委那边分别找谁", intent="ask_contact")

    assert "贾丽昆" in reply.text and "唐怡雯" in reply.text


def test_an_email_the_notice_does_not_give_is_not_invented(kb: KnowledgeBase) -> None:
    reply = kb.answer("上海5G医疗试点那几个联系人的邮箱是多少", intent="ask_contact")

    assert reply.kind == "unknown" and "邮箱" in reply.text and "贾丽昆" in reply.text


def test_the_shanghai_pilots_acceptance_named_by_its_short_word(kb: KnowledgeBase) -> None:
    reply = kb.answer("上海5G试点验收要准备哪些材料", intent="ask_documents")

    assert reply.programs == ["accept"]


def test_two_questions_in_one_message_get_both_answers(kb: KnowledgeBase) -> None:
    reply = kb.answer("智慧医疗专项在哪个系统上报 单位注册要啥", intent="ask_submission")

    assert "法人一证通" in reply.text and "财政科技投入信息管理平台" in reply.text
    assert len(reply.citations) >= 2


def test_a_statement_of_context_is_not_taken_for_a_second_question(kb: KnowledgeBase) -> None:
    composer = kb.composer

    assert composer._two_questions("验收总结报告写5G网络建设情况，要附哪些证明材料") == []
    assert composer._two_questions("我们是医院，能报吗") == []


def test_describing_words_are_no_typos(corrector: HomophoneCorrector) -> None:
    # 合适 sounds like 核实 and 各是 like 格式; they are what the applicant meant
    wider = HomophoneCorrector(["核实", "格式", "验收资料上传"])

    assert wider.correct("项目介绍写多少字合适") == "项目介绍写多少字合适"
    assert wider.correct("两个截止时间各是什么时候") == "两个截止时间各是什么时候"


def _follow(kb: KnowledgeBase, first: str, then: str, intent: str | None = None):
    reply = kb.answer(first)
    context = Context(programs=tuple(reply.programs), topic=reply.topic, question=reply.question)
    return kb.answer(then, intent=intent, context=context)


def test_a_follow_up_naming_another_subject_asks_the_same_of_it(kb: KnowledgeBase) -> None:
    reply = _follow(kb, "智慧医疗专项网络申报啥时候", "书面的呢")

    assert "书面材料" in reply.text and "4月13日" in reply.text


def test_a_follow_up_naming_a_subject_of_another_topic_stands_on_its_own(kb: KnowledgeBase) -> None:
    reply = _follow(kb, "智慧医疗专项书面材料几号截止", "那联系人呢", intent="ask_contact")

    assert "顾青青" in reply.text


def test_a_direction_only_one_program_has_picks_that_program(kb: KnowledgeBase) -> None:
    reply = kb.answer("信息安全与共性标准研究方向要在几家单位应用")

    assert reply.kind == "answer" and reply.programs == ["smart"]
    assert "3家" in reply.text


def test_a_question_about_directions_that_asks_a_rule_is_no_request_for_the_list(kb: KnowledgeBase) -> None:
    reply = kb.answer("国家5G医疗试点每个方向优秀项目最多占多少", intent="ask_directions")

    assert "30%" in reply.text


def test_the_situation_after_the_question_is_no_unknown_subject(kb: KnowledgeBase) -> None:
    reply = kb.answer("上海5G医疗试点声明书里关于保密是怎么要求的，我们项目涉及病人数据", intent="ask_documents")

    assert reply.kind == "answer" and "国家秘密" in reply.text


def test_a_choice_the_notice_does_not_offer_is_not_answered_with_a_neighbour(kb: KnowledgeBase) -> None:
    reply = kb.answer("上海5G医疗试点光盘里的电子版要什么文件格式 pdf还是word", intent="ask_documents")

    assert reply.kind == "unknown" and "转人工" in [b.title for b in reply.buttons]


def test_the_whole_span_is_the_longest_window(kb: KnowledgeBase) -> None:
    reply = kb.answer("这轮5G试点验收整体从啥时候搞到啥时候", intent="ask_deadline")

    assert "2023年11月至2024年4月" in reply.text


def test_a_when_question_is_not_answered_by_a_neighbours_date(kb: KnowledgeBase) -> None:
    reply = kb.answer("上海5G医疗试点项目建设周期是从几月到几月", intent="ask_deadline")

    assert "2021年9月至2023年8月" in reply.text and "初审" not in reply.text


def test_the_fields_of_a_plain_form_section_are_answered_with_their_choices(kb: KnowledgeBase) -> None:
    reply = kb.answer("5G试点验收那个成果统计表里，5G专网类型有哪几个选项", intent="ask_documents")

    assert "专网专用" in reply.text and "公网共用" in reply.text
    assert any("附件4" in c.clause for c in reply.citations)


def test_applicants_words_in_a_facts_own_examples_match_after_mapping(kb: KnowledgeBase) -> None:
    reply = kb.answer("我们5G试点项目没按时做完，最多能延多久", intent="ask_procedure")

    assert "一年" in reply.text


def test_where_the_asker_is_registered_does_not_change_the_program_in_focus(kb: KnowledgeBase) -> None:
    context = Context(programs=("nat5g",), topic="overview", question="国家的5G医疗试点")

    reply = kb.answer("上海注册的公司能报吗", intent="ask_eligibility", nlu_programs=["sh5g"], context=context)

    assert reply.programs == ["nat5g"] and "境内" in reply.text


def test_a_notice_named_on_the_way_to_the_question_is_not_what_is_asked(kb: KnowledgeBase) -> None:
    reply = kb.answer("国家层面那个5G+医疗健康试点，工信部和卫健委联合发的，材料什么时候集中受理", intent="ask_deadline")

    assert "2021年1月18日" in reply.text


def test_a_situation_that_is_the_subject_is_answered_from_its_rule(kb: KnowledgeBase) -> None:
    reply = kb.answer("我们5G试点项目负责人要换人，需要走什么流程", intent="ask_procedure")

    assert reply.kind == "answer" and "负责人调整" in reply.text and "批复" in reply.text


def test_a_step_of_the_procedure_the_notice_gives_no_date_for_is_not_dated(kb: KnowledgeBase) -> None:
    reply = kb.answer("5G试点验收的现场考察一般安排在哪天", intent="ask_deadline")

    assert reply.kind == "unknown" and "没有给出具体时间" in reply.text


def test_a_wrong_number_of_directions_is_answered_with_the_right_one(kb: KnowledgeBase) -> None:
    reply = kb.answer("国家的5G医疗试点方向是不是也是十个", intent="ask_directions")

    assert "共8个重点方向" in reply.text


def test_how_long_an_extension_may_last_names_the_acceptance_notice_without_being_told(kb: KnowledgeBase) -> None:
    reply = kb.answer("项目没按期完成咋办 最多能延期多久", intent="ask_procedure")

    assert reply.programs == ["accept"] and "一年" in reply.text


def test_an_organisation_asking_alone_may_apply_is_told_who_may(kb: KnowledgeBase) -> None:
    reply = kb.answer("我们是一家民营科技公司，能不能自己单独申请智慧医疗课题？", intent="ask_eligibility")

    assert reply.kind == "answer"


def test_which_direction_fits_a_described_project_lists_them_with_a_hint(kb: KnowledgeBase) -> None:
    reply = kb.answer("我们是做疫苗配送管理平台的软件公司，报上海5G医疗试点选哪个方向比较对口", intent="ask_directions")

    assert "共10个重点方向" in reply.text and "可能最接近“5G+智能疾控”" in reply.text


def test_a_clause_naming_the_subject_is_part_of_the_question(kb: KnowledgeBase) -> None:
    reply = kb.answer("上海5G医疗试点专家评审的评分细则，各项分别占多少分", intent="ask_procedure")

    assert reply.kind == "unknown" and "细则" in reply.text


@pytest.mark.parametrize(("question", "program", "listed"), [
    ("5g验收要交哪些材料", "accept", "验收申请书"),
    ("国家5G医疗试点要准备啥资料", "nat5g", "一式三份"),
    ("智慧医疗专项都需要交什么东西", "smart", "申报汇总表"),
])
def test_materials_in_general_are_answered_with_the_programs_list(kb: KnowledgeBase, question: str, program: str, listed: str) -> None:
    reply = kb.answer(question, intent="ask_documents")

    assert reply.programs == [program] and listed in reply.text


def test_a_joining_adverb_is_no_typo_of_a_notices_word() -> None:
    corrector = HomophoneCorrector(["联系人邮箱", "环节要求"])
    assert corrector.correct("信息科又想再报一个") == "信息科又想再报一个"  # 又想 is no 邮箱
    assert corrector.correct("我们邮箱是多少") == "我们邮箱是多少"


@pytest.mark.parametrize(
    ("question", "elsewhere"),
    [
        ("国家的5G试点能不能报移动医护方向", "上海市5G+医疗健康应用试点的方向中有“5G+移动医护”（方向10）"),
        ("国家5G医疗试点里有5G远程查房这个方向吗", "上海市5G+医疗健康应用试点的方向中有“5G+远程查房”（方向9）"),
    ],
)
def test_a_direction_one_notice_lacks_names_the_notice_that_lists_it(kb: KnowledgeBase, question: str, elsewhere: str) -> None:
    reply = kb.answer(question)
    assert "没有“" in reply.text and elsewhere in reply.text, reply.text
    assert "项目验收的方向" not in reply.text  # the acceptance notice is nothing one applies to


@pytest.mark.parametrize("question", ["年度总结那个通知有没有留咨询电话", "22年那份文件的联系人是谁", "年度总结报告的事找哪个联系人"])
def test_a_notice_listing_no_contact_says_so_before_the_same_pilots_contacts(kb: KnowledgeBase, question: str) -> None:
    reply = kb.answer(question)
    assert reply.programs == ["annual"], reply.text
    assert "这份通知没有列出联系人或联系电话" in reply.text and "021-60801841" in reply.text, reply.text
