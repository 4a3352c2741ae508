"""Render: the facts chosen (and a verdict, when one was decided) as the reply's text.

The last step of the composer's pipeline (understand → resolve → select → decide → render). Pure
functions of the facts: they look nothing up and decide nothing; the FAQ page renders its
entries with the same functions, so a fact reads the same in the chat and in the FAQ."""
from __future__ import annotations

from .comparison import Side, both_asked, compare
from .models import Contact, Deadline, Direction, Document, Program, Statement
from .reply import Button, Reply
from .timeaware import format_date, format_window, status_phrase
from .units import Unit

HUMAN_PAYLOAD = "/request_human"
MAX_QUOTE_CHARS = 160


def item_text(item: object) -> str:
    """One fact as a sentence: a window with its status (截止/已截止), a contact line, a rule."""
    if isinstance(item, Deadline):
        return _deadline_text(item)
    if isinstance(item, Contact):
        return contact_line(item)
    if isinstance(item, (Statement, Document)):
        return item.text
    if isinstance(item, Program):
        return item.summary
    if isinstance(item, Direction):
        return f"{item.name}：{item.description or ''}"
    return str(item)


def _deadline_text(deadline: Deadline) -> str:
    window = format_window(deadline)
    parts = [f"{deadline.title}：{window}" if window else deadline.title]
    status = status_phrase(deadline)
    if status:
        parts.append(status)
    text = "，".join(parts) + "。"
    if deadline.note:
        text += deadline.note.rstrip("。") + "。"
    return text


def units_reply(program: Program, units: list[Unit], topic: str) -> Reply:
    """The facts one under another, each cited."""
    return Reply(
        text="\n".join(item_text(u.item) for u in units), citations=[u.citation for u in units],
        programs=[program.key], topic=topic,
    )


def overview_reply(program: Program, unit: Unit, topic: str = "overview") -> Reply:
    """What the program is, who issued it (文号) and when."""
    number = f"（{program.number}）" if program.number else ""
    published = f"，{format_date(program.published)}发布" if program.published else ""
    text = f"{program.summary}发文单位：{program.issuer}{number}，{format_date(program.issued)}印发{published}。"
    return Reply(text=text, citations=[unit.citation], programs=[program.key], topic=topic)


def contact_line(contact: Contact) -> str:
    people = "、".join(f"{p.name} {p.phone}" if p.phone else p.name for p in contact.people)
    role = f"（{contact.role}）" if contact.role else ""
    return f"{contact.agency}：{people}{role}"


def shorten(text: str, limit: int = MAX_QUOTE_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit].rstrip("，、；") + "……"


def not_given(program: Program, related: Reply, what: str) -> Reply:
    """The notice does not give what is asked (a date, a number of copies, an e-mail): said first,
    then the closest fact, labelled as related, and whom to ask."""
    contact = program.contacts[0] if program.contacts else None
    tail = f"建议咨询{contact_line(contact)}，或" if contact else ""
    return Reply(
        text=f"通知中没有给出{what}，我不能确定。相关规定：{related.text}\n{tail}点击“转人工”由工作人员为您解答。",
        citations=related.citations, buttons=[Button("转人工", HUMAN_PAYLOAD)], programs=related.programs,
        topic=related.topic, kind="unknown",
    )


def labelled(
    replies: list[Reply], programs: list[Program], topic: str, question: str, compared: str | None = None,
) -> Reply:
    """Each program's reply under its name (【上海5G试点】…); for a same-or-different question
    about several programs, 一样/不一样 first, with both values below."""
    if len(replies) == 1:
        reply = replies[0]
        reply.text = f"【{programs[0].short_name}】{reply.text}"
        reply.topic, reply.question, reply.programs = topic, question, [programs[0].key]
        return reply
    text = "\n".join(f"【{p.short_name}】{r.text}" for p, r in zip(programs, replies))
    answered = [Side(p.short_name, r.text.split("\n")[0]) for p, r in zip(programs, replies) if r.kind == "answer"]
    complete = len(answered) == len(replies)
    same_or_not = compare(compared, answered) if compared and complete else both_asked(question, answered) if complete else None
    if same_or_not:
        text = f"{same_or_not}\n{text}"
    kind = "unknown" if all(r.kind == "unknown" for r in replies) else "answer"
    return Reply(
        text=text, citations=[c for r in replies for c in r.citations],
        buttons=list(dict.fromkeys(b for r in replies for b in r.buttons)), programs=[p.key for p in programs],
        topic=topic, question=question, kind=kind,
    )

