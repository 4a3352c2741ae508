"""Every custom action the domain declares is implemented in actions/, and every action class in
actions/ is declared in the domain (Rasa would otherwise fail at run time, not at training)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

import yaml
from rasa_sdk import Action

import actions

DOMAIN_DIR = Path(__file__).resolve().parents[2] / "bot" / "domain"


def domain_actions() -> set[str]:
    names: set[str] = set()
    for file in sorted(DOMAIN_DIR.glob("*.yml")):
        content = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        names.update(content.get("actions") or [])
    return names


def registered_actions() -> dict[str, type]:
    found: dict[str, type] = {}
    for module_info in pkgutil.walk_packages(actions.__path__, prefix="actions."):
        module = importlib.import_module(module_info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Action) and cls.__module__ == module.__name__ and not inspect.isabstract(cls):
                name = cls().name()
                assert name not in found or found[name] is cls, f"two classes register {name}"
                found[name] = cls
    return found


def test_domain_files_found() -> None:
    assert list(DOMAIN_DIR.glob("*.yml"))
    assert "action_answer_question" in domain_actions()


def test_every_domain_action_is_implemented() -> None:
    missing = {name for name in domain_actions() if not name.startswith("utter_")} - set(registered_actions())
    assert not missing, f"declared in bot/domain but not implemented: {sorted(missing)}"


def test_every_action_class_is_declared_in_the_domain() -> None:
    undeclared = set(registered_actions()) - domain_actions()
    assert not undeclared, f"implemented but not in bot/domain actions: {sorted(undeclared)}"


def test_expected_actions_present() -> None:
    assert {"action_answer_question", "action_out_of_scope", "action_fallback", "action_request_human"} <= set(registered_actions())
