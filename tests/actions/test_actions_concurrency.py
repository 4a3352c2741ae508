"""The action server answers several requests at once (issue 13): every action runs on a bounded
pool of worker threads, not on rasa-sdk's event loop, and the knowledge base answers from several
threads at once with the same answers as one at a time."""

from __future__ import annotations

import asyncio
import importlib
import pkgutil
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from rasa_sdk import Action
from rasa_sdk.executor import ActionExecutor, CollectingDispatcher
from rasa_sdk.utils import all_subclasses

import actions
from knowledge.api import get_knowledge
from rasa_extensions.action_server import ActionServerSettings, offload_actions

TRACKER = {"sender_id": "t", "slots": {}, "latest_message": {"text": "hi", "intent": {}, "entities": []},
           "events": [], "paused": False, "followup_action": None, "active_loop": {}, "latest_action_name": None}


def call(name: str) -> dict[str, Any]:
    return {"next_action": name, "sender_id": "t", "tracker": TRACKER, "domain": {}, "version": "3.6.0"}


class Waiter(Action):
    """Waits (at most 10 s) for the other action; says whether it came while this one ran."""

    def __init__(self, arrived: threading.Event) -> None:
        self.arrived = arrived

    def name(self) -> str:
        return "action_wait"

    def run(self, dispatcher: CollectingDispatcher, tracker: Any, domain: Any) -> list[dict]:
        dispatcher.utter_message(text="the other came" if self.arrived.wait(10) else "alone")
        return []


class Arriver(Action):
    def __init__(self, arrived: threading.Event) -> None:
        self.arrived = arrived

    def name(self) -> str:
        return "action_arrive"

    def run(self, dispatcher: CollectingDispatcher, tracker: Any, domain: Any) -> list[dict]:
        self.arrived.set()
        dispatcher.utter_message(text=threading.current_thread().name)
        return []


class AsyncThread(Action):
    def name(self) -> str:
        return "action_async_thread"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Any, domain: Any) -> list[dict]:
        await asyncio.sleep(0)
        dispatcher.utter_message(text=threading.current_thread().name)
        return []


def executor_with(*registered: Action) -> ActionExecutor:
    executor = ActionExecutor()
    for action in registered:
        executor.register_action(action)
    return executor


async def both(executor: ActionExecutor) -> tuple[Any, Any]:
    first = asyncio.ensure_future(executor.run(call("action_wait")))
    await asyncio.sleep(0.05)  # the first is running when the second arrives
    second = asyncio.ensure_future(executor.run(call("action_arrive")))
    return await first, await second


def test_a_second_request_is_answered_while_the_first_still_runs() -> None:
    arrived = threading.Event()
    executor = executor_with(Waiter(arrived), Arriver(arrived))
    pool = offload_actions(executor, threads=4)
    try:
        waited, arrived_reply = asyncio.run(both(executor))
    finally:
        pool.shutdown()
    assert waited.responses[0]["text"] == "the other came"
    assert arrived_reply.responses[0]["text"].startswith("action")  # a worker thread, not the loop's


def test_coroutine_actions_run_on_a_worker_too() -> None:
    executor = executor_with(AsyncThread())
    pool = offload_actions(executor, threads=1)
    try:
        reply = asyncio.run(executor.run(call("action_async_thread")))
    finally:
        pool.shutdown()
    assert reply.responses[0]["text"].startswith("action")


def test_the_pool_size_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACTION_SERVER_THREADS", "2")
    assert ActionServerSettings().action_server_threads == 2
    monkeypatch.setenv("ACTION_SERVER_THREADS", "0")
    with pytest.raises(ValueError):
        ActionServerSettings()


def test_every_project_action_is_offloaded() -> None:
    for module in pkgutil.walk_packages(actions.__path__, prefix="actions."):
        importlib.import_module(module.name)
    project_actions = [cls for cls in all_subclasses(Action) if cls.__module__.startswith("actions.")]
    executor = executor_with(*(cls() for cls in project_actions))
    pool = offload_actions(executor, threads=1)
    pool.shutdown()
    assert executor.actions and all(asyncio.iscoroutinefunction(f) for f in executor.actions.values())


QUESTIONS = [
    "上海5G医疗试点材料最晚什么时候交", "国家5G试点纸质材料几份", "智慧医疗专项负责人年龄要求",
    "验收资料上传网址是什么", "上海5G试点联系人电话", "国家5G试点有哪些方向", "年度总结报告交给谁审核",
    "我们是民营医院能牵头智慧医疗专项吗", "联合单位最多几家", "项目延期怎么办", "国家那个几点前送到",
    "智慧医疗专项和上海5G试点书面材料截止时间一样吗",
]


def test_the_knowledge_base_gives_the_same_answers_from_several_threads() -> None:
    knowledge = get_knowledge()
    alone = {q: knowledge.answer(q).text for q in QUESTIONS}
    with ThreadPoolExecutor(max_workers=6) as pool:
        together = list(pool.map(lambda q: (q, knowledge.answer(q).text), QUESTIONS * 4))
    assert all(text == alone[q] for q, text in together)
