from __future__ import annotations

from pathlib import Path

import pytest

from earful import config
from earful.cli import main
from earful.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "earful.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_example_config_is_valid(monkeypatch):
    monkeypatch.setenv("REDDIT_CLIENT_ID", "id")
    monkeypatch.setenv("REDDIT_CLIENT_SECRET", "s3cr3t-value")
    monkeypatch.setenv("SLACK_WEBHOOK_URL", "https://hooks.slack.com/services/T/B/x")
    cfg = config.load(Path(__file__).parents[1] / "earful.example.toml")
    assert cfg.brands[0].name == "Acme"
    assert cfg.brands[0].sla.target_minutes("x") == 30
    assert cfg.secret("sources.reddit.client_secret") == "s3cr3t-value"
    assert "s3cr3t-value" not in repr(cfg)


@pytest.mark.parametrize("text, key, fix", [
    ("[[brands]]\nname = 'A'\nkeywrds = ['a']\n", "brands[0].keywrds", "check its spelling"),
    ("[[brands]]\nname = 'A'\n[brands.sla]\nfirst_response_minutes = 'soon'\n",
     "brands[0].sla.first_response_minutes", "write a number"),
    ("[[brands]]\nname = 'A'\n[brands.sla]\nfirst_response_minutes = -5\n",
     "brands[0].sla.first_response_minutes", "larger number"),
    ("[sources.reddit]\nclient_id = 'plain'\n", "sources.reddit.client_id", '{ env = "VAR_NAME" }'),
    ("[sources.reddit]\nclient_id = { env = 'EARFUL_TEST_UNSET_1' }\nclient_secret = { env = 'EARFUL_TEST_UNSET_2' }\n",
     "sources.reddit.client_id", "export EARFUL_TEST_UNSET_1"),
    ("[sources.reddit]\nclient_id = { file = '/nonexistent/secret' }\nclient_secret = { env = 'X' }\n",
     "sources.reddit.client_id", "create the file"),
    ("[sources.x]\n", "sources.x.bearer_token", "enabled = false"),
    ("[sources.myspace]\n", "sources.myspace", "check its spelling"),
    ("[[brands]]\nname = 'A'\n[brands.accounts]\nfacebook = ['a']\n", "brands[0].accounts", "unknown platform"),
    ("[[alerts.routes]]\nname = 'r'\nkinds = ['everything']\n", "alerts.routes[0].kinds[0]", "allowed values"),
    ("[[brands]]\nname = 'A'\n[[brands]]\nname = 'a'\n", "brands[1].name", "unique"),
    ("brands = [\n", "earful.toml", "fix the syntax"),
])
def test_bad_config_names_key_and_fix(tmp_path, monkeypatch, text, key, fix):
    monkeypatch.delenv("EARFUL_TEST_UNSET_1", raising=False)
    monkeypatch.delenv("EARFUL_TEST_UNSET_2", raising=False)
    with pytest.raises(ConfigError) as info:
        config.load(write(tmp_path, text))
    assert key in str(info.value)
    assert fix in str(info.value)


def test_secret_from_file_and_never_printed(tmp_path, monkeypatch):
    secret = tmp_path / "hook"
    secret.write_text("https://hooks.slack.com/services/T1/B1/verysecret\n")
    cfg = config.load(write(tmp_path, f"[[alerts.routes]]\nname = 'leads'\nwebhook = {{ file = '{secret}' }}\n"))
    assert cfg.secret("alerts.routes[0].webhook").endswith("verysecret")
    assert "verysecret" not in str(cfg.model_dump())


def test_cli_reports_config_error_with_exit_2(tmp_path, capsys):
    path = write(tmp_path, "[storage]\ndb = 5\n")
    assert main(["--config", str(path), "doctor"]) == 2
    err = capsys.readouterr().err
    assert "storage.db" in err and "quoted string" in err


def test_init_writes_a_valid_starter(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["init"]) == 0
    text = (tmp_path / "earful.toml").read_text()
    assert "[[brands]]" in text and "{ env =" in text
    assert main(["init"]) == 1  # never overwrites silently


def test_example_files_are_the_same():
    root = Path(__file__).parents[1]
    assert (root / "earful.example.toml").read_text() == (root / "earful" / "earful.example.toml").read_text()
