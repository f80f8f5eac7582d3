"""The writer's first pass made while tier reads: in a thread, or in a child process for a
big register. Either way the register ends up with exactly the same bytes."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from clientbook import tier
from clientbook.cli import app
from clientbook.register.first_pass import prepare_guessed, prepare_in_child
from clientbook.register.schema import TIER_COLUMNS
from tier_fixtures import write_register


def test_the_child_process_makes_the_same_pass(tmp_path: Path) -> None:
    book = write_register(tmp_path / "book.xlsx", "en")
    here = prepare_guessed(book, "Clients", TIER_COLUMNS)
    there = prepare_in_child(book, "Clients", TIER_COLUMNS)
    assert here is not None and there is not None
    assert there._scan == here._scan and there._stamp == here._stamp
    assert here._scan.names[0][0] == "Tier"  # the English register's headers


def test_a_failing_child_raises(tmp_path: Path) -> None:
    with pytest.raises(Exception):  # noqa: B017 - any failure: the caller drops the guess
        prepare_in_child(tmp_path / "missing.xlsx", "Clients", TIER_COLUMNS)


@pytest.mark.parametrize("broken_child", [False, True])
def test_tier_writes_the_same_bytes_with_the_pass_in_a_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, broken_child: bool
) -> None:
    runner = CliRunner()
    book = write_register(tmp_path / "book.xlsx", contacts=True)
    threaded, in_process = tmp_path / "threaded.xlsx", tmp_path / "process.xlsx"
    done = runner.invoke(app, ["tier", str(book), "--output", str(threaded)])
    assert done.exit_code == 0, done.output
    used: list[bool] = []
    real = tier._HeadStart._run

    def spy(self: tier._HeadStart, sheet_name: str) -> None:
        real(self, sheet_name)
        used.append(self.in_process and self.prepared is not None)

    monkeypatch.setattr(tier, "HEAD_START_PROCESS_FROM", 0)
    monkeypatch.setattr(tier._HeadStart, "_run", spy)
    if broken_child:  # the child cannot start: the writer makes its own pass
        monkeypatch.setattr("clientbook.register.first_pass.sys.executable", "/nonexistent")
    done = runner.invoke(app, ["tier", str(book), "--output", str(in_process)])
    assert done.exit_code == 0, done.output
    assert used == [not broken_child]
    assert in_process.read_bytes() == threaded.read_bytes()
