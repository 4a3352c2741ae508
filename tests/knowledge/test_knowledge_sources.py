"""knowledge.sources: the cleaned notices parse into named clauses, carry their front matter, and
keep none of the extraction noise of the raw texts (PDF glyph garbage, HTML, page furniture)."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from knowledge.settings import DATA_DIR
from knowledge.sources import SourceFormatError, load_sources, parse_source

SOURCES_DIR = DATA_DIR / "sources"
SOURCE_FILES = sorted(SOURCES_DIR.glob("*.md"))
EXPECTED_DOCS = {
    "sh5g": "000_a6bc89e5a162244b",
    "nat5g": "001_f747ae33edc9ba62",
    "accept": "002_4e25405a7b6ae7c1",
    "smart": "003_ed6ac7d3f3aa281e",
    "annual": "004_c26b485ef90ae7e3",
}


def test_one_cleaned_source_per_program() -> None:
    assert {p.stem for p in SOURCE_FILES} == set(EXPECTED_DOCS)


@pytest.mark.parametrize("path", SOURCE_FILES, ids=lambda p: p.stem)
def test_front_matter_fields_present(path: Path) -> None:
    source = parse_source(path)
    assert source.key == path.stem
    assert source.doc == EXPECTED_DOCS[path.stem]
    assert source.title and "通知" in source.title
    assert source.meta.get("issuer")
    assert source.meta.get("issued")
    assert source.clauses, "no clause parsed"


@pytest.mark.parametrize(
    ("key", "clause", "contains"),
    [
        ("sh5g", "三、申报要求 > （一）申报资格", "独立法人资格的企事业单位"),
        ("sh5g", "五、有关事宜 > （三）", "金港路766号"),
        ("sh5g", "附件1 上海市5G+医疗健康应用试点项目建议方向 > （九）5G+远程查房", "远程查房"),
        ("sh5g", "附件2 5G+医疗健康应用试点项目申报书 > 填表须知", "骑缝章"),
        ("nat5g", "三、申报要求 > （一）申报资格", "中华人民共和国境内注册"),
        ("nat5g", "五、有关事宜 > （三）", "一式三份"),
        ("accept", "三、验收程序 > （一）自查自评", "2024年1月10日"),
        ("smart", "三、申报要求 > （二）项目负责人条件", "50"),
        ("smart", "四、申报方式 > （二）申报材料", "一式五份"),
        ("annual", "加强项目过程管理", "9月30日"),
    ],
)
def test_key_clauses_exist_with_their_text(key: str, clause: str, contains: str) -> None:
    source = parse_source(SOURCES_DIR / f"{key}.md")
    found = source.clause(clause)
    assert found is not None, f"{clause!r} not in {source.clause_names()}"
    assert found.name == clause
    assert contains in re.sub(r"\s+", "", found.text)


def test_clause_paths_leave_out_the_document_title() -> None:
    source = parse_source(SOURCES_DIR / "sh5g.md")
    assert all(source.title not in c.path for c in source.clauses)
    assert source.clause_names()[0] == "正文"


def test_section_text_includes_sub_clauses() -> None:
    source = parse_source(SOURCES_DIR / "sh5g.md")
    section = source.section_text("三、申报要求")
    assert section is not None
    assert "（一）申报资格" in section and "（二）申报团队" in section
    assert "联合单位不超过8家" in section
    assert source.section_text("九、不存在") is None


# Characters a cleaned Chinese notice may contain: ASCII, CJK ideographs, CJK and full-width
# punctuation, curly quotes, dashes, and the check boxes of the application forms.
_ALLOWED_EXTRA = set("“”‘’—–…·×□■√≤≥±%‰①②③④⑤⑥⑦⑧⑨⑩")


def _is_clean_char(ch: str) -> bool:
    return (
        ch.isascii()
        or "\u4e00" <= ch <= "\u9fff"  # CJK unified ideographs (the extension-A block is PDF noise here)
        or "\u3000" <= ch <= "\u303f"  # CJK punctuation
        or "\uff00" <= ch <= "\uffef"  # full-width forms
        or ch in _ALLOWED_EXTRA
    )


@pytest.mark.parametrize("path", SOURCE_FILES, ids=lambda p: p.stem)
def test_no_glyph_noise_left(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    noise = sorted({ch for ch in text if not _is_clean_char(ch)})
    assert not noise, [f"{ch} U+{ord(ch):04X} {unicodedata.name(ch, '?')}" for ch in noise]
    assert "\ufffd" not in text
    assert not [ch for ch in text if unicodedata.category(ch) in ("Co", "Cn", "Cs")]


@pytest.mark.parametrize("path", SOURCE_FILES, ids=lambda p: p.stem)
def test_no_html_or_page_furniture_left(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"</?[a-zA-Z][^>]*>", text), "HTML tag left"
    assert "<!--" not in text
    assert not re.search(r"&(nbsp|amp|lt|gt|quot|#\d+);", text), "HTML entity left"
    for furniture in ("扫一扫在手机打开当前页", "cms-style", "appendQr", "sinaimg", "责任编辑"):
        assert furniture not in text


def test_glyph_garbage_of_the_raw_acceptance_notice_is_gone() -> None:
    text = (SOURCES_DIR / "accept.md").read_text(encoding="utf-8")
    for garbage in ("пȽ", "ȽެԌ", "䈋⛯", "㓺㓽"):
        assert garbage not in text
    # The headings lost to glyph noise were recovered.
    names = parse_source(SOURCES_DIR / "accept.md").clause_names()
    assert any(n.startswith("一、验收依据") for n in names)
    assert any(n.startswith("二、验收范围") for n in names)


def test_file_without_front_matter_is_rejected(tmp_path: Path) -> None:
    file = tmp_path / "bad.md"
    file.write_text("# 标题\n\n## 正文\n\n内容。\n", encoding="utf-8")
    with pytest.raises(SourceFormatError) as error:
        parse_source(file)
    assert "bad.md" in str(error.value)


def test_front_matter_missing_doc_is_rejected(tmp_path: Path) -> None:
    file = tmp_path / "nodoc.md"
    file.write_text("---\nkey: x\ntitle: 某通知\n---\n# 某通知\n\n## 正文\n\n内容。\n", encoding="utf-8")
    with pytest.raises(SourceFormatError) as error:
        parse_source(file)
    assert "doc" in str(error.value)
    assert "nodoc.md" in str(error.value)


def test_load_sources_keys_by_front_matter_key() -> None:
    sources = load_sources(SOURCES_DIR)
    assert set(sources) == set(EXPECTED_DOCS)
    assert {s.doc for s in sources.values()} == set(EXPECTED_DOCS.values())
