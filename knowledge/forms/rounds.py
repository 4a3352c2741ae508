"""Whether a form's round is still open: the form names the program deadline it is handed in by
(``deadline`` in its YAML); the dates and their wording come from the program data and
knowledge.timeaware, so a form never states a date of its own."""
from __future__ import annotations

from datetime import date

from knowledge.models import Deadline
from knowledge.timeaware import format_window, status_phrase

from .loader import get_knowledge_data
from .schema import FormSchema

_CLOSED = "已于"  # how status_phrase begins for a deadline that has passed


def round_deadline(form: FormSchema) -> Deadline | None:
    """The program's deadline by which this form is handed in, if the form names one."""
    program = get_knowledge_data().programs[form.program]
    return next((item for item in program.deadlines if item.id == form.deadline), None)


def closed_round_notice(form: FormSchema, today: date | None = None) -> str | None:
    """What to tell someone starting this form after its round closed (with the dates); None while open."""
    deadline = round_deadline(form)
    if deadline is None:
        return None
    status = status_phrase(deadline, today)
    if not status.startswith(_CLOSED):
        return None
    program = get_knowledge_data().programs[form.program]
    return (f"请注意：{program.short_name}的{deadline.title}时间为{format_window(deadline)}，{status}。"
            "您仍可以继续填写（例如为今后的申报做准备），能否补交请向主管部门确认。")
