"""Shared fixtures: tests build real workbooks in tmp_path and run the real CLI."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()
