"""Several form fields out of one pasted paragraph, with a spaCy ``zh`` pipeline.

"单位：上海某某医院，统一社会信用代码12310000425012345X，联系人张三 13812345678" →
UNIT 上海某某医院, ORG_CODE 12310000425012345X, CONTACT 张三, MOBILE 13812345678.

The pipeline is a blank Chinese model segmented by jieba plus an ``entity_ruler`` with token
patterns (a cue word such as 单位/联系人/地址/邮编 followed by the value, or a value whose shape
is enough: mobile and landline numbers, e-mail addresses). Cue words belong to the match so
that the ruler only fires after them; the small ``drop_entity_cues`` component then trims them
off the entity. Values are returned raw: the caller validates them with ``check_value``.
"""
from __future__ import annotations

import re
import sys
import threading
from functools import lru_cache
from typing import Any


def _import_spacy_without_torch() -> None:
    """thinc (spaCy's machine-learning library) imports torch whenever it is installed, only to
    offer it as a backend. This pipeline is rules on a blank model and never needs it, and torch
    costs the action server ~500 MB (issue 13: serving needs no torch). A process that already
    loaded torch keeps it; later imports of torch work as usual."""
    if "torch" in sys.modules:
        import spacy  # noqa: F401
        return
    sys.modules["torch"] = None  # type: ignore[assignment]  # "import torch" fails: thinc runs without it
    try:
        import spacy  # noqa: F401
    finally:
        del sys.modules["torch"]


_import_spacy_without_torch()

import spacy  # noqa: E402
from spacy.language import Language  # noqa: E402
from spacy.tokens import Doc  # noqa: E402

from .schema import FormSchema  # noqa: E402

MAX_PASTE_CHARS = 5000  # longer pastes are cut: a form's basic information is a paragraph

_CJK = r"[\u4e00-\u9fff]"
_SEPARATOR: dict[str, Any] = {"TEXT": {"REGEX": r"^[:：是为\s]+$"}, "OP": "*"}
# Words that introduce another field: a value never runs into one of them.
_FIELD_WORDS = [
    "单位", "申报单位", "单位名称", "申报单位名称", "地址", "通讯地址", "邮编", "邮政编码", "电话", "手机", "联系电话",
    "联系人", "负责人", "项目负责人", "邮箱", "传真", "职务", "职称", "代码", "信用代码", "E-mail", "Email", "email",
]
_VALUE_TOKEN: dict[str, Any] = {"IS_PUNCT": False, "IS_SPACE": False, "TEXT": {"NOT_IN": _FIELD_WORDS}}

_UNIT_CUE = {"TEXT": {"REGEX": r"^(申报|牵头|申请|主体)?(主体)?单位(名称)?$"}}
_UNIT_END = {"TEXT": {"REGEX": r"(医院|中心|公司|大学|研究院|研究所|学院|卫生院|集团|委员会|实验室)$"}}
_CODE_CUE = {"TEXT": {"REGEX": r"(代码|码)$"}}  # jieba splits 三证合一码 into 三 证 合一 码
_USCC = {"TEXT": {"REGEX": r"^[0-9A-Za-z]{18}$"}}
_ORG9 = {"TEXT": {"REGEX": r"^[0-9A-Za-z]{9}$"}}
_ORG8 = {"TEXT": {"REGEX": r"^[0-9A-Za-z]{8}$"}}
_DASH = {"TEXT": {"IN": ["-", "—", "－"]}}
_NAME_PART: dict[str, Any] = {"TEXT": {"REGEX": rf"^{_CJK}{{1,3}}$", "NOT_IN": _FIELD_WORDS + ["先生", "女士", "老师", "主任"]}}
_EMAIL_LOCAL = {"TEXT": {"REGEX": r"^[A-Za-z0-9._%+-]+$"}, "OP": "+"}
_EMAIL_DOMAIN = {"TEXT": {"REGEX": r"^[A-Za-z0-9.-]+$"}, "OP": "+"}


def _patterns() -> list[dict[str, Any]]:
    def cue(regex: str) -> dict[str, Any]:
        return {"TEXT": {"REGEX": regex}}

    patterns: list[tuple[str, list[dict[str, Any]]]] = [
        ("UNIT", [_UNIT_CUE, _SEPARATOR, {**_VALUE_TOKEN, "OP": "*"}, _UNIT_END]),
        ("ORG_CODE", [_CODE_CUE, _SEPARATOR, _USCC]),
        ("ORG_CODE", [_CODE_CUE, _SEPARATOR, _ORG9]),
        ("ORG_CODE", [_CODE_CUE, _SEPARATOR, _ORG8, _DASH, {"TEXT": {"REGEX": r"^[0-9Xx]$"}}]),
        ("MOBILE", [{"TEXT": {"REGEX": r"^(\+?86)?1[3-9]\d{9}$"}}]),
        ("MOBILE", [{"TEXT": {"REGEX": r"^1[3-9]\d$"}}, {"TEXT": {"REGEX": r"^[-\s]$"}}, {"TEXT": {"REGEX": r"^\d{4}$"}},
                    {"TEXT": {"REGEX": r"^[-\s]$"}}, {"TEXT": {"REGEX": r"^\d{4}$"}}]),
        ("PHONE", [{"TEXT": {"REGEX": r"^0\d{2,3}$"}}, {**_DASH, "OP": "?"}, {"TEXT": {"REGEX": r"^\d{7,8}$"}}]),
        ("PHONE", [{"TEXT": {"REGEX": r"^0\d{2,3}$"}}, {**_DASH, "OP": "?"}, {"TEXT": {"REGEX": r"^\d{7,8}$"}},
                   {"TEXT": {"IN": ["-", "—", "－", "转"]}}, {"TEXT": {"REGEX": r"^\d{1,5}$"}}]),
        ("PHONE", [{"TEXT": {"REGEX": r"^0\d{9,11}$"}}]),
        ("EMAIL", [_EMAIL_LOCAL, {"TEXT": "@"}, _EMAIL_DOMAIN]),
        ("POSTCODE", [cue(r"^(邮编|邮政编码)$"), _SEPARATOR, {"TEXT": {"REGEX": r"^\d{6}$"}}]),
        ("CONTACT", [cue(r"^(项目)?联系人(姓名)?$"), _SEPARATOR, _NAME_PART, {**_NAME_PART, "OP": "?"}]),
        ("LEADER", [cue(r"^(项目)?负责人(姓名)?$"), _SEPARATOR, _NAME_PART, {**_NAME_PART, "OP": "?"}]),
        ("ADDRESS", [cue(r"地址$"), _SEPARATOR, {**_VALUE_TOKEN, "OP": "+"}]),
    ]
    return [{"label": label, "pattern": pattern} for label, pattern in patterns]


_PARTNER_WORDS = frozenset({"联合", "合作", "参与", "参加", "协作", "联合申报"})
_CUE_TEXT = {
    "UNIT": _UNIT_CUE["TEXT"]["REGEX"], "ORG_CODE": _CODE_CUE["TEXT"]["REGEX"], "POSTCODE": r"^(邮编|邮政编码)$",
    "CONTACT": r"^(项目)?联系人(姓名)?$", "LEADER": r"^(项目)?负责人(姓名)?$", "ADDRESS": r"地址$",
}


@Language.component("drop_entity_cues")
def drop_entity_cues(doc: Doc) -> Doc:
    """Trims the cue word and separators (单位：, 联系人, 地址是) off the front of each entity;
    drops a unit named after 联合/合作 (a partner, not the applicant)."""
    kept = []
    for ent in doc.ents:
        cue = _CUE_TEXT.get(ent.label_)
        start = ent.start
        if ent.label_ == "UNIT" and start > 0 and doc[start - 1].text in _PARTNER_WORDS:
            continue
        if cue and re.search(cue, doc[start].text):
            start += 1
        while start < ent.end and re.fullmatch(r"[:：是为\s]+", doc[start].text):
            start += 1
        if start < ent.end:
            kept.append(doc.char_span(doc[start].idx, ent.end_char, label=ent.label_))
    doc.ents = [span for span in kept if span is not None]
    return doc


@lru_cache(maxsize=1)
def pipeline() -> Language:
    """The spaCy pipeline, built once per process (jieba loads its dictionary on first use)."""
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    ruler = nlp.add_pipe("entity_ruler", config={"overwrite_ents": True})
    ruler.add_patterns(_patterns())  # type: ignore[attr-defined]
    nlp.add_pipe("drop_entity_cues")
    return nlp


# spaCy adds every new word to the pipeline's shared string store while it processes a text; one
# text at a time keeps that store consistent when actions run on several threads (a few ms each).
_one_text_at_a_time = threading.Lock()


def extract_entities(text: str) -> list[tuple[str, str]]:
    """(label, text) of every entity found, in the order they appear."""
    nlp = pipeline()
    with _one_text_at_a_time:
        doc = nlp(text[:MAX_PASTE_CHARS])
        return [(ent.label_, ent.text.strip()) for ent in doc.ents]


def extract_fields(form: FormSchema, text: str) -> dict[str, str]:
    """Top-level field key -> raw text, for the fields of ``form`` whose ``entity`` was found.

    The first entity of a label fills the first free field with that label; a mobile number also
    fills a phone field when the form has no field left for mobiles (联系电话 on the acceptance form)."""
    free = [spec for spec in form.asked_fields() if spec.entity]
    found: dict[str, str] = {}
    for label, value in extract_entities(text):
        wanted = [label, "PHONE"] if label == "MOBILE" else [label]
        for want in wanted:
            spec = next((s for s in free if s.entity == want), None)
            if spec is not None:
                found[spec.key] = value
                free.remove(spec)
                break
    return found
