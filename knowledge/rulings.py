"""A yes/no question answered by the rule its best fact states ("想提前验收，可以吗" → 可以).

The rule is typed data on the statement (``ruling`` in data/programs/<program>.yml): may, may not
or must, soft when the notice says 原则上. The applicant's question may ask to do the thing
("能提前验收吗") or to leave it out ("纸质版没寄，可以吗", "只在线上报了行吗"); leaving out what is
required is 不可以, asking whether it is required is 需要.
"""
from __future__ import annotations

import re

from .models import Ruling
from .text import normalize

# "纸质版没寄", "只在平台上传了", "不交光盘", "可以不报吗": the applicant leaves something out
# ("能不能不等到期就申请": not waiting is doing it early, nothing left out)
LEAVES_OUT = re.compile(
    r"没(?:有)?(?:寄|交|报|送|传|提交|上传|打印|盖)|未(?:寄|交|报|送|提交|上传)|不(?:寄|交|报|送|提交|上传|打印|盖章)(?!期)"
    r"|只(?:在|通过|用|交|传|报|寄|上传|提交)|光(?:在|交|报)|可以不(?!可以|等)|能不能不(?!等)|能不(?!能|等)|不用|不需要|免(?:交|寄)|省(?:掉|了)"
)
# "还非得寄吗", "要不要交", "需要…吗", "必须…吗": whether it is required
ASKS_IF_REQUIRED = re.compile(r"非得|必须|一定要|要不要|需不需要|用不用|得不得|还得|还要|需要|是否需要|要.{0,8}吗")


def verdict_by_ruling(question: str, ruling: Ruling) -> str | None:
    """The verdict's opening words; None when the question and the rule do not meet."""
    text = normalize(question)
    leaves_out = bool(LEAVES_OUT.search(text))
    if ruling.says == "must":
        if leaves_out:
            return "原则上不可以：" if ruling.soft else "不可以："
        if ASKS_IF_REQUIRED.search(text):
            return "需要："
        return None
    if leaves_out:
        return None  # "可以不提前验收吗": the rule does not speak of leaving it out
    if ruling.says == "may":
        return "可以："
    return "原则上不可以：" if ruling.soft else "不可以："
