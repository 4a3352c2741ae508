"""A phone number or e-mail address the applicant leaves with a left message, for staff to call
or write back (after hours, or when nobody is online).

A message is taken as a contact when, without its labels ("电话", "我的邮箱是"…) and
punctuation, it is a number or an address; it is then checked with the forms' validators
(phonenumbers, email-validator). Anything else is an ordinary message (the assistant may answer it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.forms.validators import check_email, check_phone, half_width

_LABELS = re.compile(
    r"请|麻烦|给我|回电|回复|联系我|联系|我的|我|是|手机号码|手机号|手机|电话号码|电话|座机|号码|电子邮箱|电子邮件|"
    r"邮箱地址|邮箱|邮件|e-?mail|联系方式|打|发到|发|到|谢谢|[:：,，。;；!！、\s]",
    re.IGNORECASE,
)
_ADDRESS = re.compile(r"[^\s:：,，;；、]*@[^\s:：,，;；、]*")
_PHONE_LIKE = re.compile(r"^\+?[\d\-()（）转]{5,}$")


@dataclass(frozen=True)
class LeftContact:
    """``value`` is the normalised number or address, or None with ``problem`` saying why not."""

    kind: str  # "phone" | "email"
    value: str | None
    problem: str = ""

    @property
    def label(self) -> str:
        return "电话" if self.kind == "phone" else "电子邮箱"


def contact_in(text: str) -> LeftContact | None:
    """The contact the message gives (valid or not), or None if the message is not one."""
    plain = half_width(text)
    addresses = _ADDRESS.findall(plain)
    if len(addresses) == 1 and not _LABELS.sub("", _ADDRESS.sub("", plain)):
        checked = check_email(addresses[0].rstrip("。."))
        return LeftContact("email", checked.value if checked.ok else None, checked.message)
    bare = _LABELS.sub("", plain)
    if not addresses and _PHONE_LIKE.match(bare) and sum(ch.isdigit() for ch in bare) >= 5:
        checked = check_phone(bare.replace("（", "(").replace("）", ")"))
        return LeftContact("phone", checked.value if checked.ok else None, checked.message)
    return None
