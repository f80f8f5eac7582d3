from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from clientbook.cli import app


def test_help_lists_commands(runner: CliRunner) -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "config" in result.output


def test_config_show_prints_defaults(runner: CliRunner) -> None:
    result = runner.invoke(app, ["config", "show"])
    assert result.exit_code == 0
    assert "[validate]" in result.stdout
    assert "risk_validity_days = 365" in result.stdout


def test_invalid_config_names_the_key(runner: CliRunner, tmp_path: Path) -> None:
    cfg = tmp_path / "clientbook.toml"
    cfg.write_text("[validate]\nrisk_validity_days = -3\n", encoding="utf-8")
    result = runner.invoke(app, ["config", "show", "--config", str(cfg)])
    assert result.exit_code == 2
    assert "validate.risk_validity_days" in result.stderr
    assert "Traceback" not in result.output
