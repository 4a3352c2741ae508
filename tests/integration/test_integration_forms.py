"""Guided filling through POST /api/chat with the real Rasa server, action server and gateway:
a whole Shanghai application and an acceptance form, the produced .docx opened and checked, and
a draft resumed by its code after every process was restarted."""
from __future__ import annotations

import io
import re

import docx
import httpx
import pytest
from stdnum.cn import uscc

from knowledge.forms.eligibility import get_checks
from knowledge.forms.loader import get_forms
from knowledge.forms.schema import FieldSpec, FormSchema

pytestmark = pytest.mark.integration

STEP_PROMPT = re.compile(r"（\d+/\d+）请(?:填写|选择)(?P<label>[^\n]+)")
CODE = re.compile(r"填写编号是 ([A-Z0-9]{8})")


def valid_code(body: str) -> str:
    return body + uscc.calc_check_digit(body)


LEAD_CODE = valid_code("12310000425012345")
PARTNER_CODE = valid_code("91310000710935804")


class Applicant:
    """One applicant's session: sends a message, keeps every reply."""

    def __init__(self, stack) -> None:
        self.stack = stack
        self.session: str | None = None  # made by the server with the first message
        self.token = ""
        self.replies: list[dict] = []

    def say(self, text: str) -> list[dict]:
        if self.session is None:
            response = httpx.post(f"{self.stack.url}/api/chat", json={"text": text}, timeout=60)
        else:
            response = httpx.post(f"{self.stack.url}/api/chat", json={"session_id": self.session, "text": text},
                                  headers={"X-Session-Token": self.token}, timeout=60)
        assert response.status_code == 200, response.text
        if self.session is None:
            self.session, self.token = response.json()["session_id"], response.json()["session_token"]
        self.replies = response.json()["messages"]
        assert self.replies, f"no reply to {text!r}"
        return self.replies

    @property
    def text(self) -> str:
        return "\n".join(message["text"] for message in self.replies)


def passing_answer(program: str, text: str) -> str:
    question = next(q for q in get_checks()[program].questions if q.prompt in text)
    if question.kind == "yes_no":
        return "否" if any(rule.fail_on is True for rule in question.rules) else "是"
    low = max([rule.min for rule in question.rules if rule.min is not None] or [1])
    return f"{low:g}:1" if question.kind == "ratio" else f"{low:g}"


def asked_field(form: FormSchema, label: str) -> tuple[FieldSpec, bool]:
    """The field a prompt names and whether it is the first field of a new group item."""
    if "·" in label:
        item, sub_label = label.split("·", 1)
        group = next(spec for spec in form.asked_fields() if spec.is_group and item.startswith(spec.item_label or spec.label))
        sub = next(spec for spec in group.fields if spec.label == sub_label)
        return sub, sub.key == group.fields[0].key
    return next(spec for spec in form.asked_fields() if spec.label == label), False


def fill(applicant: Applicant, form: FormSchema, answers: dict[str, str], max_turns: int = 80) -> dict:
    """Answer every question until the document arrives; returns the message with the attachment."""
    partners_given = 0
    for _ in range(max_turns):
        text = applicant.text
        attached = [m for m in applicant.replies if m.get("attachment")]
        if attached:
            return attached[0]
        if "【申报资格预审】" in text:
            applicant.say(passing_answer(form.program, text))
            continue
        if "请核对以上内容" in text or "仍要提交请再次回复“确认提交”" in text:
            applicant.say("确认提交")
            continue
        match = STEP_PROMPT.search(text)
        assert match, f"unexpected reply: {text}"
        label = match.group("label").strip()
        spec, new_item = asked_field(form, label)
        if new_item and spec.key in answers and partners_given == 0:
            partners_given += 1
            applicant.say(answers[spec.key])
        elif new_item:
            applicant.say("无")
        else:
            applicant.say(answers.get(spec.key) or ("跳过" if not spec.required else spec.example))
        again = STEP_PROMPT.search(applicant.text)
        assert not again or again.group("label").strip() != label, f"{label} refused: {applicant.text}"
    raise AssertionError("the form never finished")


def document_lines(content: bytes) -> list[str]:
    """The document's text in order: paragraphs, and each table row as 'cell | cell'."""
    document = docx.Document(io.BytesIO(content))
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, docx.table.Table):
            lines.extend(" | ".join(cell.text for cell in row.cells) for row in block.rows)
        else:
            lines.append(block.text)
    return lines


def position(lines: list[str], needle: str, start: int = 0) -> int:
    return next(index for index in range(start, len(lines)) if needle in lines[index])


def download(stack, message: dict) -> bytes:
    response = httpx.get(stack.url + message["attachment"]["url"], timeout=30)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    return response.content


SH5G_ANSWERS = {
    "project_name": "基于5G的院前急救与院内救治一体化平台",
    "apply_date": "2021年1月15日",
    "leader": "李四",
    "leader_title": "副院长/主任医师",
    "contact_phone": "021-64041990",
    "contact_position": "科研处副处长",
    "contact_email": "zhangsan@example-hospital.cn",
    "partner_name": "中国移动通信集团上海有限公司",
    "partner_code": PARTNER_CODE,
    "direction": "远程诊断",
    "goal": "建成覆盖全市急救站点的5G急救网络。",
    "content": "采用5G SA专网与边缘计算。",
}


def test_a_whole_shanghai_application_is_filled_and_exported(stack):
    form = get_forms()["sh5g_application"]
    applicant = Applicant(stack)

    applicant.say("我要在线填写上海5G医疗试点的申报书")
    assert CODE.search(applicant.text) and "【申报资格预审】" in applicant.text
    while "请填写申报单位名称" not in applicant.text:
        if "【申报资格预审】" in applicant.text:
            applicant.say(passing_answer("sh5g", applicant.text))
        else:
            spec, _ = asked_field(form, STEP_PROMPT.search(applicant.text).group("label").strip())
            applicant.say(SH5G_ANSWERS.get(spec.key) or spec.example)

    applicant.say(f"单位：上海市某某医院，统一社会信用代码{LEAD_CODE}，联系人张三 13812345678")
    assert "识别到" in applicant.text and LEAD_CODE in applicant.text
    applicant.say("确认")
    assert "请填写申报单位地址" in applicant.text  # the four pasted fields are filled

    applicant.say("上海5G试点材料要交几份？")
    assert "六份" in applicant.text and "请填写申报单位地址" in applicant.text  # answered, then asked again

    attached = fill(applicant, form, SH5G_ANSWERS)
    lines = document_lines(download(stack, attached))

    assert attached["attachment"]["filename"].endswith(".docx")
    basics = position(lines, "一、申报单位和申报项目基本情况")
    plan = position(lines, "二、申报项目建设方案")
    for value in ("上海市某某医院", LEAD_CODE, "张三", "13812345678", "zhangsan@example-hospital.cn",
                  "中国移动通信集团上海有限公司", PARTNER_CODE, "021-64041990"):
        assert basics < position(lines, value, basics) < plan, value
    assert position(lines, "1. 项目目标和必要性") < position(lines, "建成覆盖全市急救站点") < position(lines, "2. 项目建设内容")
    assert "2021-01-15" in "\n".join(lines[:basics]) or "2021年1月15日" in "\n".join(lines[:basics])
    checklist = "\n".join(m["text"] for m in applicant.replies)
    assert "骑缝章" in checklist and "法定代表人" in checklist


def test_an_acceptance_application_is_filled_and_exported(stack):
    form = get_forms()["accept_application"]
    applicant = Applicant(stack)

    applicant.say("我要填写验收申请书")
    assert "【申报资格预审】" not in applicant.text and STEP_PROMPT.search(applicant.text)
    attached = fill(applicant, form, {"partner_name": "中国电信股份有限公司上海分公司"})
    lines = document_lines(download(stack, attached))

    assert any(form.title in line for line in lines[:3])
    for spec in form.asked_fields():
        if spec.required and not spec.is_group and spec.kind not in ("choice", "date"):
            assert any(spec.example in line for line in lines), spec.key
    assert any("中国电信股份有限公司上海分公司" in line for line in lines)


def test_a_draft_resumes_by_code_in_a_new_session_after_every_process_restarted(stack):
    applicant = Applicant(stack)
    applicant.say("项目要延期，帮我填延期申请表")
    code = CODE.search(applicant.text).group(1)
    applicant.say("基于5G的急诊救治平台")
    applicant.say("上海市某某医院")
    asked_before = STEP_PROMPT.search(applicant.text).group("label")

    stack.stop()  # every process: Rasa, the action server and the gateway
    stack.restart(["actions", "rasa", "gateway"])
    stack.wait_healthy()

    later = Applicant(stack)  # another session, as from another device or channel
    later.say(f"继续填写 {code.lower()}")
    assert f"编号 {code}" in later.text and "已填2项" in later.text
    assert STEP_PROMPT.search(later.text).group("label") == asked_before
    later.say("查看已填内容")
    assert "基于5G的急诊救治平台" in later.text and "上海市某某医院" in later.text


def test_an_unknown_code_gets_a_clear_answer(stack):
    applicant = Applicant(stack)

    applicant.say("继续填写 ZZZZ2222")

    assert "没有找到编号为 ZZZZ2222" in applicant.text


def test_what_the_chat_learnt_carries_into_the_pre_check_and_the_partners_and_a_closed_round_is_named(stack):
    form = get_forms()["sh5g_application"]
    applicant = Applicant(stack)
    applicant.say("我们是上海注册的独立法人医院，联合单位两家，能申报上海5G医疗试点吗？")

    applicant.say("我要在线填写上海5G医疗试点的申报书")
    started = applicant.text
    assert "2021年1月15日至1月19日" in started and "已于2021年1月19日17:00截止" in started  # the round, from the program data
    assert "仍可以继续填写" in started and CODE.search(started)
    assert "不再重复询问" in started and "答：2" in started
    first_question = applicant.replies[-1]["text"]
    assert "牵头申报了其他项目" in first_question and "依法设立" not in first_question  # answered in the chat: not asked

    asked: list[str] = []
    for _ in range(40):
        text = applicant.text
        if "请填写联合申报单位1·单位名称" in text:
            break
        if "【申报资格预审】" in text:
            question = applicant.replies[-1]["text"]  # not the answers carried from the chat, listed before it
            asked.append(question)
            applicant.say(passing_answer("sh5g", question))
            continue
        match = STEP_PROMPT.search(text)
        assert match, f"unexpected reply: {text}"
        spec, _ = asked_field(form, match.group("label").strip())
        applicant.say({"apply_date": "今天", "unit_name": "上海市某某医院", "org_code": LEAD_CODE}.get(spec.key)
                      or SH5G_ANSWERS.get(spec.key) or spec.example)
    else:
        raise AssertionError(f"the partners were never asked: {applicant.text}")
    assert not any("联合申报单位（不含牵头单位）共有几家" in text for text in asked)
    assert "共2家联合申报单位，这是第1家" in applicant.text
    first_total = re.search(r"（\d+/(\d+)）请填写联合申报单位1", applicant.text).group(1)

    for name, nature, code in (("上海市某某区中心医院", "医院", valid_code("12310000425099999")),
                               ("中国移动通信集团上海有限公司", "电信运营企业", PARTNER_CODE)):
        applicant.say(name)
        applicant.say(nature)
        if nature == "医院":
            assert "已将“医院”归为“医疗卫生机构”" in applicant.text
        applicant.say(code)
    assert "请选择申报试点项目方向" in applicant.text  # two partners, as the pre-check said: no “无” needed
    assert re.search(r"（\d+/(\d+)）请选择申报试点项目方向", applicant.text).group(1) == first_total
    applicant.say("查看已填内容")
    assert "申报日期：2026-11-22" in applicant.text and "单位性质：医疗卫生机构" in applicant.text
