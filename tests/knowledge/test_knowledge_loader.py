"""knowledge.loader: the five program files load, every fact is traceable to a clause, and a
wrong file fails with a message that names the file and the field."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pydantic import BaseModel

from knowledge.loader import KnowledgeData, KnowledgeError, load_knowledge
from knowledge.models import PROGRAM_KEYS, CitationRef
from knowledge.settings import DATA_DIR
from knowledge.sources import squeeze


@pytest.fixture(scope="module")
def data() -> KnowledgeData:
    return load_knowledge()


def _citations(node: object, loc: str = "") -> Iterator[tuple[str, CitationRef]]:
    """Every CitationRef in a program, with its field path (walked independently of the loader)."""
    if isinstance(node, CitationRef):
        yield loc, node
    elif isinstance(node, BaseModel):
        for name in type(node).model_fields:
            yield from _citations(getattr(node, name), f"{loc}.{name}" if loc else name)
    elif isinstance(node, (list, tuple)):
        for index, child in enumerate(node):
            yield from _citations(child, f"{loc}.{index}")


# ---- the real files -------------------------------------------------------------------------


def test_all_five_programs_load(data: KnowledgeData) -> None:
    assert set(data.programs) == set(PROGRAM_KEYS) == {"sh5g", "nat5g", "accept", "annual", "smart"}
    assert set(data.sources) == set(PROGRAM_KEYS)
    for key, program in data.programs.items():
        assert program.key == key
        assert program.source in data.sources
        assert program.deadlines, f"{key} has no deadline"
        assert program.summary


def test_key_facts_loaded_as_typed_values(data: KnowledgeData) -> None:
    sh5g = data.programs["sh5g"]
    central = next(d for d in sh5g.deadlines if d.id == "sh5g.deadline.central")
    assert (central.end.year, central.end.month, central.end.day, central.end.hour) == (2021, 1, 19, 17)
    assert central.daily_hours == "9:00-17:00"
    assert str(sh5g.issued) == "2020-12-29"
    assert sh5g.number == "沪经信基〔2020〕1146号"
    copies = {p: [d.copies for d in data.programs[p].documents if d.copies] for p in ("sh5g", "nat5g", "smart")}
    assert 6 in copies["sh5g"] and 3 in copies["nat5g"] and 5 in copies["smart"]
    assert len(sh5g.directions) == 10
    assert len(data.programs["nat5g"].directions) == 8


def test_every_citation_quote_is_in_its_clause(data: KnowledgeData) -> None:
    checked = 0
    for program in data.programs.values():
        source = data.sources[program.source]
        for loc, ref in _citations(program):
            text = source.section_text(ref.clause)
            assert text is not None, f"{program.key}: {loc}: no clause {ref.clause!r}"
            assert squeeze(ref.quote) in squeeze(text), f"{program.key}: {loc}: quote not in {ref.clause!r}"
            checked += 1
    assert checked > 150  # every fact carries a citation


@pytest.mark.parametrize(
    ("program", "item_id", "doc", "clause", "quote_part"),
    [
        ("sh5g", "sh5g.elig.unit", "000_a6bc89e5a162244b", "三、申报要求 > （一）申报资格", "独立法人资格"),
        ("sh5g", "sh5g.sub.address", "000_a6bc89e5a162244b", "五、有关事宜 > （三）", "金港路766号"),
        ("nat5g", "nat5g.doc.copies", "001_f747ae33edc9ba62", "五、有关事宜 > （三）", "一式三份"),
        ("smart", "smart.elig.pi_basic", "003_ed6ac7d3f3aa281e", "三、申报要求 > （二）项目负责人条件", "50"),
        ("accept", "accept.deadline.upload", "002_4e25405a7b6ae7c1", "四、其他事宜 > （二）", "1月10日"),
    ],
)
def test_resolved_citation_names_document_and_clause(
    data: KnowledgeData, program: str, item_id: str, doc: str, clause: str, quote_part: str
) -> None:
    prog = data.programs[program]
    items = [i for g in ("deadlines", "eligibility", "documents", "submission", "contacts", "procedures") for i in getattr(prog, g)]
    item = next(i for i in items if i.id == item_id)
    citation = data.cite(prog, item.cite)
    assert citation.doc == doc
    assert citation.clause == clause
    assert quote_part in citation.quote
    assert citation.title == data.sources[prog.source].title
    assert squeeze(citation.quote) in squeeze(data.sources[prog.source].section_text(clause) or "")


# ---- broken copies --------------------------------------------------------------------------


@pytest.fixture
def broken(tmp_path: Path) -> Callable[[str, Callable[[str], str]], Path]:
    """Copies sources/ and programs/ into tmp_path; returns a function that rewrites one program file."""
    shutil.copytree(DATA_DIR / "sources", tmp_path / "sources")
    shutil.copytree(DATA_DIR / "programs", tmp_path / "programs")

    def corrupt(file_name: str, change: Callable[[str], str]) -> Path:
        file = tmp_path / "programs" / file_name
        original = file.read_text(encoding="utf-8")
        changed = change(original)
        assert changed != original, "the corruption did not change the file"
        file.write_text(changed, encoding="utf-8")
        return tmp_path

    return corrupt


def test_untouched_copy_loads(broken, tmp_path: Path) -> None:
    data = load_knowledge(tmp_path)
    assert set(data.programs) == set(PROGRAM_KEYS)


def test_date_that_is_not_a_date_names_file_and_field(broken) -> None:
    root = broken("sh5g.yml", lambda t: t.replace("issued: 2020-12-29", "issued: 去年年底"))
    with pytest.raises(KnowledgeError) as error:
        load_knowledge(root)
    assert "sh5g.yml" in str(error.value)
    assert "issued" in str(error.value)


def test_impossible_calendar_date_names_file_and_field(broken) -> None:
    # A typo such as 2月30日 is the most likely wrong date in a hand-edited file.
    root = broken("sh5g.yml", lambda t: t.replace("issued: 2020-12-29", "issued: 2020-02-30"))
    with pytest.raises(KnowledgeError) as error:
        load_knowledge(root)
    assert "sh5g.yml" in str(error.value)
    assert "issued" in str(error.value)


def test_bad_deadline_datetime_names_field_path(broken) -> None:
    root = broken("sh5g.yml", lambda t: t.replace("    end: 2021-01-19T17:00", "    end: 2021-01-32T17:00"))
    with pytest.raises(KnowledgeError) as error:
        load_knowledge(root)
    assert "sh5g.yml" in str(error.value)
    assert "deadlines.0.end" in str(error.value)


def test_quote_not_in_clause_names_field_path(broken) -> None:
    root = broken(
        "sh5g.yml",
        lambda t: t.replace("quote: 集中受理截止时间：2021年1月15日", "quote: 集中受理截止时间：2021年1月25日"),
    )
    with pytest.raises(KnowledgeError) as error:
        load_knowledge(root)
    message = str(error.value)
    assert "sh5g.yml" in message
    assert "deadlines.0.cite" in message
    assert "quote" in message


def test_clause_that_does_not_exist_is_named(broken) -> None:
    root = broken(
        "nat5g.yml",
        lambda t: t.replace("clause: 三、申报要求 > （一）申报资格", "clause: 三、申报要求 > （九）不存在的条款", 1),
    )
    with pytest.raises(KnowledgeError) as error:
        load_knowledge(root)
    message = str(error.value)
    assert "nat5g.yml" in message
    assert "（九）不存在的条款" in message
    assert "eligibility.0.cite" in message


def test_duplicate_id_is_named(broken) -> None:
    root = broken("sh5g.yml", lambda t: t.replace("id: sh5g.elig.limit", "id: sh5g.elig.unit"))
    with pytest.raises(KnowledgeError) as error:
        load_knowledge(root)
    message = str(error.value)
    assert "sh5g.yml" in message
    assert "sh5g.elig.unit" in message
    assert "duplicate" in message


def test_a_deadline_following_an_unknown_one_is_named(broken) -> None:
    root = broken("annual.yml", lambda t: t.replace("follows: annual.deadline.build", "follows: annual.deadline.built"))
    with pytest.raises(KnowledgeError) as error:
        load_knowledge(root)
    assert "annual.yml" in str(error.value)
    assert "annual.deadline.built" in str(error.value)


def test_invalid_yaml_names_file(broken) -> None:
    root = broken("smart.yml", lambda t: t.replace("deadlines:\n", "deadlines:\n  - id: [unclosed\n", 1))
    with pytest.raises(KnowledgeError) as error:
        load_knowledge(root)
    assert "smart.yml" in str(error.value)
    assert "YAML" in str(error.value)


def test_unknown_field_is_rejected(broken) -> None:
    root = broken("accept.yml", lambda t: t.replace("\nissued:", "\nissue_date: 2024-01-22\nissued:", 1))
    with pytest.raises(KnowledgeError) as error:
        load_knowledge(root)
    assert "accept.yml" in str(error.value)
    assert "issue_date" in str(error.value)


def test_key_must_match_file_name(broken) -> None:
    root = broken("annual.yml", lambda t: t.replace("key: annual", "key: accept", 1))
    with pytest.raises(KnowledgeError) as error:
        load_knowledge(root)
    assert "annual.yml" in str(error.value)
    assert "key" in str(error.value)


def test_missing_program_file_is_named(broken, tmp_path: Path) -> None:
    (tmp_path / "programs" / "smart.yml").unlink()
    with pytest.raises(KnowledgeError) as error:
        load_knowledge(tmp_path)
    assert "smart.yml" in str(error.value)
