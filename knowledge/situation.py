"""What an applicant says about themselves, as typed attributes: the profile a verdict reads.

"我们是深圳注册的独立法人企业" → {registered_in_shanghai: False, registered_in_china: True,
independent_legal_person: True, enterprise: True}. Each attribute is the key of a rule's input
(the eligibility rules in data/eligibility/*.yml, the copies and windows of the program files),
so a verdict can apply the notices' rules to the applicant's own situation. Extractors are
small, general patterns over how applicants describe a unit, a count, a person or a moment;
none is written for one sentence.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

import yaml

from .periods import Day, Span, YearMonth, find_day, find_project_end, find_span
from .places import registered_in_shanghai
from .settings import DATA_DIR
from .text import NUMBER, normalize, spelled_dates, to_number


Profile = dict[str, Any]

# --- the unit ---------------------------------------------------------------------------------

SHANGHAI_PLACES = (
    "上海|本市|沪|浦东|黄浦|徐汇|长宁|静安|普陀|虹口|杨浦|闵行|宝山|嘉定|金山|松江|青浦|奉贤|崇明|临港|张江"
)
OTHER_PLACES = (
    "北京|天津|重庆|深圳|广州|杭州|南京|苏州|无锡|宁波|合肥|武汉|成都|西安|长沙|郑州|济南|青岛|厦门|福州|"
    "江苏|浙江|安徽|广东|山东|河南|河北|湖北|湖南|四川|福建|江西|辽宁|吉林|黑龙江|山西|陕西|云南|贵州|广西|"
    "海南|甘肃|青海|宁夏|新疆|西藏|内蒙古?|外地|外省|外市|省外|市外|异地"
)
ABROAD_PLACES = "境外|国外|海外|香港|澳门|台湾|美国|英国|日本|韩国|新加坡|德国|法国|开曼"
_REGISTERED = r"(?:注册|设立|成立|登记|的(?:公司|企业|医院|单位|机构))"
_SHANGHAI_UNIT = re.compile(rf"(?:{SHANGHAI_PLACES})[^，,。？?]{{0,6}}{_REGISTERED}|(?:在|是)(?:{SHANGHAI_PLACES})的?(?:一家|一所|一个)?[^，,。？?]{{0,8}}(?:医院|公司|企业|单位|中心|高校|大学)")
_OTHER_UNIT = re.compile(rf"(?:{OTHER_PLACES})[^，,。？?]{{0,6}}{_REGISTERED}|(?:在|是)(?:{OTHER_PLACES})的?(?:一家|一所|一个)?[^，,。？?]{{0,8}}(?:医院|公司|企业|单位|中心|高校|大学)")
_ABROAD_UNIT = re.compile(rf"(?:{ABROAD_PLACES})[^，,。？?]{{0,6}}{_REGISTERED}|注册(?:地|地址)?(?:在|于|是)(?:{ABROAD_PLACES})")
_WITH_A_HOSPITAL = re.compile(r"(?:跟|和|与|同)[^，,。？?]{0,10}(?:医院|医疗机构|卫生服务中心)[^，,。？?]{0,6}(?:一起|共同|联合|合作)(?:报|申报|申请|做)")
# (a 科室 is part of its hospital, the applying unit: no sign either way)
_NOT_LEGAL_PERSON = re.compile(
    r"分公司|分院|分支机构|办事处|(?:没有|没|无|不是|非|不具备|不具有)(?:独立)?法人"
    # "我们科室想牵头", "课题组能作为申报单位吗": a part of a unit as the applicant
    r"|(?:科室|课题组|团队|部门)(?:能|可以|想|要|打算|能否|能不能)?(?:作为|当|单独|自己|独立|直接)*(?:申报单位|申请单位|牵头)"
)
_LEGAL_PERSON = re.compile(r"独立法人|法人单位")
_PRIVATE = re.compile(r"民营|私立|私营|民办")
_ENTERPRISE = re.compile(r"(?:我们|我司|本公司|我单位|我们单位)?(?:是|作为)?[^，,。？?]{0,12}(?:公司|企业|厂商|厂家)(?!合作|联合)")
_UNIVERSITY = re.compile(r"大学|高校|学校|学院")
_IN_HEALTH_SYSTEM = re.compile(r"(不在|不属于|不归|没在|非)?(?:本市)?卫生(?:计生|健康)?系统(?:内|里|之内|管)?|(教育)系统")
_ASKED_EITHER_WAY = re.compile(r"算不算|是不是|属不属于|属于不属于|在不在")
_HEALTH_UNIT = re.compile(r"(?:我们|我)(?:是|在)?[^，,。？?]{0,10}(?:医院|卫生院|卫生服务中心|疾控|妇幼|血液中心|急救中心|卫健|卫生计生)")


# Joining someone else's project: the rules on who may apply (lead) are not theirs.
_AS_PARTNER = re.compile(r"(?:作为|当|做)(?:他们|对方|人家|别人|别家)?(?:的)?(?:项目)?(?:的)?(?:联合单位|参与单位|合作单位|合作方|参加单位)|(?<!牵头)参与(?:到)?[^，,。？?申报牵头]{0,10}(?:专项|试点|项目)(?!申报)|(?:我们|我方|本单位|我单位)[^，,。？?]{0,10}?(?:是|属于|只是|仅是|作为)[^，,。？?]{0,12}(?:联合单位|参与单位|合作单位|参加单位)|(?:参加|参与|加入)[^，,。？?]{0,12}(?:联合体|项目)"
    r"|(?:跟|和|与)[^，,。？?]{1,12}(?:合作|联合)(?:申报|申请|报)[^，,。？?]{0,12}[，,]\s*(?<!我们)(?<!我院)(?<!本)(?:对方|他们|医院|大学|高校|学校)(?:来)?牵头")
# "我们合作的运营商是县级分公司": what such a clause says is about a partner, not the asker's unit.
_ABOUT_A_PARTNER = re.compile(
    r"(?:合作的|联合的|参与的|参加的|找的|请的|拉的|邀请的|合作方|合作伙伴|联合单位|参与单位|参加单位|对方"
    r"|合作(?:企业|公司|厂商|厂家)|(?<!我们)(?<!本)(?:企业|公司|厂商|厂家)(?:那边|方面|方|说|配套|配|出资|投入|投|出))[^，,。；;？?]*"
)
# The telecom operator in the consortium and its level (国家5G试点: 电信运营企业（地市级以上）).
_OPERATOR = re.compile(r"运营商|电信运营企业|(?:中国)?(?:移动|联通|电信|广电)(?:公司|分公司|集团)?")
_OPERATOR_BELOW_CITY = re.compile(r"县级|区县|县里|县城|县分公司|区分公司|县公司|营业厅|乡镇")
_OPERATOR_CITY_OR_ABOVE = re.compile(r"地市级|市级|市分公司|市公司|省公司|省级|省分公司|集团公司|集团总部|总部")
UNIT_KEYS = ("registered_in_china", "legally_established_in_shanghai", "independent_legal_person", "health_system_unit")


def _last_at(pattern: re.Pattern[str], text: str) -> int | None:
    starts = [m.start() for m in pattern.finditer(text)]
    return starts[-1] if starts else None


def _clause_at(text: str, position: int) -> str:
    """The clause of ``text`` around ``position`` (between punctuation marks)."""
    start = max(text.rfind(mark, 0, position) for mark in "，,。；;？?\n")
    ends = [i for i in (text.find(mark, position) for mark in "，,。；;？?\n") if i != -1]
    return text[start + 1: min(ends) + 1 if ends else len(text)]


def _blank(match: re.Match[str]) -> str:
    """The match's place kept, its words gone: "没有独立法人" holds no "独立法人"."""
    return " " * len(match.group(0))


def _operator_attributes(text: str) -> Profile:
    if not _OPERATOR.search(text):
        return {}
    if _OPERATOR_BELOW_CITY.search(text):
        return {"has_operator": True, "operator_city_level": False}
    if _OPERATOR_CITY_OR_ABOVE.search(text):
        return {"has_operator": True, "operator_city_level": True}
    return {}


def _unit_attributes(text: str) -> Profile:
    # a company "跟三甲医院一起报" a program only a hospital may apply for joins as a partner
    with_a_hospital = _WITH_A_HOSPITAL.search(text) and _ENTERPRISE.search(text) and not _HEALTH_UNIT.search(text)
    found: Profile = {"role": "partner"} if _AS_PARTNER.search(text) or with_a_hospital else {}
    text = _ABOUT_A_PARTNER.sub("", text)
    if _ABROAD_UNIT.search(text):
        found["registered_in_china"] = False
        found["legally_established_in_shanghai"] = False
    elif _OTHER_UNIT.search(text):
        found["registered_in_china"] = True
        found["legally_established_in_shanghai"] = False
    elif _SHANGHAI_UNIT.search(text):
        found["registered_in_china"] = True
        found["legally_established_in_shanghai"] = True
    elif (in_shanghai := registered_in_shanghai(text)) is not None:  # "昆山注册的", "常熟的一家医院"
        found["registered_in_china"] = True
        found["legally_established_in_shanghai"] = in_shanghai
    # "分院去年独立出来了，现在是独立法人": of two mentions, the later one is how things stand
    said_not, said_is = _last_at(_NOT_LEGAL_PERSON, text), _last_at(_LEGAL_PERSON, _NOT_LEGAL_PERSON.sub(_blank, text))
    if said_not is not None and (said_is is None or said_not > said_is):
        found["independent_legal_person"] = False
    elif said_is is not None:
        found["independent_legal_person"] = True
    speaker = re.split(r"想|要|能|可以|打算|准备", text, maxsplit=1)[0]  # who they are, before what they want
    said = _IN_HEALTH_SYSTEM.search(text)
    clause = _clause_at(text, said.start()) if said else ""
    if said and not _QUESTION.search(clause) and not _ASKED_EITHER_WAY.search(clause):  # "归教育系统管，不在卫生系统里": said outright
        found["health_system_unit"] = not (said.group(1) or said.group(2))  # (not "算不算卫生计生系统内的")
        return found
    if _HEALTH_UNIT.search(speaker):
        # a private hospital: whether it is inside the 卫生计生系统 the notice does not say; the
        # 卫生计生系统 of the notices is Shanghai's (本市): a hospital elsewhere is outside it
        if not _PRIVATE.search(speaker):
            found["health_system_unit"] = found.get("legally_established_in_shanghai") is not False
    elif (_ENTERPRISE.search(speaker) or _UNIVERSITY.search(speaker)) and not re.search(r"医院|卫生", speaker):
        found["health_system_unit"] = False  # a company or a university (教育系统) is outside it
    return found


# --- counts -----------------------------------------------------------------------------------

_PARTNERS = re.compile(
    rf"(?:联合单位|合作单位|合作方|合作的|联合的|参与单位|参加单位|联合体成员|伙伴|合作伙伴|拉了|找了|另外|还有|加了|除了?牵头(?:单位)?(?:外|以外|之外)?)(?:[^，,。？?\d一二两三四五六七八九十]|一共|总共){{0,8}}?({NUMBER})\s*(?:家|个单位|个(?!同事|人|成员|项目|课题|月|方向))"
)
# "1家牵头8家联合", "8家参与单位": the number before what they are
_PARTNERS_BEFORE = re.compile(rf"({NUMBER})\s*(?:家|个)(?:联合|合作|参与|参加)(?:单位|方|伙伴)?")
_TOTAL_WITH_LEAD = re.compile(
    rf"(?:加上|算上|连同|包括|含)(?:我们|我方|本单位|我院|我司)?(?:的)?牵头[^，,。？?]{{0,6}}?(?:一共|共|总共)?(?:是)?({NUMBER})\s*家"
    rf"|联合体[^，,。？?\d]{{0,4}}(?:一共|总共|共)(?:是|有)?({NUMBER})\s*家"  # the consortium counts its lead
)
_SEVERAL_LEADS = re.compile(rf"(?:牵头|主持)(?:报|申报|申请)?[^，,。？?\d]{{0,2}}({NUMBER})\s*个[^，,。？?]{{0,12}}?项目|(?:同时|再|又|还想|还要)(?:牵头|报)[^，,。？?]{{0,6}}(?:一个|第二个|另一个|两个)|牵头(?:了)?一个[^，,。？?]{{0,12}}(?:再|又|还)[^，,。？?]{{0,4}}牵头"
    # "已经牵头了一个项目，还想当别人的联合单位": leading one already, asking of another
    rf"|(?:已经|已)(?:以[^，,。？?]{{0,8}}名义)?(?:牵头|主持)(?:了|报了|申报了)?(?:一个|1个)"
    # "负责人能同时主持两个吗": leading two applications at once, asked about
    rf"|(?:能|可以|能不能|可不可以|想)同时(?:牵头|主持)(?:申报|报)?(?:{NUMBER})\s*(?:个|项)")
_SEVERAL_DIRECTIONS = re.compile(rf"({NUMBER})\s*个(?:试点)?方向|(?:同时|一起|都|也)(?:勾|选)|(?:同时|一起|都|也)报[^，,。？?]{{0,8}}方向|方向[^，,。？?]{{0,6}}(?:同时|一起|都|也)报|(?:勾|选)了?(?:两|2|多)个|既[^，,。？?]{{2,12}}又")
# "一共参与三项申报", "参与了2个项目的申报": how many applications the leader takes part in
_PI_APPLICATIONS = re.compile(rf"(?:一共|总共|共|同时)?参与(?:了)?[^，,。？?\d]{{0,4}}?({NUMBER})\s*(?:项|个)(?:项目)?(?:的)?(?:申报|申请)")
_ONE_DIRECTION = re.compile(r"(?:就|只)(?:选|报|勾|申报)(?:了)?[^，,。？?]{0,8}?(?:一个|1个)(?:试点)?方向")
# "今年想报4个智慧医疗项目", "单位一共申报5项": how many projects the unit applies with
_UNIT_APPLICATIONS = re.compile(rf"(?:报|申报|申请|交)[^，,。？?\d]{{0,4}}?({NUMBER})\s*(?:个(?!月)|项)(?![^，,。？?]{{0,6}}方向)")
# "负责人目前同期在做4个科研项目", "手上同时承担3项国家课题": the leader's concurrent projects
_CONCURRENT = re.compile(rf"(?:同期|同时|目前|手上|手头|正在)[^，,。？?\d]{{0,6}}?(?:在做|在研|承担|参与|主持|负责|做|有)[^，,。？?\d]{{0,4}}?({NUMBER})\s*(?:个|项)")
# "是不是也要交六份": the count a rule may require, asked about, not the applicant's own
_ASKS_REQUIRED_COPIES = re.compile(rf"(?:是不是|是否|也|都)(?:也|都)?(?:要|需要|得|须)(?:交|寄|送|准备|打印)?[^，,。？?\d]{{0,4}}?{NUMBER}\s*份")
_COPIES = re.compile(rf"(?:打印|准备|交|寄|送|印|复印|装订|打|出|做|弄)了?[^，,。？?\d]{{0,6}}?({NUMBER})\s*份")


def _count(pattern: re.Pattern[str], text: str) -> float | None:
    match = pattern.search(text)
    if not match:
        return None
    return to_number(match.group(1)) if match.lastindex and match.group(1) else None


# "还能再加一个不", "再报两个行吗": more of what was counted before in the conversation
COUNT_KEYS = ("partner_count", "unit_applications", "pi_concurrent_projects", "copies")
_MORE = re.compile(rf"(?:再|(?<![最至])多)(?:加|报|申报|申请|找|拉|接|做|承担)?\s*({NUMBER})\s*(?:个|家|项|份)")


def _count_attributes(text: str) -> Profile:
    found: Profile = {}
    whole = _TOTAL_WITH_LEAD.search(text)
    total = to_number(whole.group(1) or whole.group(2)) if whole else None
    partners = total - 1 if total is not None else _count(_PARTNERS_BEFORE, text)
    if partners is None:
        partners = _count(_PARTNERS, text)
    if partners is not None:
        found["partner_count"] = int(partners)
    leads = _SEVERAL_LEADS.search(text)
    if leads:
        number = to_number(leads.group(1)) if leads.group(1) else 2
        found["leads_another_project"] = bool(number and number > 1)
        if "主持" in leads.group(0):  # the project leader (申请人) leading more than one
            found["pi_leads_other"] = found["leads_another_project"]
    directions = _SEVERAL_DIRECTIONS.search(text)
    number = (to_number(directions.group(1)) if directions.group(1) else 2) if directions else None
    if number is not None and number > 1:  # "算不算一个方向" says nothing about the asker
        found["one_direction"] = False
    elif _ONE_DIRECTION.search(text):  # "就选远程查房一个方向"
        found["one_direction"] = True
    copies = _count(_COPIES, text)
    if copies is not None and not _ASKS_REQUIRED_COPIES.search(text):
        found["copies"] = int(copies)
    participations = _count(_PI_APPLICATIONS, text)
    if participations is not None:
        found["pi_applications"] = int(participations)
    concurrent = _count(_CONCURRENT, text) if not (leads and "同时" in leads.group(0)) else None
    if concurrent is not None:
        found["pi_concurrent_projects"] = int(concurrent)
    elif (applications := _count(_UNIT_APPLICATIONS, text)) is not None:
        found["unit_applications"] = int(applications)
    return _with_more(found, text)


def _with_more(found: Profile, text: str) -> Profile:
    """"已经报了3个 … 还能再加一个不": the one count said, plus what is added."""
    more = _count(_MORE, text)
    counted = [key for key in COUNT_KEYS if key in found]
    if more and len(counted) == 1:
        found[counted[0]] += int(more)
    return found


# --- the project leader -----------------------------------------------------------------------

_AGE = re.compile(rf"(?:今年|已经|我|他|她|负责人|申请人)?[^，,。？?]{{0,4}}?({NUMBER})\s*(?:岁|周岁)")
# "我今年48，能做负责人吗": a bare number after 今年 (no unit follows) is the speaker's age
_AGE_BARE = re.compile(rf"(?:我|本人|负责人|申请人|pi)\s*(?:今年|现在|已经)?\s*({NUMBER})(?=[，,。？?！!\s了]|$)")
# "只能拿出40%的工作时间", "投入项目时间大概70%": the leader's share of working time
# "能拿出三分之二的工作时间": a share said as a fraction
_FRACTION = re.compile(r"([一二两三四五六七八九十])分之([一二三四五六七八九])[^，,。？?]{0,6}(?:工作)?(?:时间|精力)")
_TIME_SHARE = re.compile(
    rf"时间[^，,。？?]{{0,10}}?(?:(\d+(?:\.\d+)?)\s*%|({NUMBER})\s*成)|(\d+(?:\.\d+)?)\s*%\s*的?(?:工作|本人|个人)?(?:时间|精力)"
    rf"|({NUMBER})\s*成\s*的?(?:工作|本人|个人)?(?:时间|精力)"
)
TIME_SHARE_REQUIRED = 60  # 用于项目研究的时间不少于本人工作时间的60% (smart.yml: pi_time_share)
_FOREIGN = re.compile(r"(?:美国|英国|加拿大|澳大利亚|日本|韩国|新加坡|德国|法国|外|外国)国?籍|(?<!中)国国籍|外籍|(?:不是|非)中国(?:国籍|籍|公民)|外国人")
_GREEN_CARD = re.compile(r"绿卡|永久居留|永居")  # residence abroad: nationality unchanged unless said
_CHINESE = re.compile(r"中国(?:国籍|籍|公民)")
_AWAY = re.compile(r"出国|国外|海外|境外|访学|进修|访问学者")
# once going abroad is said, the months away, the latest figure said ("原计划出去10个月" / "后来只去5个月");
# "3月走10月回" are months of the year
_MONTHS_AWAY = re.compile(
    rf"(?:出国|国外|海外|境外|访学|进修|访问学者|去|出去|走|待|呆|在外|累计|总共|一共|差不多|大概|大约|约|前后)[^，,。？?\d]{{0,6}}?({NUMBER})\s*个?月(?![走回份底初中旬去到至号日])"
)
# "出国两趟，一趟2个月，一趟3个月": trips within a year add up (每年累计)
_TRIP_MONTHS = re.compile(rf"(?:一|每|另一|第[一二两三四]|头一|后一)(?:趟|次|回)[^，,。？?\d]{{0,4}}?({NUMBER})\s*个?月")
# "2019年10月出国，2020年5月回来": away from one month to another (跨年度连续 counts as one stay)
_AWAY_FROM_TO = re.compile(
    r"(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月[^，,。？?\d]{0,6}?(?:出国|出去|走|去|离开|出境)[^。？?\d]{0,8}?(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月[^，,。？?\d]{0,4}?(?:回来|回国|返回|回)"
)
_ABSENCE_YEAR = re.compile(rf"(?:出国|国外|海外|境外|访学|进修)[^，,。？?]{{0,8}}?({NUMBER})\s*年(?![里内中度])")  # not "一年里出去10个月"


_NO_PATENT = re.compile(r"(?:没有|无|还没有?|暂无|没|尚无|未)(?:任何|相关|一项|一个)?(?:国内|国际)?(?:的)?专利|专利(?:都|也|还|暂时)?(?:没有|没|无)")
_PATENT = re.compile(r"(?:有|拥有|持有|拿到|获得|获授权)(?:了)?(?:[一二两三四五六七八九十\d]+(?:项|个)|多项|几项|相关)?(?:国内|国际|发明)?(?:的)?专利")


def _person_attributes(text: str) -> Profile:
    found: Profile = {}
    if _NO_PATENT.search(text):
        found["pi_has_patent"] = False
    elif _PATENT.search(text):
        found["pi_has_patent"] = True
    age = _count(_AGE, text)
    age = age if age is not None else _count(_AGE_BARE, text)
    if age is not None and 18 <= age <= 90:
        found["pi_age"] = int(age)
    if _FOREIGN.search(text):
        found["pi_chinese_nationality"] = False
    elif _CHINESE.search(text):
        found["pi_chinese_nationality"] = True  # "中国国籍，只是拿了美国绿卡"
    elif _GREEN_CARD.search(text):
        found["pi_chinese_nationality"] = False
    away = _AWAY.search(text)
    said = [m.group(1) for m in _MONTHS_AWAY.finditer(text, away.start())] if away else []
    months = to_number(said[-1]) if said else None
    trips = [to_number(m.group(1)) or 0 for m in _TRIP_MONTHS.finditer(text)] if away else []
    if len(trips) > 1:
        months = sum(trips)
    if (stay := _AWAY_FROM_TO.search(text)) is not None:
        start_year, start_month, end_month = int(stay.group(1) or 0), int(stay.group(2)), int(stay.group(4))
        end_year = int(stay.group(3)) if stay.group(3) and stay.group(1) else start_year + (end_month < start_month)
        months = (end_year - start_year) * 12 + end_month - start_month
    years = _count(_ABSENCE_YEAR, text) if months is None else None
    if months is not None or years is not None:
        found["pi_absence_over_six_months"] = (months or 0) > 6 or (years or 0) >= 1
    fraction = _FRACTION.search(text)
    if fraction and (whole := to_number(fraction.group(1))) and (part := to_number(fraction.group(2))) is not None:
        found["pi_time_share"] = 100 * part / whole >= TIME_SHARE_REQUIRED
    share = _TIME_SHARE.search(text) if not fraction else None
    if share:
        percent, tenths, percent_before, tenths_before = share.groups()
        value = float(percent or percent_before) if (percent or percent_before) else (to_number(tenths or tenths_before) or 0) * 10
        found["pi_time_share"] = value >= TIME_SHARE_REQUIRED
    return found


# --- money ------------------------------------------------------------------------------------

_RATIO = re.compile(r"(\d+(?:\.\d+)?)\s*[:：比]\s*(\d+(?:\.\d+)?)")
_PERCENT = re.compile(r"(?:配套|投入|出资)[^，,。？?]{0,12}?(\d+(?:\.\d+)?)\s*%")


# "这个研究去年报过市科委还拿到资助了", "同一内容已经申请了国自然": the same research funded or
# applied for through another channel (智慧医疗专项: 不予受理)
_FUNDED_ELSEWHERE = re.compile(
    r"(?:这个|该|同一个?|同样的?|相同的?)(?:研究|课题|内容|项目)[^。？?]{0,16}?(?:报过|申报过|报了|申请过|申请了|拿到|拿过|获得|获批|立项|资助)"
    r"|(?:已经|已)(?:通过)?其他渠道(?:申报|申请)|(?:拿到|拿了|拿过|获得|得到|(?<!只)有)(?:了|过)?[^，,。？?]{0,4}财政(?:性)?(?:资金|经费|资助)"
)


def _money_attributes(text: str) -> Profile:
    if _FUNDED_ELSEWHERE.search(text):
        return {"funded_elsewhere": True, **_ratio_attributes(text)}
    return _ratio_attributes(text)


# "向专项申请100万，企业说最多配80万": the enterprise's money against the money asked for
_ASKED_MONEY = re.compile(rf"(?:申请|申报|资助|拨款|财政|专项)[^，,。？?\d]{{0,6}}?({NUMBER})\s*万")
_ENTERPRISE_MONEY = re.compile(
    rf"(?:企业|公司|厂商|厂家|合作方)[^，,。？?\d]{{0,10}}?(?:配套|配|投入|投|出资|出|拿|给)[^，,。？?\d]{{0,3}}?({NUMBER})\s*万"
)


def _amounts_ratio(text: str) -> float | None:
    asked = [to_number(m.group(1)) for m in _ASKED_MONEY.finditer(text)]
    offered = [to_number(m.group(1)) for m in _ENTERPRISE_MONEY.finditer(text)]
    if not asked or not offered or not asked[-1] or offered[-1] is None:
        return None
    return offered[-1] / asked[-1]  # the latest figures said ("哦改一下，企业最后定的是出250万")


def _ratio_attributes(text: str) -> Profile:
    if (amounts := _amounts_ratio(text)) is not None:
        return {"cofunding_ratio": amounts}
    ratio = next(reversed(list(_RATIO.finditer(text))), None)  # the latest said ("不对，是1:1.2")
    if ratio and re.search(r"配套|投入|出资|资金", text) and float(ratio.group(2)):
        first, second = float(ratio.group(1)), float(ratio.group(2))
        # the side that is 1 is the money asked for: "按1:0.5出" is half of it, "配套2:1" twice
        return {"cofunding_ratio": second if first == 1 and second != 1 else first / second}
    percent = _PERCENT.search(text)
    if percent and not _TIME_SHARE.search(text):  # "投入项目的时间70%" is time, not money
        return {"cofunding_ratio": float(percent.group(1)) / 100}
    return {}


# --- a moment ---------------------------------------------------------------------------------

_DATE = re.compile(r"(?:(\d{4})\s*年)?\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?")
_TIME = re.compile(rf"(凌晨|早上|早晨|上午|中午|下午|傍晚|晚上|夜里|晚)?\s*({NUMBER})\s*(?:[点时:：])\s*(半|一刻|(\d{{1,2}})\s*分?)?")
_AFTERNOON = ("下午", "傍晚", "晚上", "夜里", "晚")


@dataclass(frozen=True)
class Moment:
    """A day the applicant names (year may be missing) and, if said, the time of day."""

    year: int | None
    month: int
    day: int
    hour: int | None = None
    minute: int = 0

    def on(self, year: int) -> datetime:
        return datetime(self.year or year, self.month, self.day, self.hour if self.hour is not None else 12, self.minute)


def find_moment(text: str) -> Moment | None:
    text = normalize(text)
    date = _DATE.search(text)
    if not date:
        return None
    year = int(date.group(1)) if date.group(1) else None
    month, day = int(date.group(2)), int(date.group(3))
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    time = _TIME.search(text, date.end())
    if not time:
        return Moment(year, month, day)
    hour = to_number(time.group(2))
    if hour is None or hour > 24:
        return Moment(year, month, day)
    hour = int(hour)
    if time.group(1) in _AFTERNOON and hour < 12:
        hour += 12
    minute = 30 if time.group(3) == "半" else 15 if time.group(3) == "一刻" else int(time.group(4) or 0)
    return Moment(year, month, day, hour, min(minute, 59))


# --- the whole profile ------------------------------------------------------------------------


@dataclass
class Situation:
    profile: Profile = field(default_factory=dict)
    moment: Moment | None = None
    span: Span | None = None  # a period planned: 2018年9月至2021年12月, 建设3年
    project_end: YearMonth | None = None  # 项目2023年8月到期
    day: Day | None = None  # a day or part of a month to act on, even without the day (10月中旬)
    # each clause that names a day, with it: "网上4月9号就提交了" / "书面材料4月12日上午送到的"
    acts: tuple[tuple[str, Moment], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.profile) or any(v is not None for v in (self.moment, self.span, self.project_end, self.day))

    def updated_by(self, newer: "Situation") -> "Situation":
        """What was said before, with what is said now taking precedence."""
        return Situation(
            {**self.profile, **newer.profile}, newer.moment or self.moment, newer.span or self.span,
            newer.project_end or self.project_end, newer.day or self.day, newer.acts or self.acts,
        )


# --- a project at its acceptance ------------------------------------------------------------------

_NATIONAL_LIST = r"(?:国家|工信部|部里|部委|220号)[^，,。？?]{0,12}(?:名单|试点|批)"
_NOT_IN_NATIONAL_LIST = re.compile(
    rf"(?:没|没有|不|未)(?:在|进|入围|入选|列入)[^，,。？?]{{0,8}}{_NATIONAL_LIST}|{_NATIONAL_LIST}[^，,。？?]{{0,6}}(?:没有|没|不包括|不含)(?:我们|我单位|本单位)?"
    r"|只(?:是)?(?:在)?(?:上海)?(?:市级|市里)[^，,。？?]{0,10}入围|(?:没|没有|未)入围国家"
)
_IN_NATIONAL_LIST = re.compile(rf"(?:入围|入选|列入|进了|在)了?{_NATIONAL_LIST}|{_NATIONAL_LIST}[^，,。？?]{{0,4}}(?:里|中|上)有(?:我们|我单位)")
# "项目基本没怎么建设", "压根没建" (not "还没建完": unfinished, another state)
_NOT_BUILT = re.compile(r"(?:项目|我们|基本|根本|压根|完全|几乎|一直|其实)[^，,。？?]{0,8}(?:没|没有|未)(?:怎么|有)?(?:建设|建|开工|实施|动工)(?!完|好|成)")
_MATERIALS_NOT_SUBMITTED = re.compile(
    r"验收(?:材料|资料)[^，,。？?]{0,10}(?:没|未|没有)(?:来得及)?(?:提交|交|上传|报)|(?:没|未|没有)(?:来得及)?(?:提交|交|上传)[^，,。？?]{0,4}验收(?:材料|资料)"
)
_MATERIALS_UNTRUE = re.compile(
    r"(?:材料|资料|数据|照片|截图)[^，,。？?]{0,8}(?:造假|不真实|假的|虚构|编的|虚报|注水|弄虚作假|伪造)"
    r"|(?:造假|编造|虚报|编的|假的|伪造)[^，,。？?]{0,6}(?:材料|资料|数据|照片|截图)"
)
_SCORE = re.compile(rf"(?:打了|得了|评了)[^，,。？?\d]{{0,4}}({NUMBER})\s*分|(?:评分|打分|得分|分数)[^，,。？?\d]{{0,4}}({NUMBER})")


def _acceptance_attributes(text: str) -> Profile:
    """What an applicant says of their project at acceptance: in the national list, built, the
    materials handed in and true, the experts' score."""
    found: Profile = {}
    if _NOT_IN_NATIONAL_LIST.search(text):
        found["in_national_list"] = False
    elif _IN_NATIONAL_LIST.search(text):
        found["in_national_list"] = True
    if _NOT_BUILT.search(text):
        found["project_built"] = False
    if _MATERIALS_NOT_SUBMITTED.search(text):
        found["acceptance_materials_submitted"] = False
    if _MATERIALS_UNTRUE.search(text):
        found["acceptance_materials_true"] = False
    if (score := _SCORE.search(text)) and (value := to_number(score.group(1) or score.group(2))) is not None and value <= 100:
        found["expert_score"] = value
    return found


# --- the state of a running project --------------------------------------------------------------


@lru_cache(maxsize=1)
def _project_states() -> dict[str, re.Pattern[str]]:
    raw = yaml.safe_load((DATA_DIR / "project_states.yml").read_text(encoding="utf-8")) or {}
    return {state: re.compile("|".join(patterns)) for state, patterns in raw.items()}


def _state_attributes(text: str) -> Profile:
    """"任务没按期完成", "想换牵头单位": the state the applicant's project is in (the first named)."""
    found = [(match.start(), state) for state, pattern in _project_states().items() if (match := pattern.search(text))]
    return {"project_state": min(found)[1]} if found else {}


def read_situation(text: str) -> Situation:
    """Everything the text says about the applicant's unit, counts, leader, money, project and a moment.

    The conversation's statements come one message a line. Read together, a message can complete
    the one before ("明年要去国外进修" / "前后大概十个月"); read alone, a later message overrides what
    an earlier one said ("昆山那个是分公司" / "有独立法人"): the latest word on each attribute of the
    profile wins.
    """
    lines = [line for line in text.split("\n") if line.strip()]
    whole = _read_one(text)
    if len(lines) < 2:
        return whole
    profile: Profile = {}
    before: Profile = {}
    for end, line in enumerate(lines, start=1):
        in_context = _read_one("\n".join(lines[:end])).profile
        profile.update({key: value for key, value in in_context.items() if before.get(key, _UNSAID) != value})
        profile.update(_read_one(line).profile)
        before = in_context
    # moments stay as read together ("网上4月10号交的" / "纸质4月12号送" are two acts), unless a
    # later message corrects one ("哦不对，是1月19号下午4点10分签收的")
    corrected = [moment for line in lines if _CORRECTS.search(line) and (moment := _read_one(line).moment)]
    return Situation(profile, corrected[-1] if corrected else whole.moment, whole.span, whole.project_end, whole.day, whole.acts)


_CORRECTS = re.compile(r"不对|说错|搞错|记错|更正|纠正|其实是|应该是|实际上是|准确(?:地)?说")


_UNSAID = object()


def _read_one(text: str) -> Situation:
    found = _read_cached(spelled_dates(normalize(text)))
    return Situation(dict(found.profile), found.moment, found.span, found.project_end, found.day, found.acts)


# "最多5家对吧？", "要求45岁以下吧？": a rule the applicant assumes, not a fact about them
_PREMISE_SENTENCE = re.compile(r"[^？?!！。\n]*(?:对吧|是吧|对不对|没错吧|是这样吗|对吗|是吗|(?:以下|以内|以上|最多|不超过|至少|上限|下限)[^，,。？?]{0,6}吧)(?:[？?]|$)")
_FIRST_PERSON = re.compile(r"我们|我|咱们|本单位|本院|我院|我司")


def _without_premises(text: str) -> str:
    return _PREMISE_SENTENCE.sub(lambda m: m.group(0) if _FIRST_PERSON.search(m.group(0)) else "", text)


@lru_cache(maxsize=4096)
def _read_cached(text: str) -> Situation:
    text = _without_premises(text)
    profile: Profile = {}
    for extract in (_unit_attributes, _operator_attributes, _count_attributes, _person_attributes, _money_attributes, _state_attributes,
                    _acceptance_attributes):
        profile.update(extract(text))
    return Situation(profile, find_moment(text), find_span(text), find_project_end(text), find_day(text), _acts(text))


def _acts(text: str) -> tuple[tuple[str, Moment], ...]:
    return tuple((clause, moment) for clause in re.split(r"[，,。；;\n]", text) if (moment := find_moment(clause)) is not None)


# A statement (no question in it) in which the applicant speaks of their unit, project or plans.
_QUESTION = re.compile(r"[吗么嘛呢吧?？]|什么|啥|哪|几|多少|多久|怎么|怎样|如何|谁|是否|能否|可否|要不要|有没有|能不能|可不可以|行不行")
_ONESELF = re.compile(r"我们|我|咱们|本单位|本院|我院|我司|想|要|准备|打算|计划|已经|已|让给|换成|改成|申请[^，,。？?\d]{0,4}\d")


_THE_ASKER = re.compile(r"我们|我院|我司|我单位|本单位|本院|咱们|我方|我(?:是|在|今年|的)")


def speaks_of_the_asker(text: str) -> bool:
    """"我们是河南的县医院…": the message is about the asker's own unit or person (not "国家那个
    是不是也得在上海注册", which asks what a rule requires)."""
    return bool(_THE_ASKER.search(normalize(text)))


def tells_about_oneself(text: str) -> bool:
    text = normalize(text)
    return bool(_ONESELF.search(text)) and not _QUESTION.search(text)


def last_said(situation: str) -> str:
    """The applicant's latest message about themselves (situation_so_far keeps one a line)."""
    return situation.rsplit("\n", 1)[-1]


# "我刚才说的情况有误", "情况有变，重新说": what was said about the applicant no longer holds.
FORGET_SITUATION = re.compile(r"(?:刚才|之前|前面|上面)(?:说|讲|提)的(?:情况|信息)?(?:有误|不对|错了|有错|不准)|(?:刚才|之前|前面|上面)?(?:说|讲|写)错了|情况有变|重新(?:开始|说明|介绍)")
MAX_SITUATION_CHARS = 400


def situation_so_far(said_before: str, text: str) -> str:
    """The applicant's words about themselves, carried between turns: this message is added when it
    says something about them; a correction ("刚才说的情况有误") starts over from this message."""
    if FORGET_SITUATION.search(text):
        said_before = ""
    # "明年要去国外进修" then "大概要出去10个月": a statement about the applicant's own plans is
    # kept even when nothing in it is read yet; the next message may complete it
    completes = read_situation(f"{said_before}\n{text}") != read_situation(said_before)  # "再拉一家进来" after "有8家"
    if not read_situation(text) and not tells_about_oneself(text) and not completes:
        return said_before
    return f"{said_before}\n{text}".strip()[-MAX_SITUATION_CHARS:]  # one message a line: the last is last_said
