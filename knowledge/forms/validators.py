"""Normalise and validate one answer for one form field, with Chinese messages.

``check_value(spec, text, values)`` takes what the user typed (full-width or half-width, with
stray spaces) and returns ``Checked(ok, value, message)``: the normalised value to store, or a
message that says what is wrong and what is expected. Libraries do the real checks:
python-stdnum (统一社会信用代码, GB 32100), phonenumbers (mobile and landline numbers, region CN),
email-validator (syntax only: the machines are offline, so no DNS lookup).
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from stdnum.cn import uscc
from stdnum.exceptions import InvalidChecksum, ValidationError
from stdnum.util import clean

from knowledge.situation import NUMBER, to_number
from knowledge.timeaware import today

from .schema import FieldSpec, FormSchema, FormValues

# Longest answers accepted when the form sets no max_length (guards against pasted novels).
DEFAULT_MAX_LENGTH = {"text": 200, "longtext": 5000}
_MAX_DIGITS = 12  # counts and amounts: more digits than any real value on these forms


@dataclass(frozen=True)
class Checked:
    ok: bool
    value: Any = None
    message: str = ""
    note: str = ""  # told when the value was accepted as something other than what was typed (医院 → 医疗卫生机构)


def _fail(message: str) -> Checked:
    return Checked(ok=False, message=message)


def _example(spec: FieldSpec) -> str:
    return f"，例如：{spec.example}" if spec.example else ""


def half_width(text: str) -> str:
    """Full-width letters, digits and punctuation folded to half-width (NFKC), trimmed."""
    return unicodedata.normalize("NFKC", text).strip()


_CJK_GAP = re.compile(r"(?<=[\u4e00-\u9fff]) (?=[\u4e00-\u9fff])")


def _clean_text(text: str, multiline: bool) -> str:
    """Control characters removed; spaces collapsed (and dropped between Chinese characters); lines kept only in long texts."""
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    lines = [_CJK_GAP.sub("", re.sub(r"[ \t\u3000]+", " ", line)).strip() for line in text.splitlines()]
    if multiline:
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return " ".join(line for line in lines if line)


def same_text(left: object, right: object) -> bool:
    """Two names are the same one when they differ only by width, case or spaces."""
    def key(value: object) -> str:
        return re.sub(r"\s+", "", half_width(str(value))).lower()

    return key(left) == key(right)


# --- 统一社会信用代码 / 组织机构代码 -------------------------------------------------------------

_ORG_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def org_code_check_char(body: str) -> str:
    """GB 11714 check character of the 8-character body of a 组织机构代码.

    python-stdnum (2.x) has no module for the 9-character code, only ``stdnum.cn.uscc`` for the
    18-character one, so this is the published algorithm: weights 3 7 9 10 5 8 4 2, letters
    A=10 … Z=35, C = 11 - (sum mod 11), with 10 written X and 11 written 0.
    """
    total = sum(_ORG_ALPHABET.index(char) * weight for char, weight in zip(body, _ORG_WEIGHTS))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def check_org_code(text: str) -> Checked:
    code = clean(half_width(text), " -—_").upper()
    if len(code) == 18:
        try:
            return Checked(True, uscc.validate(code))
        except InvalidChecksum:
            return _fail(
                f"统一社会信用代码“{code}”的校验位（最后一位）不正确，请对照营业执照或事业单位法人证书逐位核对。"
            )
        except ValidationError:
            return _fail(
                f"“{code}”不是有效的统一社会信用代码：应为18位，前8位为数字，其余为数字或大写字母（不含I、O、Z、S、V）。"
            )
    if len(code) == 9:
        body, check = code[:8], code[8]
        if not re.fullmatch(r"[0-9A-Z]{8}", body) or not re.fullmatch(r"[0-9X]", check):
            return _fail(f"“{code}”不是有效的组织机构代码：应为8位数字或大写字母加1位校验码（数字或X）。")
        if org_code_check_char(body) != check:
            return _fail(f"组织机构代码“{body}-{check}”的校验码（最后一位）不正确，请核对后重新填写。")
        return Checked(True, f"{body}-{check}")
    return _fail(
        f"代码应为18位统一社会信用代码（三证合一码）或9位组织机构代码，您输入的是{len(code)}位，请核对后重新填写。"
    )


# --- phones, e-mail, postcode --------------------------------------------------------------

_EXTENSION = re.compile(r"^(?P<main>.+?)(?:\s*(?:-|转|ext\.?|分机)\s*(?P<ext>\d{1,6}))$", re.IGNORECASE)


def _parse_cn_number(text: str) -> phonenumbers.PhoneNumber | None:
    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def _is_mobile(number: phonenumbers.PhoneNumber) -> bool:
    return phonenumbers.number_type(number) in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )


def _national_format(number: phonenumbers.PhoneNumber) -> str:
    """13812345678 for mobiles, 021-23170721 for landlines (the way Chinese forms write them)."""
    digits = str(number.national_number)
    if _is_mobile(number):
        return digits
    area = phonenumbers.length_of_geographical_area_code(number)
    return f"0{digits[:area]}-{digits[area:]}" if area else phonenumbers.format_number(
        number, phonenumbers.PhoneNumberFormat.NATIONAL
    )


def check_mobile(text: str) -> Checked:
    raw = half_width(text)
    number = _parse_cn_number(raw)
    if number is None or not _is_mobile(number) or number.country_code != 86:
        return _fail(f"“{raw}”不是有效的手机号码，请填写11位中国大陆手机号，例如：13812345678。")
    return Checked(True, _national_format(number))


def check_phone(text: str) -> Checked:
    raw = half_width(text)
    match = _EXTENSION.match(raw)
    main, extension = (match["main"], match["ext"]) if match and _parse_cn_number(match["main"]) else (raw, None)
    number = _parse_cn_number(main)
    if number is None or number.country_code != 86:
        digits = re.sub(r"\D", "", raw)
        if 7 <= len(digits) <= 8:
            return _fail(f"固定电话请加上区号，例如：021-{digits}。")
        return _fail(f"“{raw}”不是有效的电话号码，请填写带区号的固定电话（如021-23170721）或11位手机号。")
    formatted = _national_format(number)
    return Checked(True, f"{formatted}-{extension}" if extension else formatted)


def check_email(text: str) -> Checked:
    raw = half_width(text)
    try:
        return Checked(True, validate_email(raw, check_deliverability=False).normalized)
    except EmailNotValidError:
        return _fail(f"“{raw}”不是有效的电子邮箱地址，应类似 zhangsan@example.cn，请核对后重新填写。")


def check_postcode(text: str) -> Checked:
    code = re.sub(r"\s", "", half_width(text))
    if not re.fullmatch(r"\d{6}", code) or code == "000000":
        return _fail(f"邮政编码应为6位数字，例如：200030；您输入的是“{code}”。")
    return Checked(True, code)


# --- dates, numbers, yes/no --------------------------------------------------------------

_DATE = re.compile(r"^(?:(\d{4})\s*[-/.年]\s*)?(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?$")
# Days named relative to the assistant's today (ASSISTANT_TODAY in tests and demos).
_RELATIVE_DAYS = {"今天": 0, "今日": 0, "当天": 0, "明天": 1, "明日": 1, "后天": 2, "昨天": -1, "昨日": -1, "前天": -2}


def check_date(text: str) -> Checked:
    raw = half_width(text)
    word = re.sub(r"[\s。.!！]+$", "", raw)
    if word in _RELATIVE_DAYS:
        day = today() + timedelta(days=_RELATIVE_DAYS[word])
        return Checked(True, day.isoformat(), note=f"已按{word}填写为{day.year}年{day.month}月{day.day}日。")
    match = _DATE.match(raw)
    if match:
        year = int(match[1]) if match[1] else today().year  # "1月15日": this year
        try:
            day = date(year, int(match[2]), int(match[3]))
        except ValueError:
            return _fail(f"日期“{raw}”不存在（日历上没有这一天），请核对年、月、日。")
        if 2000 <= day.year <= 2100:
            return Checked(True, day.isoformat())
    return _fail(f"请按“年-月-日”填写日期，例如：2024-05-01、2024年5月1日或“今天”；您输入的是“{raw}”。")


_YES = frozenset("是 是的 对 对的 有 有的 已 已完成 已部署 已投入 已经 yes y true 1 √ 确定 确认 肯定".split())
_NO = frozenset("否 不是 不 没 没有 无 未 未完成 没完成 还没有 no n false 0 × 不对".split())
_UNSURE = frozenset("不确定 不清楚 不知道 不太清楚 不太确定 说不好 待定 未知 unsure 不好说".split())


def parse_yes_no(text: str) -> bool | None:
    """True for 是/有/yes…, False for 否/没有/no…; None when the answer is neither (or 不确定)."""
    word = re.sub(r"[\s。.!！,，~]+$", "", half_width(text).lower())
    if word in _YES:
        return True
    if word in _NO:
        return False
    return None


def is_unsure(text: str) -> bool:
    return re.sub(r"[\s。.!！,，]+$", "", half_width(text)) in _UNSURE


def check_yes_no(text: str) -> Checked:
    answer = parse_yes_no(text)
    if answer is None:
        return _fail("请回答“是”或“否”。")
    return Checked(True, answer)


_COUNT_UNITS = r"(?:个|台|天|人次|人|篇|次|项|家|名|份|月|个月|岁|周岁)"
_COUNT = re.compile(rf"^(\d{{1,3}}(?:,\d{{3}})+|\d+)\s*{_COUNT_UNITS}?$")
_ROUGH_COUNT = re.compile(r"[一二两俩三四五六七八九]{2}")  # 两三家, 七八个: an estimate, not a count
_SPOKEN_COUNT = re.compile(rf"^(?:共|一共|总共|有)?\s*({NUMBER})\s*{_COUNT_UNITS}?$")


def parse_count(text: str) -> int | None:
    """A whole number ≥ 0 from "12", "１２", "1,200", "12个", "两家", "十二个", "共三家"; None otherwise."""
    folded = re.sub(r"[。.!！]+$", "", half_width(text).replace("，", ","))
    match = _COUNT.match(folded)
    if match:
        digits = match[1].replace(",", "")
        return int(digits) if len(digits) <= _MAX_DIGITS else None
    spoken = _SPOKEN_COUNT.match(folded)
    if not spoken or _ROUGH_COUNT.search(spoken[1]):
        return None
    number = to_number(spoken[1])  # Chinese numerals: knowledge.situation's reader
    return int(number) if number is not None and number == int(number) and number < 10**_MAX_DIGITS else None


def _check_bounds(spec: FieldSpec, value: float, shown: str) -> Checked | None:
    note = f"（{spec.limit_note}）" if spec.limit_note else ""
    if spec.min_value is not None and value < spec.min_value:
        return _fail(f"{spec.label}不能小于{spec.min_value:g}，您填写的是{shown}{note}。")
    if spec.max_value is not None and value > spec.max_value:
        return _fail(f"{spec.label}不能超过{spec.max_value:g}，您填写的是{shown}{note}。")
    return None


def check_integer(spec: FieldSpec, text: str) -> Checked:
    value = parse_count(text)
    if value is None:
        return _fail(f"{spec.label}请填写一个不小于0的整数（阿拉伯数字）{_example(spec)}。")
    return _check_bounds(spec, value, str(value)) or Checked(True, value)


_AMOUNT = re.compile(r"^(\d+(?:\.\d+)?)(亿元|亿|万元|万|元)?(?:人民币)?$")
_WAN_PER_UNIT = {"万": Decimal(1), "万元": Decimal(1), "亿": Decimal(10000), "亿元": Decimal(10000), "元": Decimal("0.0001")}


def parse_amount(text: str) -> tuple[Decimal, bool] | None:
    """(amount in 万元, whether it was written in 万元) from "12.5", "12.5万", "125000元", "1.2亿"."""
    match = _AMOUNT.match(re.sub(r"[\s,]", "", half_width(text)))
    if not match or len(match[1].replace(".", "")) > _MAX_DIGITS:
        return None
    unit = match[2] or "万元"
    return Decimal(match[1]) * _WAN_PER_UNIT[unit], unit in ("万", "万元")


def check_amount(spec: FieldSpec, text: str) -> Checked:
    parsed = parse_amount(text)
    if parsed is None:
        return _fail(f"{spec.label}请填写金额（单位：万元），例如：12.5、12.5万 或 125000元。")
    amount, in_wan = parsed
    cents = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if in_wan and amount != cents:
        return _fail(f"{spec.label}以万元为单位，最多保留两位小数，例如：12.35。")
    wan = float(cents)
    return _check_bounds(spec, wan, f"{wan:g}万元") or Checked(True, wan)


# --- choices ------------------------------------------------------------------------------

_OTHER = re.compile(r"^其他(?:方向)?\s*[:：]?\s*(?P<what>.*)$")
_NUMBERED = re.compile(r"^(?:第|方向|选项)?\s*(\d{1,2})\s*(?:个|项|号)?(?:方向)?$")


def _choice_key(text: str) -> str:
    """Compared without width, case, spaces, brackets or the '5G+' prefix every direction shares."""
    folded = half_width(text).lower()
    return re.sub(r"[\s()（）【】\[\]]|5g\+|5g", "", folded)


def other_hint(spec: FieldSpec) -> str:
    """How to answer with a value not in the list, naming the field: 其他：具体单位性质."""
    return f"其他：具体{spec.label}"


def _choice_list(spec: FieldSpec) -> str:
    listed = "；".join(f"{n}. {choice}" for n, choice in enumerate(spec.choices, 1))
    other = f"；或回复“{other_hint(spec)}”" if spec.allow_other else ""
    return f"可选：{listed}{other}"


def check_choice(spec: FieldSpec, text: str) -> Checked:
    raw = _clean_text(text, multiline=False)
    numbered = _NUMBERED.match(half_width(raw))
    if numbered:
        index = int(numbered[1])
        if 1 <= index <= len(spec.choices):
            return Checked(True, spec.choices[index - 1])
        return _fail(f"没有第{index}项。{_choice_list(spec)}。")
    other = _OTHER.match(raw)
    if other and spec.allow_other:
        what = other["what"].strip()
        if not what:
            return _fail(f"请说明具体内容，例如：其他：{spec.example or '……'}。")
        return Checked(True, f"其他：{what}")
    wanted = _choice_key(raw)
    if not wanted:
        return _fail(f"{spec.prompt}。{_choice_list(spec)}。")
    exact = [choice for choice in spec.choices if _choice_key(choice) == wanted]
    if exact:
        return Checked(True, exact[0])
    candidates = _candidates(spec, wanted)
    if len(candidates) == 1:
        return _mapped(raw, candidates[0])
    if len(candidates) > 1:
        return _fail(f"“{raw}”可能是：{'、'.join(candidates)}，请回复序号或完整名称。")
    return _fail(f"“{raw}”不在{spec.label}的选项中。{_choice_list(spec)}。")


def _candidates(spec: FieldSpec, wanted: str) -> list[str]:
    """Choices the answer is part of or an alias of; else those one of whose aliases the answer
    contains ("上海市第一人民医院" names a 医院)."""
    aliases = {choice: [_choice_key(alias) for alias in spec.choice_aliases.get(choice, [])] for choice in spec.choices}
    named = [choice for choice, keys in aliases.items() if wanted in _choice_key(choice) or wanted in keys]
    return named or [choice for choice, keys in aliases.items() if any(key and key in wanted for key in keys)]


def _mapped(raw: str, choice: str) -> Checked:
    """A choice recognised from other words: accepted, and the mapping told so it can be corrected."""
    if _choice_key(raw) == _choice_key(choice):
        return Checked(True, choice)
    return Checked(True, choice, note=f"已将“{raw}”归为“{choice}”。如不对，请回复“上一步”重新选择。")


# --- text ---------------------------------------------------------------------------------

_BARE_NUMBER = re.compile(r"^[+\d\s\-()（）/转]*$")
_MIN_PHONE_DIGITS = 7


def looks_like_phone(value: str) -> bool:
    """Only a phone number: digits (7 or more) with the separators phone numbers are written with."""
    folded = half_width(value)
    return bool(_BARE_NUMBER.match(folded)) and sum(ch.isdigit() for ch in folded) >= _MIN_PHONE_DIGITS


def check_text(spec: FieldSpec, text: str) -> Checked:
    value = _clean_text(text, multiline=spec.kind == "longtext")
    limit = spec.max_length or DEFAULT_MAX_LENGTH.get(spec.kind, DEFAULT_MAX_LENGTH["text"])
    if len(value) > limit:
        return _fail(f"{spec.label}最多{limit}个字，您输入了{len(value)}个字，请精简后重新填写。")
    if not re.search(r"\w", value):
        return _fail(f"{spec.label}的内容看起来不完整，请重新填写{_example(spec)}。")
    if spec.kind == "text" and looks_like_phone(value):
        return _fail(f"这一项是“{spec.label}”，您输入的像是一个电话号码。请填写{spec.label}{_example(spec)}"
                     "（电话号码会在联系电话一项中填写）。")
    return Checked(True, value)


_KIND_CHECKS: dict[str, Callable[[FieldSpec, str], Checked]] = {
    "text": check_text,
    "longtext": check_text,
    "org_code": lambda spec, text: check_org_code(text),
    "mobile": lambda spec, text: check_mobile(text),
    "phone": lambda spec, text: check_phone(text),
    "email": lambda spec, text: check_email(text),
    "postcode": lambda spec, text: check_postcode(text),
    "date": lambda spec, text: check_date(text),
    "choice": check_choice,
    "yes_no": lambda spec, text: check_yes_no(text),
    "integer": check_integer,
    "amount": check_amount,
}


def check_value(spec: FieldSpec, text: str, values: FormValues) -> Checked:
    """Normalise and validate one answer. Empty: a message for a required field, ``Checked(True, None)``
    for an optional one. ``values`` (the form so far) is used for ``not_equal_to``."""
    if spec.is_group:
        return _fail(f"{spec.label}需要逐项填写，请按提示填写每一家{spec.item_label or spec.label}的信息。")
    if not _clean_text(text or "", multiline=False):
        if spec.required:
            return _fail(f"{spec.label}为必填项，请填写{_example(spec)}。")
        return Checked(True, None)
    checked = _KIND_CHECKS[spec.kind](spec, text)
    if checked.ok and spec.not_equal_to and values.get(spec.not_equal_to) and same_text(checked.value, values[spec.not_equal_to]):
        return _fail(f"{spec.label}不能与申报单位（{values[spec.not_equal_to]}）相同，请填写另一家单位。")
    return checked


def check_group(spec: FieldSpec, items: list[dict[str, Any]]) -> Checked:
    """A repeatable group as a whole: at least one item when required, at most ``max_items``,
    no item repeated (compared by its first field, e.g. 单位名称)."""
    label = spec.item_label or spec.label
    if spec.required and not items:
        return _fail(f"请至少填写一家{label}。")
    if spec.max_items is not None and len(items) > spec.max_items:
        return _fail(f"{label}最多{spec.max_items}家，您填写了{len(items)}家，请删减后再继续。")
    first = spec.fields[0].key
    names = [item.get(first) for item in items if item.get(first)]
    for index, name in enumerate(names):
        if any(same_text(name, other) for other in names[:index]):
            return _fail(f"{label}“{name}”填写了两次，请删除重复的一项。")
    return Checked(True, items)


def can_add_item(spec: FieldSpec, items: list[dict[str, Any]]) -> Checked:
    """Whether one more item fits in the group (partners: at most 8)."""
    if spec.max_items is not None and len(items) >= spec.max_items:
        return _fail(f"{spec.item_label or spec.label}最多{spec.max_items}家，已填满，不能再添加。")
    return Checked(True)


def check_rules(form: FormSchema, values: FormValues) -> list[str]:
    """Messages of the sub-total rules broken by the values (checked once all their fields are filled)."""
    broken = []
    for rule in form.rules:
        keys = [*rule.parts, rule.total]
        if any(values.get(key) is None for key in keys):
            continue
        if sum(Decimal(str(values[key])) for key in rule.parts) > Decimal(str(values[rule.total])):
            broken.append(rule.message)
    return broken
