"""Secrets on a machine without a desktop keyring: a 0600 file, clear messages, never a traceback."""

from __future__ import annotations

import stat

from tests.ops.conftest import bare_env, casebot


def test_secret_set_without_keyring_uses_a_private_file(home):
    env = bare_env(home)
    stored = casebot("secret", "set", "police", "--stdin", env=env, stdin="s3cret\n")
    assert stored.returncode == 0, stored.stderr
    assert "Traceback" not in stored.stderr + stored.stdout
    path = home / ".config" / "casebot" / "secrets.cfg"
    assert "secrets.cfg" in stored.stdout.replace("\n", "")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert "s3cret" not in casebot("secret", "get", "police", env=env).stdout
    assert casebot("secret", "get", "police", "--show", env=env).stdout.strip() == "s3cret"

    deleted = casebot("secret", "delete", "police", env=env)
    assert deleted.returncode == 0 and "已删除" in deleted.stdout
    missing = casebot("secret", "get", "police", env=env)
    assert missing.returncode == 4
    assert "casebot secret set police" in missing.stderr.replace("\n", "") and "Traceback" not in missing.stderr


def test_asking_for_the_os_keyring_where_there_is_none_says_so(home):
    result = casebot("secret", "set", "police", "--stdin", env=bare_env(home, CASEBOT_KEYRING="os"), stdin="x\n")
    assert result.returncode == 4
    assert "Traceback" not in result.stderr
    assert "CASEBOT_KEYRING=file" in result.stderr.replace("\n", "")
    bad = casebot("secret", "get", "police", env=bare_env(home, CASEBOT_KEYRING="vault"))
    assert bad.returncode == 4 and "auto, os, file" in bad.stderr


def test_secret_list_names_each_system_and_never_the_password(home, tmp_path):
    config = tmp_path / "casebot.toml"
    config.write_text('[systems.police]\nurl = "http://127.0.0.1:1"\nusername = "u"\n'
                      '[systems.court]\nurl = "http://127.0.0.1:2"\nusername = "u"\n'
                      '[[routes]]\nname = "r"\nsource = "police"\ntarget = "court"\n', encoding="utf-8")
    env = bare_env(home)
    casebot("secret", "set", "police", "--stdin", env=env, stdin="hunter2\n")
    listed = casebot("secret", "list", "--config", str(config), "--json", env=env)
    assert listed.returncode == 4, "court has no password"
    assert "hunter2" not in listed.stdout
    import json

    rows = {r["system"]: r for r in json.loads(listed.stdout)["systems"]}
    assert rows["police"]["found"] and "secrets.cfg" in rows["police"]["where"]
    assert not rows["court"]["found"]
    with_env = casebot("secret", "list", "--config", str(config), env={**env, "CASEBOT_COURT_PASSWORD": "y"})
    assert with_env.returncode == 0 and "CASEBOT_COURT_PASSWORD" in with_env.stdout
