"""The guided-filling state machine: which question comes next and what an answer does.

Pure logic over a JSON-serialisable ``Draft``; the dialogue layer (actions/forms/) persists the
draft after every turn and turns ``Prompt``/``Outcome`` into chat messages. The order of the
questions, their wording, validation and the exported document all come from the form's schema.

A *step* is one question: a top-level field key (``unit_name``), or one field of one item of a
repeatable group (``partners.0.name``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from knowledge.forms.eligibility import (
    answer_text,
    evaluate,
    get_checks,
    known_answers,
    next_question,
    parse_answer,
    verdict_text,
)
from knowledge.forms.schema import FieldSpec, FormSchema, SectionSpec
from knowledge.forms.validators import check_rules, check_value, other_hint

Phase = Literal["eligibility", "fields", "review", "done", "paused", "stopped"]
Status = Literal["continue", "paused", "completed", "stopped", "handoff"]

MAX_FAILURES_BEFORE_OFFERING_HELP = 3
HUMAN_BUTTON = {"title": "转人工", "payload": "/request_human"}
YES_NO_UNSURE = ("是", "否", "不确定")

_PAUSE = re.compile(r"^(暂停|先暂停|暂停填写|先不填了?|稍后再填|以后再填|下次再填|退出填写|退出|保存并退出|先保存|取消填写|不填了)[。.!！]?$")
_SHOW = re.compile(r"(查看|看看|显示|预览).{0,3}(已填|填写的?|填好的?)(内容|信息)?|^已填内容$")
_BACK = re.compile(r"^(上一步|返回上一步|上一题|上一个|回到上一步|返回)[。.!！]?$")
_SKIP = re.compile(r"^(跳过|略过|暂不填写?|不填|空着|先跳过)[。.!！]?$")
_NONE = re.compile(r"^(无|没有|没|不需要|没有了|完成|结束|就这些|无联合申报单位|跳过)[。.!！]?$")
_KEEP = re.compile(r"^(保持|不变|不用改|保持不变)[。.!！]?$")
_EDIT = re.compile(r"^(修改|更改|改一下|改|重新填写?|重填)\s*(?P<what>.+)$")
_CONFIRM = re.compile(r"^(确认|确定|是|是的|对|对的|没问题|正确|好的?|确认提交|提交|ok|OK)[。.!！]?$")
_REJECT = re.compile(r"^(取消|不对|否|不是|错了|不正确|忽略)[。.!！]?$")
_MIN_PASTE_CHARS = 12


@dataclass
class Draft:
    """Everything accepted so far; saved after every turn, so nothing is lost on a restart."""

    form_id: str | None
    program: str
    phase: Phase = "fields"
    values: dict[str, Any] = field(default_factory=dict)
    answered: list[str] = field(default_factory=list)  # steps in the order answered (for 上一步)
    closed_groups: list[str] = field(default_factory=list)
    eligibility: dict[str, Any] = field(default_factory=dict)
    failures: dict[str, int] = field(default_factory=dict)
    pending: dict[str, Any] | None = None  # fields found in a pasted paragraph, awaiting 确认
    focus: str | None = None  # a step the user went back to or asked to change
    resume_phase: Phase | None = None  # phase to return to after 暂停
    empty_sections_told: bool = False  # at 确认提交, the template's empty sections were named; the next 确认提交 submits

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Draft:
        known = {key: value for key, value in data.items() if key in cls.__dataclass_fields__}
        return cls(**known)


@dataclass
class Prompt:
    text: str
    buttons: list[dict[str, str]] = field(default_factory=list)


@dataclass
class Outcome:
    status: Status = "continue"
    messages: list[str] = field(default_factory=list)
    buttons: list[dict[str, str]] = field(default_factory=list)


def start_draft(form: FormSchema | None, program: str, profile: Mapping[str, Any] | None = None) -> Draft:
    """A new draft: the eligibility pre-check first when the program has one, then the fields.

    ``profile`` is what the applicant already said about themselves in the chat (the attributes of
    knowledge.situation, keyed like the pre-check's questions): those questions are not asked again."""
    check = get_checks().get(program)
    check = check if check is not None and check.pre_check else None
    phase: Phase = "eligibility" if check is not None else "fields"
    if form is None and phase == "fields":
        raise ValueError(f"program {program} has neither a form nor an eligibility check")
    answers = known_answers(check, profile or {}) if check is not None else {}
    return Draft(form_id=form.id if form else None, program=program, phase=phase, eligibility=answers)


def opening(form: FormSchema | None, draft: Draft) -> Outcome:
    """What a new draft says before its first question: the pre-check answers taken from the chat
    and, when they already decide the pre-check, its verdict."""
    if draft.phase != "eligibility" or not draft.eligibility:
        return Outcome()
    check = get_checks()[draft.program]
    known = [f"· {question.prompt} 答：{answer_text(question, draft.eligibility[question.key])}"
             for question in check.questions if question.key in draft.eligibility]
    told = "根据您在对话中介绍的情况，以下预审问题已有答案，不再重复询问：\n" + "\n".join(known) + \
           "\n如有不对，请回复“上一步”逐项修改。"
    if next_question(check, draft.eligibility) is not None:
        return Outcome(messages=[told])
    decided = _finish_eligibility(form, draft)
    return Outcome(status=decided.status, messages=[told, *decided.messages], buttons=decided.buttons)


# --- steps -----------------------------------------------------------------------------------

def _group_items(draft: Draft, group: FieldSpec) -> list[dict[str, Any]]:
    items = draft.values.get(group.key)
    return items if isinstance(items, list) else []


def expected_items(group: FieldSpec, draft: Draft) -> int | None:
    """How many items the pre-check said the group has (联合申报单位: partner_count), if it said."""
    count = draft.eligibility.get(group.count_from) if group.count_from else None
    return int(count) if isinstance(count, (int, float)) and not isinstance(count, bool) and count >= 0 else None


def steps(form: FormSchema, draft: Draft) -> list[str]:
    """Every question of the form in order, for the group items entered so far plus the next one
    (none once the group holds as many items as the pre-check said)."""
    result: list[str] = []
    for spec in form.asked_fields():
        if not spec.is_group:
            result.append(spec.key)
            continue
        items = _group_items(draft, spec)
        count = len(items)
        expected = expected_items(spec, draft)
        if (spec.key not in draft.closed_groups and (spec.max_items is None or count < spec.max_items)
                and (expected is None or count < expected)):
            count += 1
        for index in range(count):
            result.extend(f"{spec.key}.{index}.{sub.key}" for sub in spec.fields)
    return result


def field_of(form: FormSchema, step: str) -> tuple[FieldSpec, FieldSpec | None, int | None]:
    """(the field asked, its group or None, the item index or None)."""
    if "." not in step:
        return form.field(step), None, None
    group_key, index, sub_key = step.split(".", 2)
    group = form.field(group_key)
    sub = next(s for s in group.fields if s.key == sub_key)
    return sub, group, int(index)


def value_of(draft: Draft, step: str) -> Any:
    if "." not in step:
        return draft.values.get(step)
    group_key, index, sub_key = step.split(".", 2)
    items = draft.values.get(group_key) or []
    position = int(index)
    return items[position].get(sub_key) if position < len(items) else None


def _set_value(draft: Draft, step: str, value: Any) -> None:
    if "." not in step:
        draft.values[step] = value
        return
    group_key, index, sub_key = step.split(".", 2)
    items = list(draft.values.get(group_key) or [])
    position = int(index)
    while len(items) <= position:
        items.append({})
    items[position] = {**items[position], sub_key: value}
    draft.values[group_key] = items


def current_step(form: FormSchema, draft: Draft) -> str | None:
    if draft.focus:
        return draft.focus
    done = set(draft.answered)
    return next((step for step in steps(form, draft) if step not in done), None)


def _mark_answered(draft: Draft, step: str) -> None:
    draft.answered = [s for s in draft.answered if s != step] + [step]
    draft.failures.pop(step, None)
    if draft.focus == step:
        draft.focus = None


def _is_first_of_item(group: FieldSpec | None, spec: FieldSpec) -> bool:
    return group is not None and group.fields[0].key == spec.key


# --- prompts ---------------------------------------------------------------------------------

def _display(value: Any) -> str:
    if value is None or value == "":
        return "（未填写）"
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def _step_label(form: FormSchema, step: str) -> str:
    spec, group, index = field_of(form, step)
    if group is None:
        return spec.label
    return f"{group.item_label or group.label}{index + 1}·{spec.label}"


def prompt(form: FormSchema | None, draft: Draft) -> Prompt:
    """The question to ask now (the field named as the official form does, with an example)."""
    if draft.phase == "eligibility":
        question = next_question(get_checks()[draft.program], draft.eligibility)
        if question is not None:
            if question.kind == "yes_no":  # the buttons show the answers: no example under them
                return Prompt(f"【申报资格预审】{question.prompt}", [{"title": t, "payload": t} for t in YES_NO_UNSURE])
            return Prompt(f"【申报资格预审】{question.prompt}\n例：{question.example}")
    if form is None:
        return Prompt("")
    if draft.phase == "review" and draft.empty_sections_told:
        return Prompt(_empty_sections_warning(form, draft),
                      [{"title": "确认提交", "payload": "确认提交"}, {"title": "查看已填内容", "payload": "查看已填内容"}])
    if draft.phase == "review":
        return Prompt(
            summary_text(form, draft) + "\n\n请核对以上内容。回复“确认提交”生成申报书；要修改某项请回复“修改”加栏目名称，如“修改联系人手机”。",
            [{"title": "确认提交", "payload": "确认提交"}, {"title": "暂停", "payload": "暂停"}],
        )
    if draft.pending:
        found = "\n".join(f"· {form.field(key).label}：{_display(value)}" for key, value in draft.pending.items())
        return Prompt(
            f"我从您发来的文字中识别到以下内容：\n{found}\n回复“确认”填入，回复“取消”忽略。",
            [{"title": "确认", "payload": "确认"}, {"title": "取消", "payload": "取消"}],
        )
    step = current_step(form, draft)
    if step is None:
        return Prompt("")
    spec, group, index = field_of(form, step)
    position, total = counter(form, step)
    label = _step_label(form, step)
    verb = "请选择" if spec.kind in ("choice", "yes_no") else "请填写"
    lines = [f"（{position}/{total}）{verb}{label}"]
    expected = expected_items(group, draft) if group is not None else None
    if _is_first_of_item(group, spec) and expected:
        lines.append(f"按资格预审，共{expected}家{group.item_label or group.label}，这是第{(index or 0) + 1}家。")
    if spec.hint:
        lines.append(f"填写要点：{spec.hint}")
    if spec.example:
        lines.append(f"例：{spec.example}")
    current = value_of(draft, step)
    if current not in (None, ""):
        lines.append(f"当前已填：{_display(current)}（回复新内容修改，回复“保持”不变）")
    if _is_first_of_item(group, spec) and not expected:
        lines.append(f"没有（更多）{group.item_label or group.label}请回复“无”。")
    elif not spec.required:
        lines.append("此项可选，不填请回复“跳过”。")
    buttons: list[dict[str, str]] = []
    if spec.kind == "choice":
        buttons = [{"title": choice, "payload": choice} for choice in spec.choices]
        if spec.allow_other:
            lines.append(f"不在列表中请回复“{other_hint(spec)}”。")
    elif spec.kind == "yes_no":
        buttons = [{"title": "是", "payload": "是"}, {"title": "否", "payload": "否"}]
    if _is_first_of_item(group, spec) and not expected:
        buttons.append({"title": "无", "payload": "无"})
    elif not spec.required:
        buttons.append({"title": "跳过", "payload": "跳过"})
    return Prompt("\n".join(lines), buttons)


def counter(form: FormSchema, step: str) -> tuple[int, int]:
    """(n, total) of the progress counter: top-level questions of the form, a repeatable group
    counting once however many items it gets, so the total never moves while the group grows."""
    asked = [spec.key for spec in form.asked_fields()]
    return asked.index(step.split(".", 1)[0]) + 1, len(asked)


def section_heading(section: SectionSpec) -> str:
    return f"{section.parent}{section.title}" if section.parent else section.title


def empty_sections(form: FormSchema, draft: Draft) -> list[SectionSpec]:
    """Sections the template prints with a heading (so it asks for them) where nothing is filled."""
    def filled(spec: FieldSpec) -> bool:
        return bool(_group_items(draft, spec)) if spec.is_group else draft.values.get(spec.key) not in (None, "")

    return [section for section in form.sections
            if section.heading and not any(filled(spec) for spec in section.fields if spec.same_as is None)]


def _empty_sections_warning(form: FormSchema, draft: Draft) -> str:
    sections = empty_sections(form, draft)
    named = "\n".join(f"· {section_heading(section)}" for section in sections)
    first = next(spec for spec in sections[0].fields if spec.same_as is None) if sections else None
    example = f"，如“修改{first.label}”" if first else ""
    return (f"请注意：《{form.title}》模板要求的以下栏目还没有填写：\n{named}\n"
            f"这样提交，生成的文档中这些栏目将是空白。仍要提交请再次回复“确认提交”；要补填请回复“修改”加栏目名称{example}。")


def summary_text(form: FormSchema, draft: Draft) -> str:
    """What has been filled, section by section, in the form's order."""
    lines = [f"《{form.title}》已填内容："]
    for section in form.sections:
        lines.append(f"【{section.title}】")
        for spec in section.fields:
            if spec.same_as is not None:
                continue
            if not spec.is_group:
                value = draft.values.get(spec.key)
                shown = _display(value)
                if spec.kind == "longtext" and isinstance(value, str) and len(value) > 60:
                    shown = value[:60] + f"…（共{len(value)}字）"
                lines.append(f"· {spec.label}：{shown}")
                continue
            items = [item for item in _group_items(draft, spec) if item]
            if not items:
                lines.append(f"· {spec.label}：（无）")
            for number, item in enumerate(items, start=1):
                parts = "，".join(f"{sub.label}：{_display(item.get(sub.key))}" for sub in spec.fields)
                lines.append(f"· {spec.item_label or spec.label}{number}：{parts}")
    return "\n".join(lines)


PHASE_NAMES = {"eligibility": "资格预审", "fields": "逐项填写", "review": "待确认提交", "done": "已生成文档",
               "paused": "已暂停", "stopped": "预审未通过"}


def progress(form: FormSchema | None, draft: Draft) -> dict[str, Any]:
    """What staff see of a draft: its phase, the question being asked, and what is filled."""
    asking = None
    if form is not None and draft.phase == "fields" and (step := current_step(form, draft)):
        asking = _step_label(form, step)
    elif draft.phase == "eligibility":
        question = next_question(get_checks()[draft.program], draft.eligibility)
        asking = question.prompt if question else None
    filled: list[dict[str, str]] = []
    total = 0
    if form is not None:
        all_steps = [s for s in steps(form, draft) if not _group_step_is_open_item(form, draft, s)]
        total = len(all_steps)
        filled = [{"label": _step_label(form, s), "value": _display(value_of(draft, s))}
                  for s in all_steps if value_of(draft, s) not in (None, "")]
    return {"phase": PHASE_NAMES.get(draft.phase, draft.phase), "asking": asking, "filled": filled, "total": total}


# --- handling one answer -----------------------------------------------------------------------

def handle(form: FormSchema | None, draft: Draft, text: str) -> Outcome:
    """Apply one message of the applicant to the draft (mutated in place)."""
    text = text.strip()
    if _PAUSE.match(text):
        draft.resume_phase = draft.phase
        draft.phase = "paused"
        return Outcome(status="paused")
    if draft.phase == "eligibility":
        return _handle_eligibility(form, draft, text)
    if form is None:
        return Outcome(status="completed")
    if _SHOW.search(text):
        return Outcome(messages=[summary_text(form, draft)])
    edit = _EDIT.match(text)
    if edit and (step := find_step(form, draft, edit.group("what"))):
        draft.focus = step
        draft.pending = None
        draft.phase = "fields"
        draft.empty_sections_told = False
        return Outcome()
    if draft.pending:
        return _handle_pending(form, draft, text)
    if draft.phase == "review":
        return _handle_review(form, draft, text)
    if _BACK.match(text):
        return _go_back(draft)
    return _handle_field(form, draft, text)


def _handle_eligibility(form: FormSchema | None, draft: Draft, text: str) -> Outcome:
    check = get_checks()[draft.program]
    if _BACK.match(text) and draft.eligibility:
        draft.eligibility.pop(list(draft.eligibility)[-1])
        return Outcome()
    question = next_question(check, draft.eligibility)
    if question is None:
        return _finish_eligibility(form, draft)
    checked = parse_answer(question, text)
    if not checked.ok:
        return Outcome(messages=[checked.message])
    draft.eligibility[question.key] = checked.value
    if next_question(check, draft.eligibility) is not None:
        return Outcome()
    return _finish_eligibility(form, draft)


def _finish_eligibility(form: FormSchema | None, draft: Draft) -> Outcome:
    verdict = evaluate(get_checks()[draft.program], draft.eligibility)
    messages = [verdict_text(verdict)]
    if verdict.status == "not_eligible":
        draft.phase = "stopped"
        return Outcome(status="stopped", messages=messages, buttons=[HUMAN_BUTTON])
    if form is None:
        draft.phase = "done"
        return Outcome(status="completed", messages=messages)
    draft.phase = "fields"
    messages.append(f"下面开始逐项填写《{form.title}》。随时可以回复“查看已填内容”“上一步”“修改+栏目名称”或“暂停”。")
    return Outcome(messages=messages)


def _handle_pending(form: FormSchema, draft: Draft, text: str) -> Outcome:
    pending = draft.pending or {}
    if _CONFIRM.match(text):
        for key, value in pending.items():
            draft.values[key] = value
            _mark_answered(draft, key)
        draft.pending = None
        return Outcome(messages=[f"已填入{len(pending)}项。"])
    if _REJECT.match(text):
        draft.pending = None
        return Outcome(messages=["好的，已忽略识别结果。"])
    return Outcome(messages=["请回复“确认”填入识别到的内容，或回复“取消”忽略。"])


def _handle_review(form: FormSchema, draft: Draft, text: str) -> Outcome:
    if not _CONFIRM.match(text):
        return Outcome(messages=["请回复“确认提交”生成申报书，或回复“修改”加栏目名称修改某项，如“修改联系人手机”。"])
    problems = check_rules(form, draft.values)
    missing = [_step_label(form, step) for step in steps(form, draft)
               if field_of(form, step)[0].required and value_of(draft, step) in (None, "")
               and not _group_step_is_open_item(form, draft, step)]
    if missing:
        problems.append("以下必填项尚未填写：" + "、".join(missing))
    if problems:
        return Outcome(messages=problems)
    if empty_sections(form, draft) and not draft.empty_sections_told:
        draft.empty_sections_told = True  # the next prompt names them; a second 确认提交 submits
        return Outcome()
    draft.phase = "done"
    return Outcome(status="completed")


def _group_step_is_open_item(form: FormSchema, draft: Draft, step: str) -> bool:
    """True for the fields of the not-yet-started next item of a group (nothing to complete)."""
    _, group, index = field_of(form, step)
    return group is not None and index is not None and index >= len([i for i in _group_items(draft, group) if i])


def _go_back(draft: Draft) -> Outcome:
    if not draft.answered:
        return Outcome(messages=["已经是第一项了。"])
    previous = draft.answered.pop()
    draft.focus = previous
    return Outcome()


def _handle_field(form: FormSchema, draft: Draft, text: str) -> Outcome:
    step = current_step(form, draft)
    if step is None:
        draft.phase = "review"
        return Outcome()
    spec, group, index = field_of(form, step)

    if _is_first_of_item(group, spec) and _NONE.match(text):
        _close_group(draft, group, index)
        return _advance(form, draft)
    if _KEEP.match(text) and value_of(draft, step) not in (None, ""):
        _mark_answered(draft, step)
        return _advance(form, draft)
    if _SKIP.match(text):
        if spec.required:
            return Outcome(messages=[f"“{spec.label}”是必填项，不能跳过。{spec.prompt}。"])
        _mark_answered(draft, step)
        return _advance(form, draft)

    pasted = _pasted_fields(form, draft, text, step)
    if pasted:
        draft.pending = pasted
        return Outcome()

    checked = check_value(spec, text, draft.values)
    if not checked.ok:
        failures = draft.failures.get(step, 0) + 1
        draft.failures[step] = failures
        if failures >= MAX_FAILURES_BEFORE_OFFERING_HELP:
            return Outcome(
                messages=[checked.message, "这一项已经几次没有通过校验。需要的话可以转人工，工作人员会协助您；已填内容都已保存。"],
                buttons=[HUMAN_BUTTON],
            )
        return Outcome(messages=[checked.message])
    _set_value(draft, step, checked.value)
    _mark_answered(draft, step)
    if group is not None and group.max_items is not None and len(_group_items(draft, group)) >= group.max_items:
        last_sub = group.fields[-1].key
        if spec.key == last_sub:
            _close_group(draft, group, None)
    advanced = _advance(form, draft)
    return Outcome(messages=[checked.note]) if checked.note else advanced


def _close_group(draft: Draft, group: FieldSpec, unstarted_index: int | None) -> None:
    if unstarted_index is not None:
        items = _group_items(draft, group)
        draft.values[group.key] = items[:unstarted_index]
        prefix = f"{group.key}.{unstarted_index}."
        draft.answered = [s for s in draft.answered if not s.startswith(prefix)]
        if draft.focus and draft.focus.startswith(prefix):
            draft.focus = None
    if group.key not in draft.closed_groups:
        draft.closed_groups.append(group.key)


def _advance(form: FormSchema, draft: Draft) -> Outcome:
    if current_step(form, draft) is None:
        draft.phase = "review"
    return Outcome()


def _pasted_fields(form: FormSchema, draft: Draft, text: str, step: str) -> dict[str, Any]:
    """Fields found in a pasted paragraph (at least two, each valid), else nothing."""
    spec, group, _ = field_of(form, step)
    if len(text) < _MIN_PASTE_CHARS or spec.kind == "longtext":
        return {}
    from knowledge.forms.extract import extract_fields  # spaCy: loaded only where forms are filled

    found: dict[str, Any] = {}
    for key, raw in extract_fields(form, text).items():
        checked = check_value(form.field(key), raw, draft.values)
        if checked.ok:
            found[key] = checked.value
    return found if len(found) >= 2 else {}


def find_step(form: FormSchema, draft: Draft, what: str) -> str | None:
    """The answered or current step the applicant names (“联系人手机”, “邮编”…), best match first."""
    what = re.sub(r"[的为成是：:，,。\s]", "", what)
    candidates = [s for s in steps(form, draft) if s in draft.answered or s == current_step(form, draft)]
    candidates += [s for s in draft.answered if s not in candidates]

    def score(step: str) -> float:
        label = re.sub(r"[/、（）()\s]", "", _step_label(form, step))
        if label and label in what or what in label:
            return 2 + len(label) / 100
        common = sum(1 for ch in set(label) if ch in what)
        return common / max(len(set(label)), 1)

    best = max(candidates, key=score, default=None)
    return best if best is not None and score(best) >= 0.6 else None
