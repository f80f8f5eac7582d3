"""The console entry point: tier's worker started before the command line is parsed."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from clientbook import launch, tier
from clientbook.cli import app
from clientbook.register import fastcells
from clientbook.register import worker as worker_module
from test_fastread import sparse_register


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


def test_the_sizes_are_those_of_the_command() -> None:
    assert launch.WORKER_FROM == tier.WORKER_FROM
    assert launch.SPLIT_FROM == fastcells.SPLIT_FROM


def test_which_arguments_start_a_worker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(launch, "WORKER_FROM", 1000)
    Path("big.xlsx").write_bytes(b"PK\x03\x04" + bytes(2000))
    Path("big.XLSM").write_bytes(b"PK\x03\x04" + bytes(2000))
    Path("small.xlsx").write_bytes(b"PK\x03\x04" + bytes(100))
    Path("locked.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2000))  # OLE
    Path("notes.txt").write_bytes(b"PK\x03\x04" + bytes(2000))
    run = launch.big_tier_run
    assert run(["tier", "big.xlsx"]) == "big.xlsx"
    assert run(["tier", "--no-backup", "big.XLSM", "--format", "json"]) == "big.XLSM"
    assert run(["--debug", "tier", "big.xlsx"]) == "big.xlsx"
    assert run(["tier", "--output", "big.xlsx", "small.xlsx"]) is None  # the output's name
    assert run(["tier", "big.xlsx", "--sheet", "客户"]) == ""  # a worker, no job yet
    assert run(["tier", "--sheet=客户", "big.xlsx"]) == ""
    for args in (
        [],
        ["validate", "big.xlsx"],
        ["tier"],
        ["tier", "small.xlsx"],
        ["tier", "locked.xlsx"],
        ["tier", "notes.txt"],
        ["tier", "missing.xlsx"],
        ["tier", "--help"],
    ):
        assert run(args) is None, args


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """What worker.start_early started, as it starts it."""
    started: list[Any] = []
    real_start = worker_module.start_early

    def recorded(*args: Any) -> None:
        real_start(*args)
        started.append(worker_module._early[0])

    monkeypatch.setattr(worker_module, "start_early", recorded)
    return started


def test_the_command_takes_the_worker_started_first(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    split_every_sheet: list[int],
    started: list[Any],
) -> None:
    """`clientbook tier BOOK` through the entry point, every register counted as big: the
    worker started before the parsing reads the last part of the sheet, and the file
    written is byte for byte the one a run without it writes."""
    book = sparse_register(tmp_path / "book.xlsx")
    alone = tmp_path / "alone.xlsx"
    result = CliRunner().invoke(app, ["tier", str(book), "--output", str(alone)])
    assert result.exit_code == 0, result.output

    monkeypatch.setattr(launch, "WORKER_FROM", 0)
    monkeypatch.setattr(launch, "SPLIT_FROM", 0)
    early = tmp_path / "early.xlsx"
    monkeypatch.setattr(sys, "argv", ["clientbook", "tier", str(book), "--output", str(early)])
    assert launch.run() == 0
    assert started and started[0].path == str(book)
    assert split_every_sheet and split_every_sheet[0] > 0  # rows the worker read
    assert worker_module._early == []  # taken, and stopped with the command
    assert started[0].worker.submit(fastcells.closure, ["aum"]).exception() is not None
    assert members(early) == members(alone)


def test_a_worker_nothing_takes_is_stopped_on_the_way_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, started: list[Any]
) -> None:
    """A usage error before the command runs: the worker started for it is stopped."""
    book = sparse_register(tmp_path / "book.xlsx")
    monkeypatch.setattr(launch, "WORKER_FROM", 0)
    monkeypatch.setattr(sys, "argv", ["clientbook", "tier", str(book), "--format", "xml"])
    assert launch.run() == 2
    assert started and worker_module._early == []
    assert started[0].worker.submit(fastcells.closure, ["aum"]).exception() is not None


def _run_entry_point(code: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "entry.py"
    script.write_text(code, encoding="utf-8")
    return subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, encoding="utf-8"
    )


def test_the_process_ends_as_a_normal_exit_would(tmp_path: Path) -> None:
    """Without the interpreter's teardown, but with what a normal exit does that matters:
    the exit status, the output flushed, atexit functions run, threads joined."""
    marker = tmp_path / "written by a thread.txt"
    result = _run_entry_point(
        f"""
import atexit, sys, threading, time
from pathlib import Path

def late():
    time.sleep(0.3)
    Path({str(marker)!r}).write_text("done", encoding="utf-8")

threading.Thread(target=late).start()
atexit.register(lambda: print("atexit ran"))
sys.stdout.write("buffered, no newline")
sys.argv = ["clientbook", "tier", {str(tmp_path / "missing.xlsx")!r}, "--no-backup"]
from clientbook.launch import main
main()
""",
        tmp_path,
    )
    assert result.returncode == 2
    assert result.stdout == "buffered, no newlineatexit ran\n"
    assert "missing.xlsx" in result.stderr and "Traceback" not in result.stderr
    assert marker.read_text(encoding="utf-8") == "done"


def test_exit_statuses_are_those_of_sys_exit(tmp_path: Path) -> None:
    for code, status, stderr in (("None", 0, ""), ("3", 3, ""), ("'stopped'", 1, "stopped\n")):
        result = _run_entry_point(
            f"from clientbook.launch import exit_now\nexit_now({code})", tmp_path
        )
        assert (result.returncode, result.stderr) == (status, stderr)
