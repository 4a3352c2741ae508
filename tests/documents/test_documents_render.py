"""The exported documents as an office sees them: each form filled with its examples, rendered by
LibreOffice (headless) to PDF once per module, then read back with poppler (pdftotext).

Checks what a clerk would notice: the page count and what stands on which page (cover alone,
填表须知 alone, each attachment on its own page), every entered value on paper, codes unbroken on
one line, the cover centred with its guidance lines at the foot, page numbers from page 2.
Screenshots of every page: var/documents/<form>-<page>.png. LibreOffice and poppler-utils come
from scripts/install_libreoffice.sh (run by setup)."""
from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from knowledge.forms.export import CHECKED, display, export_docx
from knowledge.forms.loader import get_forms
from knowledge.forms.schema import FieldSpec, FormSchema

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "var" / "documents"
FORMS = get_forms()
PAGE_COUNTS = {  # cover, 填表须知, the form, 附件2-1, 附件2-2 for the applications; one page for the others
    "sh5g_application": 6, "nat5g_application": 5, "accept_application": 1, "accept_extension": 1, "accept_results": 1,
}
SECOND_PARTNER = {"partner_name": "上海某某软件有限公司", "partner_nature": "软件企业", "partner_code": "91310115MA1FL8L96T"}


def example_value(spec: FieldSpec) -> Any:
    if spec.choices and spec.example not in spec.choices:  # nat5g shares sh5g's fields, not its directions
        return spec.choices[1]
    if spec.is_group:
        first = {sub.key: sub.example for sub in spec.fields}
        return [first, {key: SECOND_PARTNER.get(key, first[key]) for key in first}]
    return spec.example


def example_values(form: FormSchema) -> dict[str, Any]:
    """Every field filled with the schema's own example (two partners where there are partners)."""
    return {spec.key: example_value(spec) for spec in form.asked_fields()}


def shown_values(form: FormSchema, values: dict[str, Any]) -> list[str]:
    """What must stand on paper: each value as printed, a group's values item by item."""
    shown: list[str] = []
    for spec in form.asked_fields():
        value = values[spec.key]
        if spec.is_group:
            shown += [display(sub, item[sub.key]) for item in value for sub in spec.fields]
        elif spec.kind == "choice" and spec.choices_from:
            shown.append(f"{CHECKED}")  # the ticked box; the name itself is checked below
            shown.append(display(spec, value))
        else:
            shown.append(display(spec, value))
    return [text for text in shown if text]


@dataclass
class Rendered:
    pdf: Path
    pages: list[str]  # pdftotext in reading order (a cell's lines together), one entry per page
    layout_pages: list[str]  # pdftotext -layout: the lines as they stand across the page

    def squeezed(self, page: int | None = None) -> str:
        text = "".join(self.pages) if page is None else self.pages[page]
        return re.sub(r"\s+", "", text)


def _run(*command: str | Path) -> str:
    return subprocess.run([str(part) for part in command], capture_output=True, text=True, check=True, timeout=180).stdout


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Rendered]:
    """All five forms exported with their examples and converted in one LibreOffice run."""
    missing = [tool for tool in ("soffice", "pdftotext", "pdftoppm") if shutil.which(tool) is None]
    assert not missing, f"{missing} missing: run scripts/install_libreoffice.sh"
    folder = tmp_path_factory.mktemp("documents")
    documents = [export_docx(form, example_values(form), folder / f"{form_id}.docx") for form_id, form in FORMS.items()]
    profile = folder / "libreoffice-profile"  # its own profile: never clashes with another soffice
    _run("soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
         "--outdir", folder, *documents)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    result = {}
    for form_id in FORMS:
        pdf = folder / f"{form_id}.pdf"
        for old in SCREENSHOTS.glob(f"{form_id}-*.png"):
            old.unlink()
        _run("pdftoppm", "-r", "60", "-png", pdf, SCREENSHOTS / form_id)
        result[form_id] = Rendered(pdf, _run("pdftotext", pdf, "-").split("\f")[:-1],
                                   _run("pdftotext", "-layout", pdf, "-").split("\f")[:-1])
    return result


@pytest.mark.parametrize("form_id", sorted(FORMS))
def test_page_count_and_screenshots(rendered: dict[str, Rendered], form_id: str) -> None:
    assert len(rendered[form_id].pages) == PAGE_COUNTS[form_id]
    assert len(list(SCREENSHOTS.glob(f"{form_id}-*.png"))) == PAGE_COUNTS[form_id]


def wrapped_texts(pdf: Path, pages: int) -> list[str]:
    """The text of each wrapped paragraph or table cell: a line joined with the lines right below
    it that overlap it across the page (pdftotext's own order interleaves neighbouring cells)."""
    texts: list[str] = []
    for page in range(1, pages + 1):
        _, _, lines = _lines(pdf, page)
        joined = [False] * len(lines)
        for start, line in enumerate(lines):
            if joined[start]:
                continue
            chain, current = [line.text], line
            while below := next((n for n, other in enumerate(lines) if not joined[n] and other is not current
                                 and current.bottom - 2 <= other.top <= current.bottom + (current.bottom - current.top) * 0.6
                                 and other.left < current.right and current.left < other.right), None):
                joined[below], current = True, lines[below]
                chain.append(current.text)
            texts.append("".join(chain))
    return texts


@pytest.mark.parametrize("form_id", sorted(FORMS))
def test_every_entered_value_is_on_paper(rendered: dict[str, Rendered], form_id: str) -> None:
    form = FORMS[form_id]
    document = rendered[form_id]
    texts = [re.sub(r"\s+", "", text) for text in wrapped_texts(document.pdf, len(document.pages))]
    missing = [value for value in shown_values(form, example_values(form))
               if not any(re.sub(r"\s+", "", value) in text for text in texts)]
    assert missing == []


@pytest.mark.parametrize("form_id", sorted(set(FORMS) - {"accept_results"}))  # the results table has no codes
def test_codes_phones_and_e_mails_on_one_line(rendered: dict[str, Rendered], form_id: str) -> None:
    form = FORMS[form_id]
    values = example_values(form)
    lines = "\n".join(rendered[form_id].layout_pages).splitlines()
    codes = [str(values[spec.key]) for spec in form.asked_fields() if spec.kind in ("org_code", "email", "phone", "mobile")]
    codes += [item["partner_code"] for item in values.get("partners", []) if "partner_code" in item]
    assert codes and all(any(code in line for line in lines) for code in codes)


@dataclass(frozen=True)
class Line:
    text: str
    left: float
    right: float
    top: float
    bottom: float


def _lines(pdf: Path, page: int) -> tuple[float, float, list[Line]]:
    """Page width, height (points) and its lines with their boxes, from pdftotext -bbox-layout."""
    xhtml = _run("pdftotext", "-bbox-layout", "-f", str(page), "-l", str(page), pdf, "-")
    root = ET.fromstring(xhtml.replace(' xmlns="http://www.w3.org/1999/xhtml"', ""))
    page_node = root.find(".//page")
    assert page_node is not None
    lines = [
        Line("".join(word.text or "" for word in line.iter("word")),
             *(float(line.get(edge, 0)) for edge in ("xMin", "xMax", "yMin", "yMax")))
        for line in root.iter("line")
    ]
    return float(page_node.get("width", 0)), float(page_node.get("height", 0)), lines


@pytest.mark.parametrize("form_id", ["sh5g_application", "nat5g_application"])
def test_cover_is_centred_with_the_guidance_at_its_foot(rendered: dict[str, Rendered], form_id: str) -> None:
    form = FORMS[form_id]
    width, height, lines = _lines(rendered[form_id].pdf, 1)
    centre = {line.text: ((line.left + line.right) / 2, line.top) for line in lines}
    values = example_values(form)
    for text in (form.title, values["unit_name"], "2021年1月15日", "工业和信息化部、国家卫生健康委员会指导", "中国信息通信研究院编制"):
        x, _ = centre[text]
        assert abs(x - width / 2) < 3, f"{text} is not centred: {x:.1f} of {width:.1f}"
    assert centre["中国信息通信研究院编制"][1] > height * 0.7  # at the foot
    assert "（加盖单位公章）" in rendered[form_id].squeezed(0)
    assert "填表须知" not in rendered[form_id].squeezed(0)


def test_instructions_alone_on_page_two_and_the_form_from_page_three(rendered: dict[str, Rendered]) -> None:
    sh5g = rendered["sh5g_application"]
    assert sh5g.squeezed(1).startswith("填表须知一、申报单位应仔细阅读")
    assert sh5g.squeezed(1).endswith("三、申报书打印要求：正反面打印。—2—")  # nothing else on the page
    assert sh5g.squeezed(2).startswith("一、申报单位和申报项目基本情况申报单位名称")


def test_page_numbers_from_page_two(rendered: dict[str, Rendered]) -> None:
    pages = rendered["sh5g_application"].layout_pages
    assert not re.search(r"—\s*1\s*—", pages[0])
    for number, page in enumerate(pages[1:], 2):
        assert re.search(rf"—\s*{number}\s*—$", page.rstrip())


@pytest.mark.parametrize("form_id", ["sh5g_application", "nat5g_application"])
def test_attachments_each_on_their_own_page(rendered: dict[str, Rendered], form_id: str) -> None:
    document, values = rendered[form_id], example_values(FORMS[form_id])
    checklist, declaration = document.squeezed(-2), document.squeezed(-1)
    assert checklist.startswith("附件2-1申报单位相关证明材料证明材料已附一、申报单位相关荣誉证明材料")
    assert checklist.count("□") == 4
    assert declaration.startswith("附件2-2申报主体责任声明")
    assert f"我单位提交了{values['project_name']}项目参评" in declaration
    assert "法定代表人：（签字）" in declaration and f"单位（单位盖章）：{values['unit_name']}" in declaration


def test_acceptance_forms_signature_and_stamp_lines_below_the_table(rendered: dict[str, Rendered]) -> None:
    for form_id in ("accept_application", "accept_extension"):
        page = rendered[form_id].pages[0]
        assert "负责人（签名）" in page and "申报主体单位（盖章）" in page
        assert page.index("负责人（签名）") > page.index("项目负责人")
