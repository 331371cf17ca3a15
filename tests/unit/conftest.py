"""Fixtures of the unit tests: the shipped pipeline and the worked example of SPEC section 6."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from casebot.mapping.pipeline import Pipeline

#: the worked example of SPEC section 6 (fields the spec leaves open filled plausibly)
EXAMPLE_SUSPECT: dict[str, Any] = {
    "rybh": "R3505020000002026110001001",
    "xm": "张\u3000三",
    "bm": "",
    "csrq": "",
    "zjzl": "111",
    "zjhm": "３５０５０２１９９００３０７２４１５",
    "gj": "CHN",
    "mz": "01",
    "whcd": "50",
    "zy": "无业",
    "hjdqh": "350502",
    "hjdxz": "福建省泉州市鲤城区开元街道1号",
    "xzz": "福建省泉州市鲤城区新华路2号",
    "qzcs": [{"cslx": "05", "zxrq": "2026-10-01"}, {"cslx": "06", "zxrq": "2026-10-20"}],
    "jycs": "泉州市看守所",
}
EXAMPLE_CASE: dict[str, Any] = {
    "ajbh": "A3505020000002026110001",
    "ajmc": " 张三盗窃案 ",
    "ajlb": "刑事案件",
    "ay": ["032640"],
    "zbdw": "350502000000",
    "zbdwmc": "泉州市公安局鲤城分局",
    "zbr": "王警官",
    "fasj": "2026-09-30",
    "lasj": "2026-10-01",
    "yssj": "2026-11-20",
    "ajzt": "已移送起诉",
    "jyaq": "2026年9月30日，犯罪嫌疑人张三在某商场盗窃手机一部。",
    "xyr": [EXAMPLE_SUSPECT],
}


def make_case(suspects: list[dict[str, Any]] | None = None, **overrides: Any) -> dict[str, Any]:
    """A deep copy of the worked example with case fields replaced."""
    case = copy.deepcopy(EXAMPLE_CASE)
    if suspects is not None:
        case["xyr"] = suspects
    case.update(overrides)
    return case


def make_suspect(**overrides: Any) -> dict[str, Any]:
    """A deep copy of the worked example's suspect with fields replaced (None deletes)."""
    s = copy.deepcopy(EXAMPLE_SUSPECT)
    for key, value in overrides.items():
        if value is None:
            s.pop(key, None)
        else:
            s[key] = value
    return s


@pytest.fixture(scope="session")
def pipeline() -> Pipeline:
    return Pipeline()


@pytest.fixture
def case_with(pipeline: Pipeline) -> Callable[..., Any]:
    """``case_with(xb="2")`` -> the CaseCard of the example with its suspect changed."""

    def build(**suspect: Any) -> Any:
        return pipeline.case_card(make_case([make_suspect(**suspect)]))

    return build
