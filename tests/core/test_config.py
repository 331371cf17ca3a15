import pytest

from casebot import config
from casebot.errors import ConfigError

GOOD = """
[systems.police]
url = "http://127.0.0.1:8101"
username = "casebot"
[systems.court]
url = "http://127.0.0.1:8103"
[[routes]]
name = "r"
source = "police"
target = "court"
"""


def test_loads_and_resolves_paths_against_the_file(tmp_path):
    f = tmp_path / "casebot.toml"
    f.write_text(GOOD)
    s = config.load(f)
    assert s.systems["police"].url == "http://127.0.0.1:8101"
    assert s.ledger_url() == f"sqlite:///{tmp_path / 'var/ledger.sqlite3'}"
    assert s.lock_path() == tmp_path / "var/ledger.sqlite3.lock"


def test_ledger_url_chooses_the_backend_and_the_lock_follows(tmp_path):
    f = tmp_path / "casebot.toml"
    f.write_text(GOOD + '\n[ledger]\nurl = "sqlite:////srv/casebot/ledger.sqlite3"\n')
    assert config.load(f).ledger_url() == "sqlite:////srv/casebot/ledger.sqlite3"
    f.write_text(GOOD + '\n[ledger]\npath = "data/l.sqlite3"\n')
    assert config.load(f).ledger_url() == f"sqlite:///{tmp_path / 'data/l.sqlite3'}"
    f.write_text(GOOD + '\n[ledger]\nurl = "postgresql://casebot@db/casebot"\n')
    s = config.load(f)
    assert s.ledger_url() == "postgresql://casebot@db/casebot"
    assert s.lock_path() == tmp_path / "var/casebot.lock"


@pytest.mark.parametrize(("text", "key"), [
    (GOOD.replace('target = "court"', 'target = "nowhere"'), "routes[0].target"),
    (GOOD.replace('url = "http://127.0.0.1:8103"', 'url = "ftp://x"'), "systems.court.url"),
    (GOOD + "\n[browser]\nconcurrency = 0\n", "browser.concurrency"),
    (GOOD + "\n[browser]\nheadles = true\n", "browser.headles"),
    ("[systems", "无法读取"),
])
def test_bad_settings_name_the_key(tmp_path, text, key):
    f = tmp_path / "casebot.toml"
    f.write_text(text)
    with pytest.raises(ConfigError) as info:
        config.load(f)
    assert key in str(info.value)


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="找不到配置文件"):
        config.load(tmp_path / "nope.toml")


def test_environment_overrides(tmp_path, monkeypatch):
    f = tmp_path / "casebot.toml"
    f.write_text(GOOD)
    monkeypatch.setenv("CASEBOT_BROWSER__HEADLESS", "false")
    monkeypatch.setenv("CASEBOT_BROWSER__CONCURRENCY", "3")
    s = config.load(f)
    assert s.browser.headless is False and s.browser.concurrency == 3


def test_password_from_environment_never_from_file(tmp_path, monkeypatch):
    f = tmp_path / "casebot.toml"
    f.write_text(GOOD)
    s = config.load(f)
    monkeypatch.delenv("CASEBOT_POLICE_PASSWORD", raising=False)
    monkeypatch.setattr(config, "secret", lambda system: None)
    with pytest.raises(ConfigError, match="CASEBOT_POLICE_PASSWORD"):
        s.system_config("police")
    monkeypatch.setattr(config, "secret", lambda system: "pw")
    sc = s.system_config("police")
    assert sc.credentials.password == "pw" and "pw" not in repr(sc)


def test_example_config_is_valid():
    from pathlib import Path

    s = config.load(Path(__file__).parents[2] / "examples" / "sandbox.toml")
    assert [r.name for r in s.routes] == ["police-procuratorate", "procuratorate-court", "procuratorate-county",
                                          "police-arrest-review", "procuratorate-police-decision",
                                          "court-procuratorate-judgment"]
    assert s.routes[1].skip_regions == s.routes[2].regions == ["350521", "350526"]


def test_a_region_is_a_code():
    import pytest
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="6 位行政区划代码"):
        config.RouteSettings(name="r", source="a", target="b", regions=["惠安县"])


def test_a_workstation_has_a_name_and_a_lease_length(tmp_path):
    import socket

    f = tmp_path / "casebot.toml"
    f.write_text(GOOD)
    s = config.load(f)
    assert s.workstation() == socket.gethostname() and s.ledger.lease_s == 60
    f.write_text(GOOD + '\n[ledger]\nurl = "postgresql://casebot@db/casebot"\nworkstation = "xm-court-03"\n'
                 'lease_s = 20\n')
    s = config.load(f)
    assert (s.workstation(), s.ledger.lease_s) == ("xm-court-03", 20)
    f.write_text(GOOD + '\n[ledger]\nlease_s = 0.5\n')
    with pytest.raises(ConfigError, match="lease_s"):
        config.load(f)
