"""What the wording of an applicant's question tells, before any fact is looked up: a "when"
question and whether a date answers it, "still open?", "what follows if…", several things asked at
once, the asker describing themselves, another region's program, yes/no about a direction."""
from __future__ import annotations

import re

from .text import normalize, words

# "分别", "各是": several facts of one kind are asked for at once.
SEVERAL_ASKED = re.compile(r"分别|各是|各自|各找|各联系|两边|都是什么时候")
# "联系人的邮箱": a way of contact the notices may not give (they list phone numbers).
CONTACT_CHANNEL = re.compile(r"邮箱|邮件|e-?mail|传真|微信|qq")
# "材料没提交会怎么样": what follows from a situation is a matter of procedure.
# "该怎么办", "要走什么流程", "谁来提申请": what the applicant must do now
WHAT_TO_DO = re.compile(
    r"怎么办|该怎么|要怎么(?:做|弄|处理|申请|走)|如何(?:处理|申请|办)|怎么处理|怎么弄|(?:要|需要|得)做什么|(?:走|有)什么(?:流程|手续|程序)"
    r"|什么手续|要办什么|怎么申请|找谁|谁(?:来)?(?:提|申请|报)|向谁|能不能.{0,6}(?:提(?!前)|申请)|最晚什么时候(?:提|交|申请)"
    r"|(?:该|要|得)干(?:嘛|啥|什么)|干(?:嘛|啥)[？?]*$|咋办|咋整|怎么整|下一步"  # not "专项是干什么的"
)
CONSEQUENCE = re.compile(r"会怎样|会怎么样|会如何|什么后果|有什么后果|后果是什么|会有什么影响|会不会被")
# "有没有X方向", "有X这个方向吗", "是否有X领域": whether a direction exists.
DIRECTION_EXISTS = re.compile(
    r"(?:(?:有没有|是否有|有无)(?P<name>[\u4e00-\u9fffa-z]{2,14}?)(?:这个|这一|这种|这类|的)?(?:方向|领域))"
    r"|(?:有(?P<name2>[\u4e00-\u9fffa-z]{2,14}?)(?:这个|这一|这种|这类|的)?(?:方向|领域)(?:吗|么|嘛|不|没|呢))"
)
# "一个项目能勾两个方向吗", "既做远程诊断又做远程监护": the rule on how many directions, not their content.
SEVERAL_DIRECTIONS = re.compile(r"(两个|多个|几个|2个|同时|一起|跨).{0,4}方向|勾两|选两|报两|两个都|都勾|都选|既.{2,12}又|一个[^，,。？?]{2,8}一个")
# "方向是不是也是十个": a number of directions asserted, to be checked against the list.
DIRECTION_COUNT = re.compile(
    r"方向.{0,6}[二三四五六七八九十\d]+个|[三四五六七八九十\d]+个.{0,4}方向"
    r"|方向的?(?:数量|数目|个数)|方向.{0,8}(?:有多少|多少个|差多少|一样多)"
)
# "选哪个方向比较对口", "属于哪个方向", "有对应方向吗": which direction fits a project described.
WHICH_DIRECTION = re.compile(r"(对应|属于|算|选|归|报|适合|投)(哪个|哪一个|哪类|什么|啥)(重点)?方向|有对应的?方向|哪个方向.{0,4}(对口|合适|适合|匹配)")
GENERIC_DIRECTION_WORDS = re.compile(r"重点|建议|研究|申报|试点|项目|专项|其他|相关|具体|对应|可选|指定|固定")

# "还能报吗", "现在还收不收", "过期了吗": whether a window is still open, answered with its deadline.
STILL_OPEN = re.compile(r"(现在|这会儿|目前|如今|今天|还)(还)?(能|可以|可|来得及|收|接受|让)(不能|不可以|不)?(再|补|重新)?(报|申|交|提交|递交|上传|收|送|接受)|来得及|来的及|赶得上|赶得及|过期|晚了|迟交|逾期|(截止|结束|过)了(吗|没|么)|还(收|受理|接受)[^，。,]{0,6}(不|吗|么|没|嘛)")
# An applicant's own situation makes "还能…吗" a question of eligibility, not of dates.
SITUATION = re.compile(r"已经|牵头了|参与了|在研|同时|另外|再报|再申|第二个|两个|岁|年龄|国籍|身份|资格")
REGIONS = (
    "北京|天津|重庆|河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|广东|海南|四川|贵州|云南|陕西|甘肃|青海|"
    "台湾|内蒙古|广西|西藏|宁夏|新疆|香港|澳门|深圳|广州|杭州|南京|苏州|武汉|成都|西安|厦门|青岛|宁波|长沙|郑州|济南|合肥|福州"
)
# 北京市智慧医疗专项: a region other than ours right before a program's name.
OTHER_REGION_NAMED = re.compile(rf"({REGIONS})(省|市|自治区|特别行政区)?(的)?(5g|智慧医疗|医疗健康|数字健康)")
# 广东省5G医疗试点, 浙江省数字健康专项: with no program of ours named, a region's own program.
OTHER_REGION_PROGRAM = re.compile(rf"({REGIONS})(省|市|自治区|特别行政区)?(的|地区|本地|当地)?[^，。,?？!！\s]{{0,10}}(5g|智慧|医疗|健康|专项|试点)")


def asks_if_still_open(question: str) -> bool:
    normalized = normalize(question)
    return bool(STILL_OPEN.search(normalized)) and not SITUATION.search(normalized)


# "我们是民营医院/科技公司/高校…能报吗": the kind of organisation asking.
APPLICANT_KIND = re.compile(rf"企业|公司|医院|机构|大学|高校|院校|学校|民营|私立|外地|外资|外省|事业单位|社会组织|协会|个人|运营商|厂商|研究所|科研院所|{REGIONS}")
MAY_APPLY = re.compile(
    r"(能|可以|能否|可否|可不可以|是否|能不能|有没有资格|有资格)[^，。,?？]{0,6}(报|申请|申报|牵头|参加|参与)"
    r"|(报|申请|申报|牵头|参加|参与).{0,15}(行不行|行吗|可以吗|可以不|能行吗|能吗|有资格吗|够格吗)"
)
CHANGING = re.compile(r"换|调整|变更|退出|中止|终止")  # a change to a running project, not who may apply
WHEN = re.compile(r"哪天|哪一天|哪几天|几号|什么时候|啥时候|何时|几月|具体时间|具体日期|哪个月|哪年|哪月|几点|时间段|哪段时间|起止")
DATE_OR_TIME = re.compile(r"\d+\s*[年月日号]|\d{1,2}[:：]\d{2}|[一二三四五六七八九十两]+(个月|年|周|天|个工作日)|\d+\s*(个月|周|天|个工作日)|即日起|当天|同步|之前|以后|之后|到期后")


GENERIC_WHEN_WORDS = frozenset("截止 截至 最晚 最迟 时候 时间 日期 结束 开始 到期 过期 多久 报名 申请 申报 哪天 几号 几点 整体 总体 整个 全程 这轮 本轮 搞".split())
COPIES_ASKED = re.compile(r"几份|多少份|一式几|份数")
COPIES = re.compile(r"[一二三四五六七八九十两\d]+\s*份|一式")


# "从哪年到哪年", "几月几号": a calendar date is asked, a duration (两年) does not answer it.
CALENDAR_ASKED = re.compile(r"哪年|哪月|哪个月|哪天|哪一天|哪几天|几号|几月|日期|时间段|哪段时间|起止|从(?:什么|啥)时候(?:开始)?到(?:什么|啥)时候|从哪(?:天|年|月)到")
CALENDAR_DATE = re.compile(r"\d+\s*[年月日号]|\d{1,2}[:：]\d{2}|即日起")


QUESTION_WORD = re.compile(r"[不没吧]$|还是|行不行|是不是|对不对|吗|么|呢|啥|什么|哪|(?<!了)几|多少|多久|多长|怎么|怎样|如何|谁|是否|能否|可否|要不要|有没有|能不能|可不可以")
# "我们是一家做AI影像的初创企业，能单独申报吗": the asker describes themselves first.
SELF_DESCRIPTION = re.compile(r"^(我们|我是|我院|我司|我单位|本单位|本院|咱们|pi|负责人)")
# "我们是一家民营医院": who the asker is (not what happened to their project).
IDENTITY = re.compile(r"^(我们|我|我院|我司|我单位|本单位|咱们)(这边)?(是|属于|为)")
CLAUSE_BREAK = re.compile(r"[，,。；;！!？?\s]+")


def clauses(text: str) -> list[str]:
    """The normalised text cut at punctuation and spaces."""
    return [c for c in CLAUSE_BREAK.split(normalize(text)) if c]


def describes_asker(text: str) -> bool:
    """"我们是…", "我院…", "PI手上…": the message opens with who is asking."""
    return bool(SELF_DESCRIPTION.search(normalize(text)))


def states_identity(text: str) -> bool:
    return bool(IDENTITY.search(normalize(text)))


def asking_clauses(question: str) -> str:
    """Only the clauses with a question word ("材料什么时候集中受理" of "工信部和卫健委联合发的，
    材料什么时候集中受理"); the whole text when none has one."""
    parts = clauses(question)
    asking = [parts[i] for i in _asking(parts)]
    return " ".join(asking) if asking else normalize(question)


def _asking(parts: list[str]) -> list[int]:
    """Positions of the clauses that have a question word."""
    return [i for i, c in enumerate(parts) if QUESTION_WORD.search(c)]


def asked_part(question: str) -> str:
    """The question without the asker's description of themselves (their words are no subject
    the notices must know: 初创企业, 办事处, 病人数据): clauses that begin with who asks
    ("我们项目涉及病人数据"), and, when the message opens that way, every clause before the
    first one that asks. A clause naming the subject ("专家评审的评分细则，各项占多少分") stays."""
    parts = clauses(question)
    asking = _asking(parts)
    if not asking:
        return " ".join(parts[1:]) if describes_asker(question) and len(parts) > 1 else question
    first_asking = asking[0] if describes_asker(question) else 0
    kept = [c for i, c in enumerate(parts) if i >= first_asking and (i in asking or not describes_asker(c))]
    return " ".join(kept) or question


# "整体从啥时候搞到啥时候": the whole span of a program's work, not its first deadline.
OVERALL_ASKED = re.compile(r"整体|总体|整个|全程|全过程|从.{0,6}(到|至)")
# "最多几家", "啥时候": the words that ask, kept when a follow-up names another subject.
ASKING_WORDS = frozenset("最多 最少 至少 上限 下限 多久 多长".split())


def asking_words(question: str) -> str:
    """"联合单位最多几家" → "最多 几家": how a question asks, without what it asks about."""
    kept = [w for w in words(question) if QUESTION_WORD.search(w) or WHEN.search(w) or w in GENERIC_WHEN_WORDS or w in ASKING_WORDS]
    return " ".join(kept)


# "PDF还是Word", "归医院还是归企业": a choice between two options.
ALTERNATIVE = re.compile(r"(?P<first>[\u4e00-\u9fffa-z0-9]{1,10})还是(?P<second>[\u4e00-\u9fffa-z0-9]{1,10})")
# "按国家哪个文件搞的", "依据是什么": the documents a notice rests on, not the notice itself.
BASIS = re.compile(r"依据|根据|按照|按.{0,6}(文件|通知|要求)|上级文件")


# "牵头单位呢", "那网上填报的呢": the previous question asked again of another subject.
FOLLOW_UP_SUBJECT = re.compile(r"^(?:那么?|那如果是?|如果是|换成|要是)?(?P<subject>[^，,。？?]{1,16}?)(?:的)?(?:呢|怎么样|咋样|如何)[?？。]*$")


def asks_when(question: str) -> bool:
    return bool(WHEN.search(question))


# "材料在哪上传", "传到哪个网站", "网址是啥": a place online or on the map is asked…
WHERE_SUBMITTED = re.compile(r"在哪(?:里|儿)?(?:上传|传|提交|交|填报|申报|报送|寄|送)|(?:传|交|寄|送|报送|提交|填报)(?:到|至|去)?哪(?:里|儿|个)?|网址|链接|哪个(?:网站|平台|系统)")
# …and a fact that gives one.
GIVES_PLACE = re.compile(r"https?://|网址|邮寄地址|地址[:：]|[路街号]\d*号|\d+号")


def asks_where_submitted(question: str) -> bool:
    return bool(WHERE_SUBMITTED.search(normalize(question)))


def states_where(answer: str) -> bool:
    return bool(GIVES_PLACE.search(answer))


def states_when(question: str, answer: str) -> bool:
    pattern = CALENDAR_DATE if CALENDAR_ASKED.search(question) else DATE_OR_TIME
    return bool(pattern.search(answer))


def without_5g(question: str) -> str:
    """The question with "5G"/"5G+" taken out: direction names are asked with and without it."""
    return re.sub(r"5g\s*\+?", "", normalize(question))
