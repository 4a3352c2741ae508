"""`make cluster` as its users meet it: two replica sets (Rasa, action server, gateway) on
PostgreSQL and Redis behind nginx, started once for this module (tests/cluster/conftest.py).

- one conversation spread over both gateways (and so both Rasa replicas) is answered in order,
  once per message, and Rasa's tracker holds the same messages in the same order;
- Idempotency-Key: a retry (even through the other gateway, even while the first is working) gets
  the first reply, and the message is stored once;
- kill -9 of a Rasa replica, an action server and a gateway under a steady load: every message gets
  exactly one stored answer (a client retries once with the same key), and the chat page whose
  gateway died reconnects through nginx and gets what it missed;
- a staff reply reaches the applicant on whichever gateway holds the socket; the console works
  through nginx;
- WeChat: one access token for all gateways, fetched once and refreshed once; a message that
  reaches both gateways is answered once;
- a form draft started on one replica is resumed by its code on the other."""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import psycopg
import pytest

from cluster import REPO, Cluster
from cluster_clients import ApiApplicant, Console, Page, new_session, turns
from wechat_fakes import OPENID, StandInWeChatApi, WeChatServer, text_xml

pytestmark = pytest.mark.integration

APP_PYTHON = REPO / ".venv" / "bin" / "python"
STAFF_PASSWORD = "cluster-test-password"
QUESTIONS = ["上海5G试点纸质材料要交几份", "国家5G试点纸质材料要交几份", "智慧医疗专项书面材料交几份",
             "上海5G医疗试点什么时候截止", "验收需要准备哪些材料"]
CODE = re.compile(r"填写编号是 ([A-Z0-9]{8})")


def gateway_urls(cluster: Cluster) -> list[str]:
    return [replica.url for replica in cluster.stacks]


def tracker_user_texts(cluster: Cluster, session_id: str) -> list[str]:
    dsn = cluster.stacks[0].extra_env["RASA_TRACKER_DB"].replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as connection:
        rows = connection.execute("SELECT data FROM events WHERE sender_id = %s AND type_name = 'user' ORDER BY id",
                                  (session_id,)).fetchall()
    return [json.loads(data)["text"] for (data,) in rows]


def kill_9(cluster: Cluster, name: str) -> None:
    process = cluster.replica_of(name).processes[name]
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def test_processes_json_lists_every_process_with_kind_pid_and_port(cluster: Cluster):
    listed = json.loads((cluster.work / "processes.json").read_text())
    assert listed["url"] == cluster.url and httpx.get(f"{cluster.url}/healthz", timeout=10).status_code == 200
    kinds = sorted(process["kind"] for process in listed["processes"])
    assert kinds == sorted(["rasa", "actions", "gateway"] * 2 + ["nginx", "postgres", "redis"])
    assert {p["name"] for p in listed["processes"]} >= {"rasa-1", "rasa-2", "actions-1", "gateway-2"}
    for process in listed["processes"]:
        os.kill(process["pid"], 0)  # alive
        assert isinstance(process["port"], int) and process["port"] > 0


def test_one_conversation_through_both_gateways_is_answered_in_order_once(cluster: Cluster):
    applicant = ApiApplicant(cluster.url)
    first, second = gateway_urls(cluster)
    for number, question in enumerate(QUESTIONS[:4]):
        assert applicant.say(question, base_url=first if number % 2 == 0 else second)
    stored = turns(applicant.history())
    assert [text for text, _ in stored] == QUESTIONS[:4]
    for question, replies in stored:
        assert replies and len(replies) == len(set(replies)), (question, replies)
    assert "六份" in "".join(stored[0][1]) and "三份" in "".join(stored[1][1])
    assert tracker_user_texts(cluster, applicant.session_id) == QUESTIONS[:4]  # the tracker agrees


def test_a_retry_with_the_same_idempotency_key_gets_the_first_reply_and_is_stored_once(cluster: Cluster):
    applicant = ApiApplicant(cluster.url)
    first, second = gateway_urls(cluster)
    key = uuid.uuid4().hex
    original = applicant.post(QUESTIONS[0], key, first)
    retried = applicant.post(QUESTIONS[0], key, second)  # the other gateway
    assert original.status_code == retried.status_code == 200
    assert retried.json() == original.json() and retried.headers["idempotent-replayed"] == "true"

    key = uuid.uuid4().hex
    with ThreadPoolExecutor(2) as pool:  # a retry while the first copy is still being answered
        copies = list(pool.map(lambda url: applicant.post(QUESTIONS[1], key, url), [first, second]))
    assert [c.status_code for c in copies] == [200, 200] and copies[0].json() == copies[1].json()

    assert [text for text, _ in turns(applicant.history())] == QUESTIONS[:2]
    assert tracker_user_texts(cluster, applicant.session_id) == QUESTIONS[:2]  # sent to Rasa once each
    bad = applicant.post(QUESTIONS[2], "short", first)
    assert bad.status_code == 422 and "Idempotency-Key" in bad.json()["detail"]


@pytest.fixture(scope="module")
def console(cluster: Cluster) -> Console:
    username = f"cl{uuid.uuid4().hex[:6]}"
    created = subprocess.run(
        [str(APP_PYTHON), "-m", "gateway.helpdesk.staff", "create", "--username", username, "--display-name", "李老师",
         "--password-stdin"],
        input=STAFF_PASSWORD + "\n", text=True, capture_output=True, cwd=REPO,
        env={**os.environ, **cluster.stacks[0].extra_env}, timeout=120,
    )
    assert created.returncode == 0, created.stderr
    return Console(cluster.url, username, STAFF_PASSWORD)  # logged in through nginx


def handoff_of(console: Console, base_url: str, session_id: str) -> int:
    waiting = [h for h in console.get(base_url, "/api/console/queue")["waiting"] if h["session_id"] == session_id]
    assert len(waiting) == 1, waiting
    return waiting[0]["id"]


def test_a_staff_reply_reaches_the_applicant_on_whichever_gateway_holds_the_socket(cluster: Cluster, console: Console):
    first, second = gateway_urls(cluster)
    session_id, token = new_session(cluster.url)
    page = Page(second, session_id, token)  # the socket is held by gateway 2
    page.connect()
    page.send("h-1", "转人工")
    page.read_until(lambda frame: "人工客服" in frame.get("text", ""))
    handoff = handoff_of(console, cluster.url, session_id)
    assert console.post(cluster.url, f"/api/console/handoffs/{handoff}/claim")["status"] == "active"
    reply = "您好，我是李老师，请问有什么可以帮您？"
    assert console.post(first, f"/api/console/handoffs/{handoff}/reply", {"text": reply})["delivered"] is True  # on gateway 1
    page.read_until(lambda frame: frame.get("sender") == "staff" and frame.get("text") == reply)
    page.close()


def test_wechat_token_is_fetched_once_for_all_gateways_and_refreshed_once(
        cluster: Cluster, console: Console, wechat_api: StandInWeChatApi):
    first, second = gateway_urls(cluster)
    openid = OPENID[:-6] + uuid.uuid4().hex[:6]
    fetched_before = len(wechat_api.token_requests)
    WeChatServer(base_url=first).post(text_xml("转人工", openid=openid), timeout=60)  # may be answered through the API
    handoff = handoff_of(console, cluster.url, f"wx-{openid}")
    console.post(cluster.url, f"/api/console/handoffs/{handoff}/claim")

    for number, url in enumerate([first, second, first, second]):
        if number == 2:
            wechat_api.expire_tokens()  # WeChat no longer takes the token: one gateway refreshes, the other uses it
        assert console.post(url, f"/api/console/handoffs/{handoff}/reply", {"text": f"回复{number}"})["delivered"] is True
        if number == 1:
            assert len(wechat_api.token_requests) - fetched_before == 1  # both gateways, one token
    assert len(wechat_api.token_requests) - fetched_before == 2
    assert wechat_api.texts(openid)[-4:] == ["回复0", "回复1", "回复2", "回复3"]


def test_a_wechat_message_reaching_both_gateways_is_answered_once(cluster: Cluster, console: Console):
    first, second = gateway_urls(cluster)
    openid = OPENID[:-6] + uuid.uuid4().hex[:6]
    xml = text_xml(QUESTIONS[3], openid=openid)  # one MsgId, posted to both (WeChat's retry)
    with ThreadPoolExecutor(2) as pool:
        responses = list(pool.map(lambda url: WeChatServer(base_url=url).post(xml, timeout=60), [first, second]))
    assert [r.status_code for r in responses] == [200, 200]
    with psycopg.connect(cluster.stacks[0].extra_env["DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://")) as db:
        senders = [s for (s,) in db.execute("SELECT sender FROM messages WHERE session_id = %s ORDER BY id", (f"wx-{openid}",))]
    assert senders.count("user") == 1 and senders[0] == "user"


def test_a_form_draft_started_on_one_replica_resumes_by_code_on_the_other(cluster: Cluster):
    first, second = gateway_urls(cluster)
    applicant = ApiApplicant(cluster.url)
    text = "\n".join(m["text"] for m in applicant.say("项目要延期，帮我填延期申请表", base_url=first))
    code = CODE.search(text).group(1)
    applicant.say("基于5G的急诊救治平台", base_url=first)
    later = ApiApplicant(cluster.url)  # another session, on the other gateway and Rasa
    resumed = "\n".join(m["text"] for m in later.say(f"继续填写 {code}", base_url=second))
    assert f"编号 {code}" in resumed and "已填1项" in resumed
    shown = "\n".join(m["text"] for m in later.say("查看已填内容", base_url=first))
    assert "基于5G的急诊救治平台" in shown


def test_kill_9_of_rasa_actions_and_gateway_under_load_loses_and_doubles_nothing(cluster: Cluster):
    """Last in the module: it leaves one replica set dead (restarting Rasa costs a minute)."""
    applicants = [ApiApplicant(cluster.url) for _ in range(3)]
    rounds = 5
    sent = [0]
    lock = threading.Lock()
    pages = [Page(cluster.url, *new_session(cluster.url)) for _ in range(2)]  # round robin: one per gateway
    for page in pages:
        page.connect()
        page.send("p-1", QUESTIONS[0])
        page.read_until(lambda frame, page=page: frame.get("sender") == "bot")

    def converse(applicant: ApiApplicant) -> None:
        for number in range(rounds):
            applicant.say(QUESTIONS[number % len(QUESTIONS)])
            with lock:
                sent[0] += 1

    def when_sent(count: int) -> None:
        while sent[0] < count and any(not f.done() for f in futures):
            time.sleep(0.05)

    with ThreadPoolExecutor(len(applicants)) as pool:
        futures = [pool.submit(converse, applicant) for applicant in applicants]
        when_sent(2)
        kill_9(cluster, "rasa-1")
        when_sent(5)
        kill_9(cluster, "actions-1")
        when_sent(8)
        kill_9(cluster, "gateway-1")
        for future in futures:
            future.result()

    dropped = [page for page in pages if page.connection_lost(timeout=5)]
    assert len(dropped) == 1  # nginx's round robin put one page on each gateway
    for page in dropped:  # missed while away: its conversation went on through the API
        missed = "国家5G试点纸质材料要交几份"
        response = httpx.post(f"{cluster.url}/api/chat", json={"session_id": page.session_id, "text": missed},
                              headers={"X-Session-Token": page.token}, timeout=90)
        assert response.status_code == 200
        page.connect()  # through nginx, to the gateway that is left
        if not page.answered(missed):  # the replay may come with the welcome, or just after
            page.read_until(lambda frame, page=page: page.answered(missed))
    for page in pages:
        page.close()

    for applicant in applicants:
        stored = turns(applicant.history())
        assert [text for text, _ in stored] == [QUESTIONS[n % len(QUESTIONS)] for n in range(rounds)]
        for question, replies in stored:
            assert replies, f"{question!r} was never answered"
            assert len(replies) == len(set(replies)), f"{question!r} answered twice: {replies}"
