"""Place names of China's administrative divisions (provinces, cities, districts, counties): which
are in Shanghai. Read from the adcode table the `cpca` package ships (MIT); only the table is used
(cpca's own matcher loads it through pkg_resources, which recent setuptools no longer has)."""
from __future__ import annotations

import csv
import importlib.util
import re
from functools import lru_cache
from pathlib import Path

SHANGHAI_ADCODE_PREFIX = "31"
_SUFFIX = re.compile(r"(?:特别行政区|维吾尔自治区|壮族自治区|回族自治区|自治区|自治州|自治县|新区|省|市|区|县|盟|旗)$")
# Short forms that are ordinary words or shared by many places, not a place an applicant names.
_GENERIC = re.compile(r"市辖|城区|郊区|矿区|新区|高新|开发|经济|工业|园区|新城|技术|管理|示范|自治|城关|市中|省直|县级")


def _adcode_table() -> Path:
    spec = importlib.util.find_spec("cpca")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the cpca package (administrative divisions table) is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "resources" / "adcodes.csv"


@lru_cache(maxsize=1)
def place_names() -> tuple[frozenset[str], frozenset[str]]:
    """(names in Shanghai, names elsewhere in China), each full (昆山市) and short (昆山)."""
    shanghai: set[str] = set()
    elsewhere: set[str] = set()
    with _adcode_table().open(encoding="utf-8") as table:
        for row in csv.DictReader(table):
            name = row["name"].strip()
            short = _SUFFIX.sub("", name)
            names = {name} | ({short} if len(short) >= 2 and not _GENERIC.search(short) else set())
            if _GENERIC.search(name):
                names.discard(name)
            (shanghai if row["adcode"].startswith(SHANGHAI_ADCODE_PREFIX) else elsewhere).update(names)
    return frozenset(shanghai), frozenset(elsewhere - shanghai)  # 普陀, 长宁: Shanghai's when both


_UNIT = r"(?:医院|公司|企业|单位|中心|高校|大学|学院|机构|研究所|卫生院)"
_REGISTERED = r"(?:注册|设立|成立|登记)"


@lru_cache(maxsize=1)
def _place_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    def pattern(names: frozenset[str]) -> re.Pattern[str]:
        alternatives = "|".join(sorted(map(re.escape, names), key=lambda name: (-len(name), name)))
        # "昆山注册的", "在义乌市的一家公司", "江苏一家三甲医院"; not "瑞金医院" (a hospital's name)
        return re.compile(
            rf"(?:{alternatives})[^，,。？?]{{0,4}}{_REGISTERED}"
            rf"|(?:在|是|位于)(?:{alternatives})(?:的|的一家|的一所|一家|一所)[^，,。？?]{{0,10}}{_UNIT}"
            rf"|{_REGISTERED}(?:地)?(?:在|于|是|为)(?:{alternatives})"
        )

    shanghai, elsewhere = place_names()
    return pattern(shanghai), pattern(elsewhere)


@lru_cache(maxsize=4096)  # the same messages are read several times while one answer is composed
def registered_in_shanghai(text: str) -> bool | None:
    """Whether the unit described is registered in Shanghai (True), elsewhere in China (False), or
    the text names no such place (None)."""
    in_shanghai, elsewhere = _place_patterns()
    if in_shanghai.search(text):
        return True
    if elsewhere.search(text):
        return False
    return None
