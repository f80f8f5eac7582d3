"""The writer's first pass made while tier reads: in a thread, or as a job of the worker
process for a big register. Either way the register ends up with exactly the same bytes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from clientbook import tier
from clientbook.cli import app
from clientbook.register.first_pass import prepare_guessed
from clientbook.register.schema import TIER_COLUMNS
from clientbook.register.worker import Worker, WorkerFailed
from tier_fixtures import write_register


def test_the_worker_makes_the_same_pass(tmp_path: Path) -> None:
    book = write_register(tmp_path / "book.xlsx", "en")
    here = prepare_guessed(book, "Clients", TIER_COLUMNS)
    with Worker() as worker:
        there = worker.submit(prepare_guessed, book, "Clients", TIER_COLUMNS).result()
        with pytest.raises(WorkerFailed, match="UnusableFile"):
            worker.submit(
                prepare_guessed, tmp_path / "missing.xlsx", "Clients", TIER_COLUMNS
            ).result()
    assert here is not None and there is not None
    assert there._scan == here._scan and there._stamp == here._stamp
    assert here._scan.names[0][0] == "Tier"  # the English register's headers


@pytest.mark.parametrize("broken_worker", [False, True])
def test_tier_writes_the_same_bytes_with_a_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, broken_worker: bool
) -> None:
    runner = CliRunner()
    book = write_register(tmp_path / "book.xlsx", contacts=True)
    threaded, with_worker = tmp_path / "threaded.xlsx", tmp_path / "worker.xlsx"
    done = runner.invoke(app, ["tier", str(book), "--output", str(threaded)])
    assert done.exit_code == 0, done.output
    used: list[bool] = []
    real = tier._HeadStart.join

    def spy(self: tier._HeadStart) -> object:
        had_job = self.job is not None
        prepared = real(self)
        used.append(had_job and prepared is not None)
        return prepared

    monkeypatch.setattr(tier, "WORKER_FROM", 0)
    monkeypatch.setattr(tier._HeadStart, "join", spy)
    if broken_worker:  # the worker cannot start: the writer makes its own pass
        monkeypatch.setattr("clientbook.register.worker.sys.executable", "/nonexistent")
    done = runner.invoke(app, ["tier", str(book), "--output", str(with_worker)])
    assert done.exit_code == 0, done.output
    assert used == [not broken_worker]
    assert with_worker.read_bytes() == threaded.read_bytes()


def test_the_first_pass_does_not_load_pydantic() -> None:
    """The worker process makes the writer's first pass and no result: it never loads
    pydantic (0.1 s of its time while it reads its part of the sheet)."""
    code = (
        "import sys\n"
        "import clientbook.register.fastcells, clientbook.register.read\n"
        "import clientbook.register.first_pass, clientbook.register.write\n"
        "print('pydantic' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
