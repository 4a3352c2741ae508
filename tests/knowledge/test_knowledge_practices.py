"""How the applicant does a thing the notices require one way (knowledge/data/practices.yml), the
telecom operator's level, partners' attributes kept apart from the asker's, and yes/no tails.

Phrasings are written for these tests, not taken from the question files."""
from __future__ import annotations

import pytest

from knowledge.practices import load_practices, practice_said
from knowledge.situation import read_situation
from knowledge.text import normalize
from knowledge.verdicts import asks_for_verdict


def head(kb, question: str) -> str:
    """The reply's first line, without the program label."""
    return kb.answer(question).text.split("\n")[0].partition("】")[2]


@pytest.mark.parametrize(
    ("question", "name", "complies"),
    [
        ("申报书我们打算单面印，行吗", "双面打印", False),
        ("材料只印一面可以不", "双面打印", False),
        ("我们已经正反面打好了没问题吧", "双面打印", True),
        ("纸质版我们就不寄了，可以吗", "纸质版同步报送", False),
        ("光传了电子版行不行", "纸质版同步报送", False),
        ("盖章那页拿复印的可以吗", "原件加盖公章", False),
        ("骑缝章没盖要紧吗", "骑缝章", False),
        ("我们做成精装本可以吗", "简易装订", False),
        ("课题组想单独把材料送过去，行吗", "单位统一报送", False),
        ("不走科研处，我们个人直接交可以吗", "单位统一报送", False),
        ("我们的材料由科研处统一交，没问题吧", "单位统一报送", True),
        ("验收资料我们只在系统上传了，可以吗", "纸质版同步报送", False),
        ("光传到平台上行不行", "纸质版同步报送", False),
        ("声明书是我们科室主任签的名，行吗", "法定代表人签字", False),
        ("责任声明没让法人签，可以吗", "法定代表人签字", False),
        ("我们盖的都是鲜章，可以吧", "原件加盖公章", True),
    ],
)
def test_the_way_the_applicant_does_it_is_recognised(question, name, complies):
    said = practice_said(normalize(question))
    assert said is not None and (said.practice.name, said.complies) == (name, complies)


@pytest.mark.parametrize("question", ["需要双面打印吗", "纸质版要寄几份", "装订有什么要求"])
def test_asking_for_the_rule_is_not_a_practice_of_the_asker(question):
    assert practice_said(normalize(question)) is None


def test_every_practice_names_what_is_required_in_a_few_words():
    assert all(p.says and p.required.pattern and p.contrary.pattern for p in load_practices())


@pytest.mark.parametrize(
    ("question", "opening", "required"),
    [
        ("上海5G医疗试点的申报书打算单面打印，可以吗", "不可以", "双面打印"),
        ("国家5G试点材料我们只印一面行不行", "不可以", "双面打印"),
        ("上海5G试点我们盖章页用的是复印件，行吗", "不可以", "复印无效"),
        ("5G试点验收我们光在平台传了电子版，行不行", "不可以", "纸质版"),
        ("国家5G试点材料做成精装本可以吗", "不可以", "简易装订"),
        ("上海5G试点申报书我们正反面打印的，可以吧", "可以", "双面打印"),
        ("智慧医疗专项我们课题组打算自行寄材料，行不行", "不可以", "单位统一报送"),
        ("上海5G试点的责任声明由经办人签的字，可以吗", "不可以", "法定代表人签字"),
        ("5G试点验收我们线上传完了也把纸质版提交了，这样做对吗", "可以", "纸质版"),
    ],
)
def test_a_practice_gets_its_verdict_and_the_requirement(kb, question, opening, required):
    first = head(kb, question)
    assert first.startswith(opening + "：") and required in kb.answer(question).text, first


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我们合作的运营商是县里的分公司", {"has_operator": True, "operator_city_level": False}),
        ("联合体里的移动是区县公司", {"has_operator": True, "operator_city_level": False}),
        ("请的是联通的市分公司", {"has_operator": True, "operator_city_level": True}),
        ("电信省公司也加入了", {"has_operator": True, "operator_city_level": True}),
    ],
)
def test_the_operator_and_its_level(text, expected):
    profile = read_situation(text).profile
    assert {k: profile.get(k) for k in expected} == expected, profile


@pytest.mark.parametrize(
    "text",
    ["我们是浦东的医院，合作的公司是分公司", "我们是上海注册的医院，联合单位里有一家外地企业", "我们是三甲医院，合作方是广州注册的公司"],
)
def test_what_is_said_of_a_partner_is_not_said_of_the_asker(text):
    profile = read_situation(text).profile
    assert profile.get("independent_legal_person") is not False and profile.get("legally_established_in_shanghai") is not False, profile


def test_a_county_level_operator_gets_a_soft_verdict_with_the_city_level(kb):
    first = head(kb, "国家5G试点，我们找的电信是县级分公司，这样符合吗")
    assert first.startswith("原则上不可以") and "地市级" in first, first


@pytest.mark.parametrize("question", ["联合单位6家，没超吧", "下午四点前送到，来得及吧", "材料按时交了，不会被退吧", "我们1月15号报的，按时吧"])
def test_worried_tails_ask_for_a_verdict(question):
    assert asks_for_verdict(question)
