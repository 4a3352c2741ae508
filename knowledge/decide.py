"""Decide, over the answer the facts gave: the verdict first, when the question wants one.

Each step takes the question and the selected answer and, when its rule applies, opens the answer
with a verdict (可以 / 不可以 / 原则上不可以 / 不能 / 符合 / 是的 / 不对) and its reason; otherwise it
returns the answer unchanged. The composer applies them in a fixed order (see ``decide``)."""
from __future__ import annotations

import re

from .render import HUMAN_PAYLOAD
from .reply import Reply
from .rulings import ASKS_IF_REQUIRED, verdict_by_ruling
from .situation import Situation
from .text import normalize
from .verdicts import asks_for_verdict, check_against_limit, confirm

MAX_CONTEXT_LINES = 2  # of the clause answer kept under a verdict
_CLOSED_NOTE = re.compile(r"（[^（）]*(?:（[^（）]*）[^（）]*)*(?P<status>已于[^（）]*截止)）$")


def verdict_first(verdict: Reply, answer: Reply) -> Reply:
    """The verdict, then what the clause answer adds (never a sentence twice, kept short); with
    one verdict per program, each program's verdict heads what its own block adds."""
    if answer.kind != "answer":
        return verdict
    heads = re.split(r"\n(?=【)", verdict.text)
    return Reply(
        text="\n".join(_with_its_context(head, answer.text) for head in heads),
        citations=list(dict.fromkeys([*verdict.citations, *answer.citations])),
        # a handoff offered because one notice was silent is not offered over a verdict that settles it
        buttons=answer.buttons if "需进一步确认" in verdict.text else [b for b in answer.buttons if b.payload != HUMAN_PAYLOAD],
        programs=verdict.programs,
        topic=verdict.topic,
        question=verdict.question,
    )


def _with_its_context(head: str, answer: str) -> str:
    said = normalize(head)
    extra = []
    for line in _own_block(head, answer)[:MAX_CONTEXT_LINES]:
        sentences = [s for s in re.split(r"(?<=[。；])", line) if s.strip() and normalize(s.rstrip("。；")) not in said]
        if sentences:
            extra.append("".join(sentences))
    closed = _CLOSED_NOTE.search(head)
    if closed and any(closed.group("status") in line for line in extra):
        head = head[: closed.start()]  # the clause answer below says it already
    return "\n".join([head, *extra])


_NOT_CONTEXT = re.compile(r"^(?:通知中没有给出|点击“转人工”|转人工$|建议咨询)")


def _own_block(verdict: str, answer: str) -> list[str]:
    """The lines of the answer under the verdict's program label (all, when the answer has one
    program), without the lines that say a notice is silent: the verdict has spoken."""
    label = re.match(r"【[^】]*】", verdict)
    blocks = re.split(r"\n(?=【)", answer)
    own = next((b for b in blocks if label and b.startswith(label.group(0))), None)
    if own is None:
        own = answer if len(blocks) == 1 else ""
    lines = [re.sub(r"^【[^】]*】", "", line).strip() for line in own.split("\n")]
    return [line for line in lines if line and not _NOT_CONTEXT.match(line)]


def by_ruling(question: str, answer: Reply) -> Reply:
    """"想提前验收，可以吗": the verdict the answering fact's rule gives, before the fact."""
    if answer.ruling is None or len(answer.programs) != 1:
        return answer
    if not (asks_for_verdict(question) or ASKS_IF_REQUIRED.search(normalize(question))):
        return answer
    opening = verdict_by_ruling(question, answer.ruling)
    label, mark, rest = answer.text.partition("】")
    if check_against_limit(question, rest) is not None:
        return answer  # "延期一年半可以吗": the limit decides
    if opening is None or not mark or rest.startswith(("可以", "不可以", "原则上不可以", "需要：", "不能", "不符合", "符合")):
        return answer
    if opening.startswith("原则上"):
        rest = re.sub(r"^原则上[，,]?", "", rest)  # "原则上不可以：原则上，…" says it twice
    answer.text = f"{label}】{opening}{rest}"
    return answer


# "我们能直接提申请吗": the asker means to file something themselves…
FILES_ITSELF = re.compile(r"(?:我们|我方|我单位|本单位|自己|直接)[^，,。？?]{0,6}(?:提|提交|申请|报|递交|上报)")
# …and the fact says who files it.
_FILED_BY_LEAD = re.compile(r"由[^，,。]{0,12}牵头单位(?:统一)?(?:提出|提交|申请|负责|报送)")


def who_files(question: str, said: Situation, answer: Reply) -> Reply:
    """A partner unit asking whether it may file what the lead unit files: 不能, with the rule."""
    if answer.kind != "answer" or said.profile.get("role") != "partner" or not FILES_ITSELF.search(normalize(question)):
        return answer
    label, mark, rest = answer.text.partition("】")
    if not mark or not _FILED_BY_LEAD.search(rest.split("\n")[0]):
        return answer
    answer.text = f"{label}】不能：须由牵头单位提出申请（您说贵单位是参与单位，请通过牵头单位办理）。\n{rest}"
    return answer


def confirmed_or_corrected(question: str, answer: Reply) -> Reply:
    """"…最多10家，是吧": the answer opens by saying whether the value the applicant assumes holds."""
    if answer.kind != "answer" or len(answer.programs) != 1:
        return answer
    confirmation = confirm(question, answer.text)
    if confirmation is None:
        return answer
    lead = "是的。" if confirmation.agrees else f"不对，不是{confirmation.asserted}。"
    label, _, rest = answer.text.partition("】")
    answer.text = f"{label}】{lead}{rest}" if rest else f"{lead}{answer.text}"
    return answer


def against_limit(question: str, answer: Reply) -> Reply:
    """"我们写了800来字，超没超": the applicant's quantity against the limit the best fact states
    (500字以内): the verdict first. A limit the notice softens (原则上) gets no hard 不可以."""
    if answer.kind != "answer" or len(answer.programs) != 1 or not asks_for_verdict(question):
        return answer
    label, _, rest = answer.text.partition("】")
    check = check_against_limit(question, (rest or answer.text).split("\n")[0])
    if check is None:
        return answer
    if check.within:
        lead = f"符合：规定是{check.limit}，您说的是{check.said}。"
    elif check.soft:
        lead = f"原则上不可以（需进一步确认）：规定是{check.limit}，您说的是{check.said}。"
    else:
        lead = f"不符合（{'超出' if check.upper else '不足'}）：规定是{check.limit}，您说的是{check.said}。"
    answer.text = f"{label}】{lead}{rest}" if rest else f"{lead}{answer.text}"
    return answer


def decide(question: str, said: Situation, answer: Reply) -> Reply:
    """Every step over a selected answer, in order: who files it, the fact's own rule, a quantity
    against its limit, a value the applicant assumes."""
    return confirmed_or_corrected(question, against_limit(question, by_ruling(question, who_files(question, said, answer))))
