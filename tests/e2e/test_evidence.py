"""A failure's evidence is its own: the screenshot is of the page the case was on when it failed (the police page
for bad data), every personal value masked, headings included.

Before, every case stopped by bad police data carried the screenshot of the target page as the previous case left
it: another case's record, its suspects' names in the headings unmasked.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from casebot.domain.exits import EXIT_CASES_FAILED
from casebot.run import Runner
from casebot.run.artifacts import Artifacts
from tests.golden import EXAMPLE, SECOND, golden

BAD = Path(__file__).parents[1] / "data" / "bad_cases"


def evidence(png: str) -> dict[str, Any]:
    """What the screenshot was taken of, as the run noted beside it."""
    return json.loads(Path(png + ".json").read_text(encoding="utf-8"))


@pytest.mark.slow
async def test_each_screenshot_a_run_leaves_is_of_its_own_case(sandbox, settings):
    g = golden().only(EXAMPLE, SECOND)
    bad = [json.loads((BAD / name).read_text(encoding="utf-8"))["record"]
           for name in ("01_id_check_digit.json", "06_unknown_charge.json", "12_second_suspect_bad_id.json")]
    sandbox.add_cases(g.police)  # written first: the target's page then shows one of them
    sandbox.add_cases(bad)
    summary = await Runner(settings, routes=["police-procuratorate"]).run()
    assert summary.exit_code == EXIT_CASES_FAILED
    failed = [r for r in summary.results if r.outcome == "failed"]
    assert sorted(r.case_key for r in failed) == sorted(b["ajbh"] for b in bad)
    for r in failed:
        [png] = [a for a in r.artifacts if a.endswith(".png")]
        seen = evidence(png)
        assert seen["system"] == "police", (r.case_key, seen)  # bad data: the police page it was read from
        assert seen["case"] == r.case_key and seen["shows_case"], (r.case_key, seen)
        assert Path(png).stat().st_mode & 0o077 == 0


CAPTION = "犯罪嫌疑人 1：阿卜杜拉·买买提"
PAGE = f"""<!doctype html><meta charset="utf-8"><body style="margin:0;background:#fff;font-size:24px">
<h3 id="head" style="margin:20px;color:#000">{CAPTION}</h3>
<p id="plain" style="margin:20px;color:#000">强制措施：逮捕</p></body>"""

MAGENTA = """([src, boxes]) => new Promise(done => {
  const img = new Image();
  img.onload = () => {
    const c = document.createElement('canvas'); c.width = img.width; c.height = img.height;
    const g = c.getContext('2d'); g.drawImage(img, 0, 0);
    done(boxes.map(b => {
      const d = g.getImageData(b.x + 1, b.y + 1, b.width - 2, b.height - 2).data;
      let pink = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i] > 200 && d[i + 1] < 60 && d[i + 2] > 200) pink++;
      return pink / (d.length / 4);
    }));
  };
  img.src = src;
})"""


@pytest.mark.browser
async def test_a_heading_holding_a_name_is_masked_in_the_pixels(page: Any, tmp_path: Path) -> None:
    await page.set_content(PAGE)
    head = await page.locator("#head").bounding_box()
    plain = await page.locator("#plain").bounding_box()
    png = await Artifacts(tmp_path, "run").screenshot(page, "r-A1", personal={"阿卜杜拉·买买提"},
                                                      system="procuratorate", case="A1")
    assert png is not None and evidence(png)["shows_case"] is False
    src = "data:image/png;base64," + base64.b64encode(Path(png).read_bytes()).decode()
    blank = await page.context.new_page()
    masked_head, masked_plain = await blank.evaluate(MAGENTA, [src, [head, plain]])
    await blank.close()
    assert masked_head > 0.95, "the heading holding the name is covered"
    assert masked_plain < 0.05, "text without a personal value stays readable"
