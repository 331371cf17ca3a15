"""期限预警 end to end: the worked example written by casebot into both systems, then its deadlines, counted by hand."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from casebot.cli import app
from casebot.run import EXIT_OK, Runner
from tests.golden import EXAMPLE, golden, prosecute


async def test_the_worked_examples_deadlines_from_what_casebot_wrote(sandbox, settings, config_file):
    g = golden().only(EXAMPLE)
    sandbox.add_cases(g.police)
    assert (await Runner(settings, routes=["police-procuratorate"]).run()).exit_code == EXIT_OK
    prosecute(sandbox, g.prosecutions)  # 起诉 26 November
    assert (await Runner(settings, routes=["procuratorate-court"]).run()).exit_code == EXIT_OK

    ledger_url = settings.ledger_url()
    cfg = config_file.read_text(encoding="utf-8") + f'\n[ledger]\nurl = "{ledger_url}"\n'
    config_file.write_text(cfg, encoding="utf-8")
    out = CliRunner().invoke(app, ["deadlines", "--json", "--all", "--today", "2026-12-03", "-c", str(config_file)],
                             catch_exceptions=False)
    assert out.exit_code == 0, out.stdout
    got = [(d["rule"], d["person"], d["start"], d["due"], d["ended"], d["state"], d["days_left"])
           for d in json.loads(out.stdout)["deadlines"]]
    assert sorted(got) == sorted([
        # arrested 20 October (the police's 06) + 2 months = 20 December; transferred 20 November
        ("investigation_custody", "张*", "2026-10-20", "2026-12-20", "2026-11-20", "met", None),
        # accepted 20 November + 1 month = 20 December, a Sunday; in custody: not extended; 起诉 26 November
        ("prosecution_review", "张*", "2026-11-20", "2026-12-20", "2026-11-26", "met", None),
        # the court accepted 26 November + 2 months = 26 January 2027; in custody
        ("first_instance", "张*", "2026-11-26", "2027-01-26", None, "running", 54),
    ])
