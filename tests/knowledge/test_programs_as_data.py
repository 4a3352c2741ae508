"""Programs are data: a sixth notice is a cleaned source, a program file and (optionally) its
eligibility pre-check — no code change.

A made-up notice (tests/knowledge/programs_as_data/: 上海市数字健康示范项目申报, with a deadline, an
eligibility and a contact clause) is added to a copy of the real data folder; the library,
configured with KNOWLEDGE_DATA_DIR, answers about it with citations, and everything the gateway
and the action server list (API enum, FAQ labels, buttons, scope sentence, pre-check menu) names
it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from actions.forms.application import eligibility_only
from knowledge.reply import Reply
from knowledge.api import KnowledgeBase
from knowledge.forms.eligibility import load_checks
from knowledge.forms.loader import load_forms
from knowledge.loader import KnowledgeData, KnowledgeError, load_knowledge
from knowledge.programs import families, scope_sentence
from knowledge.settings import DATA_DIR, REPO_DIR, get_settings

MADE_UP = Path(__file__).parent / "programs_as_data"
KEY = "digital"
DOC = "900_fictional_digital_health"
REAL_KEYS = ["sh5g", "nat5g", "accept", "annual", "smart"]


def _data_folder_with_made_up_program(root: Path) -> Path:
    """The real data folder plus the made-up notice's files, nothing else changed."""
    shutil.copytree(DATA_DIR, root)
    for file in MADE_UP.rglob("*.*"):
        target = root / file.relative_to(MADE_UP)
        assert not target.exists(), f"{target} would replace a real file"
        shutil.copy(file, target)
    return root


@pytest.fixture(scope="module")
def data_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _data_folder_with_made_up_program(tmp_path_factory.mktemp("knowledge") / "data")


@pytest.fixture(scope="module")
def data(data_root: Path) -> KnowledgeData:
    return load_knowledge(data_root)


@pytest.fixture(scope="module")
def kb(data_root: Path) -> Iterator[KnowledgeBase]:
    """The library as the processes load it, pointed at the copy through KNOWLEDGE_DATA_DIR.
    Lexical retrieval only: the offline embedding model is trained for the shipped data."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KNOWLEDGE_DATA_DIR", str(data_root))
        get_settings.cache_clear()
        try:
            yield KnowledgeBase.load(with_embeddings=False)
        finally:
            patch.undo()
            get_settings.cache_clear()


def _clauses(reply: Reply) -> list[tuple[str, str]]:
    return [(citation.doc, citation.clause) for citation in reply.citations]


# ---- loading -----------------------------------------------------------------------------------


def test_the_made_up_program_loads_after_the_five_in_its_files_order(data: KnowledgeData) -> None:
    assert list(data.programs) == [*REAL_KEYS, KEY]
    program = data.programs[KEY]
    assert program.label == "上海数字健康示范项目申报"
    assert program.scope_text == program.short_name == "上海市数字健康示范项目"  # defaults to short_name


def test_the_shipped_files_derive_what_used_to_be_written_in_code() -> None:
    programs = load_knowledge(DATA_DIR).programs
    assert {key: program.label for key, program in programs.items()} == {
        "sh5g": "上海5G+医疗健康试点申报",
        "nat5g": "国家5G+医疗健康试点申报",
        "accept": "上海5G+医疗健康试点验收",
        "annual": "上海5G+医疗健康试点年度工作",
        "smart": "上海智慧医疗专项研究",
    }
    assert scope_sentence(programs) == (
        "我可以解答上海市/国家5G+医疗健康应用试点（申报、验收、年度总结）和上海市智慧医疗专项研究项目的"
        "截止时间、申报条件、材料、方向、报送方式、联系人和流程。"
    )
    pilot = families(programs)["5g-pilot"]
    assert (pilot.members, pilot.applications, pilot.overriding) == (
        ("sh5g", "nat5g", "accept", "annual"), ("sh5g", "nat5g"), ("accept", "annual"),
    )


# ---- answers through the library ---------------------------------------------------------------


@pytest.mark.parametrize("question", ["上海市数字健康示范项目申报什么时候截止", "数字健康示范项目网上申报最晚几号"])
def test_a_deadline_question_is_answered_from_its_clause(kb: KnowledgeBase, question: str) -> None:
    reply = kb.answer(question)
    assert reply.kind == "answer" and reply.programs == [KEY]
    assert "2025年5月20日17:00" in reply.text
    assert _clauses(reply) == [(DOC, "二、申报时间")]


@pytest.mark.parametrize("question", ["哪些单位可以申报数字健康示范项目", "我们是一级医院，能报数字健康示范项目吗"])
def test_an_eligibility_question_is_answered_from_its_clause(kb: KnowledgeBase, question: str) -> None:
    reply = kb.answer(question)
    assert reply.kind == "answer" and reply.programs == [KEY]
    assert "二级及以上医疗机构" in reply.text
    assert (DOC, "一、申报条件") in _clauses(reply)


@pytest.mark.parametrize("question", ["数字健康示范项目的联系人是谁", "数字健康示范项目有问题打什么电话"])
def test_a_contact_question_is_answered_from_its_clause(kb: KnowledgeBase, question: str) -> None:
    reply = kb.answer(question)
    assert reply.kind == "answer" and reply.programs == [KEY]
    assert "周明远" in reply.text and "021-55550123" in reply.text
    assert _clauses(reply) == [(DOC, "三、联系方式")]


def test_the_real_programs_are_still_answered_beside_it(kb: KnowledgeBase) -> None:
    reply = kb.answer("智慧医疗专项联系人是谁")
    assert reply.programs == ["smart"] and "顾青青" in reply.text


def test_which_program_buttons_and_the_scope_sentence_name_it(kb: KnowledgeBase) -> None:
    clarify = kb.answer("申报什么时候截止")
    assert clarify.kind == "clarify"
    assert [button.payload for button in clarify.buttons][-1] == '/inform_program{"program":"digital"}'
    assert "和上海市数字健康示范项目的截止时间" in kb.composer.out_of_scope().text


def test_a_form_less_program_with_a_pre_check_is_offered_as_one(data_root: Path, data: KnowledgeData) -> None:
    checks = load_checks(data_root, knowledge=data)
    forms = load_forms(data_root, knowledge=data)
    assert eligibility_only(data.programs, checks, forms.values()) == {
        "smart": "上海市智慧医疗专项研究项目",
        KEY: "上海市数字健康示范项目",
    }


# ---- what the gateway exposes --------------------------------------------------------------------

_GATEWAY_PROBE = """
import json, sys
from fastapi.testclient import TestClient
from gateway.app import create_app
from gateway.routers.faq import PROGRAM_LABELS
from gateway.settings import Settings

app = create_app(Settings(database_url=sys.argv[1], preload_knowledge=False))
with TestClient(app) as client:
    config = client.get("/api/config").json()
print(json.dumps({
    "enum": app.openapi()["components"]["schemas"]["ProgramKey"]["enum"],
    "labels": PROGRAM_LABELS,
    "config": config["programs"],
}, ensure_ascii=False))
"""


def test_the_gateway_lists_it_in_its_program_enum_faq_labels_and_web_config(data_root: Path, tmp_path: Path) -> None:
    # A fresh process: the API's enum is built from the program files when the gateway is imported.
    env = {**os.environ, "KNOWLEDGE_DATA_DIR": str(data_root), "VAR_DIR": str(tmp_path / "var")}
    database = f"sqlite:///{tmp_path / 'persistence.database'}"
    run = subprocess.run(
        [sys.executable, "-c", _GATEWAY_PROBE, database], cwd=REPO_DIR, env=env, capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    exposed = json.loads(run.stdout.strip().splitlines()[-1])
    assert exposed["enum"] == [*REAL_KEYS, KEY]
    assert exposed["labels"][KEY] == "上海数字健康示范项目申报"
    assert {"key": KEY, "label": "上海数字健康示范项目申报"} in exposed["config"]


# ---- a wrong program file names itself and its field -------------------------------------------


@pytest.fixture
def copy_root(tmp_path: Path) -> Path:
    return _data_folder_with_made_up_program(tmp_path / "data")


def _edit(root: Path, relative: str, old: str, new: str) -> Path:
    file = root / relative
    text = file.read_text(encoding="utf-8")
    assert old in text, f"'{old}' is not in {relative}"
    file.write_text(text.replace(old, new, 1), encoding="utf-8")
    return root


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("order: 60", "order: 第六", "order"),
        ("key: digital", "key: Digital Health", "key"),
        ("label: 上海数字健康示范项目申报", "label: ''", "label"),
        ("source: digital", "source: digital\nfamily: {key: 5g-pilot, role: leading}", "family.role"),
        ("source: digital", "source: digital\nrelated: [sh5g, smartt]", "related.1"),
    ],
)
def test_a_wrong_program_file_is_named_with_its_field(copy_root: Path, old: str, new: str, field: str) -> None:
    with pytest.raises(KnowledgeError) as error:
        load_knowledge(_edit(copy_root, "programs/digital.yml", old, new))
    assert "digital.yml" in str(error.value) and field in str(error.value)


def test_a_source_without_its_program_file_is_named(copy_root: Path) -> None:
    (copy_root / "programs" / "digital.yml").unlink()
    with pytest.raises(KnowledgeError, match=r"sources/digital\.md.*programs/digital\.yml"):
        load_knowledge(copy_root)


def test_a_family_named_generically_needs_an_application_notice(copy_root: Path) -> None:
    family = "family: {key: digital-health, role: overriding, generic_words: [数字健康]}"
    root = _edit(copy_root, "programs/digital.yml", "source: digital", f"source: digital\n{family}")
    with pytest.raises(KnowledgeError, match=r"digital\.yml: family\.role"):
        load_knowledge(root)
