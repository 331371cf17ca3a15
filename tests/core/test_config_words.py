"""Configuration errors a person can read: the key in the file, then what is wrong with it, in Chinese (they were
a Chinese prefix on pydantic's English); the lock's message too."""

from __future__ import annotations

import re

import pytest

from casebot import config
from casebot.errors import ConfigError, RunLocked
from casebot.run.lock import RunLock

ENGLISH = re.compile(r"\b[A-Za-z]{2,}(?:[ ,'][A-Za-z]{2,})+\b")
GOOD = ('[systems.police]\nurl = "http://127.0.0.1:8101"\nusername = "u"\n'
        '[[routes]]\nname = "r"\nsource = "police"\ntarget = "police"\n')


def english(text: str) -> set[str]:
    kept = re.sub(r"casebot(?: [a-z-]+)*|--?[\w-]+|`[^`]*`|\b[A-Z_]{3,}\b|[\w./-]+\.(?:toml|csv)\b|/\S+", "", text)
    return {m.group(0) for m in ENGLISH.finditer(kept)}


@pytest.mark.parametrize(("text", "key", "said"), [
    ("[browser]\nconcurrency = 2\n", "systems", "缺少此项"),
    (GOOD + "[browser]\nheadles = true\n", "browser.headles", "没有这个设置项"),
    (GOOD + "[browser]\nconcurrency = 0\n", "browser.concurrency", "应不小于"),
    (GOOD.replace("http://127.0.0.1:8101", "ftp://x"), "systems.police.url", "必须以 http://"),
    (GOOD.replace('target = "police"', 'target = "court"'), "routes[0].target", "没有名为 'court' 的系统"),
    (GOOD + "[logging]\nlevel = \"LOUD\"\n", "logging.level", "只能是"),
])
def test_config_errors_are_said_in_chinese(tmp_path, text, key, said):
    f = tmp_path / "casebot.toml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        config.load(f)
    message = str(info.value)
    assert key in message and said in message, message
    assert english(message) == set(), message


def test_the_lock_message_is_chinese(tmp_path):
    with RunLock(tmp_path / "l.lock"), pytest.raises(RunLocked) as info, RunLock(tmp_path / "l.lock"):
        pass
    assert "另一次 casebot 运行" in str(info.value) and english(str(info.value)) == set()
