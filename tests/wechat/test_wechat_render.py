"""Rendering for WeChat's text-only messages: numbered menus, citation lines, document links,
splitting under the size limit, and reading a menu number."""

from __future__ import annotations

import pytest

from connectors.wechat import MAX_TEXT_BYTES, attachment_line, citation_line, menu_choice, render, split_text
from gateway.schemas import Attachment, BotMessage, Button, Citation

SH5G = Citation(doc="sh5g", title="上海市5G+医疗健康应用试点项目申报通知", clause="五、有关事宜 > （三）", quote="集中受理截止时间……")
NAT5G = Citation(doc="nat5g", title="国家5G+医疗健康应用试点项目申报通知", clause="四、申报要求", quote="……")


def test_buttons_become_a_numbered_menu_across_messages():
    text, buttons = render(
        [
            BotMessage(text="请问您咨询哪个项目？", buttons=[Button(title="上海5G试点", payload="/p1"), Button(title="国家5G试点", payload="/p2")]),
            BotMessage(text="也可以", buttons=[Button(title="转人工", payload="/request_human")]),
        ]
    )
    assert text == "请问您咨询哪个项目？\n回复1 上海5G试点\n回复2 国家5G试点\n\n也可以\n回复3 转人工"
    assert [b.payload for b in buttons] == ["/p1", "/p2", "/request_human"]


def test_citations_are_one_short_line_without_the_quote():
    text, _ = render([BotMessage(text="已于2021年1月19日17:00截止。", citations=[SH5G, SH5G, NAT5G, SH5G])])
    assert text.splitlines() == [
        "已于2021年1月19日17:00截止。",
        "依据：《上海市5G+医疗健康应用试点项目申报通知》五、有关事宜 > （三）；《国家5G+医疗健康应用试点项目申报通知》四、申报要求",
    ]
    assert "集中受理" not in text
    assert citation_line([]) == ""


@pytest.mark.parametrize(
    ("url", "base", "expected"),
    [
        ("https://files.example/a.docx", "", "文件：a.docx\nhttps://files.example/a.docx"),
        ("/files/tok123", "https://zixun.example.gov.cn", "文件：a.docx\nhttps://zixun.example.gov.cn/files/tok123"),
        ("/files/tok123", "", "文件：a.docx（请在网页版对话中下载）"),
        ("javascript:alert(1)", "https://zixun.example.gov.cn", "文件：a.docx（请在网页版对话中下载）"),
        ("//evil.example/x", "https://zixun.example.gov.cn", "文件：a.docx（请在网页版对话中下载）"),
    ],
)
def test_documents_are_links_only_when_wechat_can_open_them(url, base, expected):
    assert attachment_line(Attachment(url=url, filename="a.docx"), base) == expected


def test_cdata_terminator_in_an_answer_cannot_break_the_reply_xml():
    text, _ = render([BotMessage(text="a]]><x>b")])
    assert "]]>" not in text


def test_long_text_is_split_under_the_byte_limit_between_lines():
    paragraph = "申报单位应当按要求提交材料。" * 40  # 560 characters, 1680 bytes
    text = "\n".join([paragraph] * 3)
    chunks = split_text(text)
    assert len(chunks) == 3
    assert all(len(c.encode("utf-8")) <= MAX_TEXT_BYTES for c in chunks)
    assert chunks == [paragraph] * 3


def test_a_line_longer_than_the_limit_is_cut_between_characters():
    line = "测" * 1000 + "😀" * 10  # 3000 + 40 bytes, no line breaks
    chunks = split_text(line, max_bytes=1001)
    assert "".join(chunks) == line
    assert all(len(c.encode("utf-8")) <= 1001 for c in chunks)
    assert split_text("") == [] and split_text("\n\n") == []


@pytest.mark.parametrize(("text", "number"), [("1", 1), (" 2 ", 2), ("１", 1), ("回复3", 3), ("12", 12), ("1.", None), ("一", None), ("123", None), ("第1个", None)])
def test_menu_numbers(text, number):
    assert menu_choice(text) == number
