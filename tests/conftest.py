"""Shared fixtures: tests build real workbooks in tmp_path and run the real CLI."""

from __future__ import annotations

from typing import Any

import pytest
from typer.testing import CliRunner


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def split_every_sheet(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every client sheet is read by two processes (fastcells.SPLIT_FROM 0); the list
    collects how many records each worker part held."""
    from clientbook.register import fastcells

    monkeypatch.setattr(fastcells, "SPLIT_FROM", 0)
    parts: list[int] = []
    real = fastcells._tail_of

    def counted(job: Any, plan: Any) -> Any:
        tail = real(job, plan)
        parts.append(len(tail.records))
        return tail

    monkeypatch.setattr(fastcells, "_tail_of", counted)
    return parts
