"""find_match on both targets: records a clerk typed by hand, in any spelling of the case number (SPEC rule 9)."""

from __future__ import annotations

import copy
from typing import Any

from adapters.court import CourtAdapter
from adapters.procuratorate import ProcuratorateAdapter
from casebot.domain.idcard import check_digit
from casebot.kit.base import Credentials, SystemConfig
from sandbox.client import SandboxClient
from tests.adapters.test_court import CARD as COURT_CARD
from tests.adapters.test_procuratorate import CARD as PROC_CARD

CREDS = Credentials("casebot", "sandbox")


def person_id(n: int) -> str:
    body = f"35050219900307{n:03d}"
    return body + check_digit(body)


def fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def proc_card(n: int, **over: Any) -> dict[str, Any]:
    """A procuratorate card for case n: its own key and one suspect with ID number n."""
    card = copy.deepcopy(PROC_CARD)
    card["ysajbh"] = f"A350502000000202611{n:04d}"
    card["xyr"] = [dict(card["xyr"][0], zjhm=person_id(n), xb="1" if n % 2 else "2")]
    card.update(over)
    return card


def court_card(n: int, **over: Any) -> dict[str, Any]:
    card = copy.deepcopy(COURT_CARD)
    card["qsswh"] = f"泉鲤检刑诉〔2026〕{n}号"
    card["bgr"] = [dict(card["bgr"][0], sfzh=person_id(n), xb="男" if n % 2 else "女")]
    card.update(over)
    return card


async def test_procuratorate_certain_probable_and_none(context: Any, urls: dict[str, str],
                                                       sandbox: SandboxClient) -> None:
    typed = [
        proc_card(1, ysajbh=proc_card(1)["ysajbh"].lower() + " "),   # lower case, trailing space
        proc_card(2, ysajbh=fullwidth(proc_card(2)["ysajbh"])),       # full width: found by the suspect's ID
        proc_card(3, ysajbh="A3505020000002026119993"),               # a typo: same suspect, charge, unit
        proc_card(4, ysajbh="A3505020000002025010004", ysay=["0206"]),  # the same man in another case
    ]
    bmsah = sandbox.call("procuratorate", "POST", "/_sandbox/records", typed)["bmsah"]
    adapter = ProcuratorateAdapter(context, SystemConfig("procuratorate", urls["procuratorate"], CREDS))
    for n, kind, record in ((1, "certain", bmsah[0]), (2, "certain", bmsah[1]), (3, "probable", None),
                            (4, "none", None), (5, "none", None)):
        match = await adapter.find_match(proc_card(n))
        assert (match.kind, match.record_id) == (kind, record), n
    match = await adapter.find_match(proc_card(3))
    assert [c.record_id for c in match.candidates] == [bmsah[2]] and "A3505020000002026119993" in match.describe()
    assert await adapter.find_existing(proc_card(1)) == bmsah[0], "the uncertain-write lookup normalises too"


async def test_court_certain_probable_and_none(context: Any, urls: dict[str, str], sandbox: SandboxClient) -> None:
    def stored(card: dict[str, Any]) -> dict[str, Any]:
        return {k: card[k] for k in ("ay", "gsjg", "qsswh", "sarq", "bgr")}

    typed = [
        court_card(22, qsswh="泉鲤检刑诉[2026]22号"),
        court_card(23, qsswh=fullwidth("泉鲤检刑诉(2026)23号")),
        court_card(24, qsswh="泉鲤检刑诉〔2026〕42号"),
        court_card(25, qsswh="泉鲤检刑诉〔2025〕25号", ay="诈骗罪"),
    ]
    ah = sandbox.call("court", "POST", "/_sandbox/records", [stored(c) for c in typed])["ah"]
    adapter = CourtAdapter(context, SystemConfig("court", urls["court"], CREDS))
    for n, kind, record in ((22, "certain", ah[0]), (23, "certain", ah[1]), (24, "probable", None),
                            (25, "none", None), (26, "none", None)):
        match = await adapter.find_match(court_card(n))
        assert (match.kind, match.record_id) == (kind, record), n
    assert await adapter.find_existing(court_card(22)) == ah[0]
    assert (await adapter.read_back(ah[0]))["qsswh"] == "泉鲤检刑诉[2026]22号"
