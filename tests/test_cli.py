from __future__ import annotations

from pathlib import Path

import pytest
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


def _leaf_commands() -> list[list[str]]:
    """Every runnable command path, found by walking the real command tree."""
    import typer.main

    root = typer.main.get_command(app)
    paths: list[list[str]] = []

    def walk(command: object, path: list[str]) -> None:
        subcommands = getattr(command, "commands", None)
        if subcommands:
            for name, sub in subcommands.items():
                walk(sub, [*path, name])
        else:
            paths.append(path)

    walk(root, [])
    return paths


def test_every_command_is_documented_with_an_example(runner: CliRunner) -> None:
    commands = _leaf_commands()
    assert ["validate"] in commands and ["tier"] in commands and ["backup", "create"] in commands
    for path in commands:
        result = runner.invoke(app, [*path, "--help"])
        assert result.exit_code == 0, path
        assert "Example" in result.output, f"{' '.join(path)} --help has no Example"


def test_python_dash_m_runs_the_cli() -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "clientbook", "--help"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0
    assert "validate" in done.stdout


def test_debug_shows_the_traceback(runner: CliRunner, tmp_path: Path) -> None:
    missing = tmp_path / "nothere.xlsx"
    plain = runner.invoke(app, ["validate", str(missing)])
    assert plain.exit_code == 2
    assert "Traceback" not in plain.output
    assert len(plain.stderr.strip().splitlines()) == 1
    debug = runner.invoke(app, ["--debug", "validate", str(missing)])
    assert debug.exit_code != 0
    assert debug.exception is not None


def test_config_show_reads_the_current_folder_without_a_book(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "clientbook.toml").write_text("[validate]\nrisk_validity_days = 200\n", "utf-8")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["config", "show"])
    assert result.exit_code == 0
    assert "risk_validity_days = 200" in result.stdout


def test_config_errors_are_one_line_in_the_users_language(
    runner: CliRunner, tmp_path: Path
) -> None:
    missing = runner.invoke(app, ["config", "show", "--config", str(tmp_path / "no.toml")])
    assert missing.exit_code == 2
    assert "找不到或无法读取配置文件" in missing.stderr
    unknown = tmp_path / "unknown.toml"
    unknown.write_text("[validate]\nrisk_validty_days = 200\n", encoding="utf-8")
    typo = runner.invoke(app, ["config", "show", "--config", str(unknown)])
    assert typo.exit_code == 2
    assert "validate.risk_validty_days" in typo.stderr and "拼写" in typo.stderr
    broken = tmp_path / "broken.toml"
    broken.write_text("[validate\n", encoding="utf-8")
    syntax = runner.invoke(app, ["config", "show", "--config", str(broken)])
    assert syntax.exit_code == 2 and "TOML" in syntax.stderr
    no_book = runner.invoke(app, ["config", "show", str(tmp_path / "nothere.xlsx")])
    assert no_book.exit_code == 2
    for result in (missing, typo, syntax, no_book):
        assert len(result.stderr.strip().splitlines()) == 1
