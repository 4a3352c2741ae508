"""One full question -> answer exchange over WeChat's safe mode against the real Rasa server,
action server and gateway (started by scripts/stack.py on free ports with temp databases)."""

from __future__ import annotations

import re
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from wechat_fakes import AES_KEY, APP_ID, APP_SECRET, OPENID, TOKEN, StandInWeChatApi, WeChatServer, text_xml

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
from stack import Stack, throwaway_stack  # noqa: E402

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def stack(tmp_path_factory, wechat_api: StandInWeChatApi) -> Iterator[Stack]:
    env = {
        "ASSISTANT_TODAY": "2026-11-22",
        "WECHAT_TOKEN": TOKEN,
        "WECHAT_ENCODING_AES_KEY": AES_KEY,
        "WECHAT_APP_ID": APP_ID,
        "WECHAT_APP_SECRET": APP_SECRET,
        "WECHAT_API_BASE_URL": wechat_api.url,
    }
    with throwaway_stack(tmp_path_factory.mktemp("wechat-stack"), env) as running:
        yield running


def test_a_deadline_question_gets_a_dated_cited_answer_over_safe_mode(stack: Stack, standin: StandInWeChatApi):
    wechat = WeChatServer(base_url=stack.url, aes=True)
    reply = wechat.reply(wechat.post(text_xml("上海5G医疗试点什么时候截止")))
    # normally passive; on a slow first answer it follows through the (stand-in) API
    text = reply["Content"] if reply is not None else "\n".join(standin.wait_for_texts(1, timeout=30))
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日", text), text
    assert "截止" in text
    assert re.search(r"^依据：《[^》]+》\S", text, re.MULTILINE), text

    database = Path(stack.extra_env["DATABASE_URL"].removeprefix("sqlite:///"))
    with sqlite3.connect(database) as db:
        channel = db.execute("select channel from conversations where session_id = ?", (f"wx-{OPENID}",)).fetchone()
        senders = [row[0] for row in db.execute("select sender from messages where session_id = ? order by id", (f"wx-{OPENID}",))]
    assert channel == ("wechat",)
    assert senders[:2] == ["user", "bot"]
