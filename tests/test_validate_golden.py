"""Golden files: the defect register's findings as JSON (zh) and CSV (en), byte for byte.

A change in a message, a code or a cell shows up here as a diff to review. To accept an
intended change: CLIENTBOOK_UPDATE_GOLDEN=1 python -m pytest tests/test_validate_golden.py
"""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest

from clientbook.config import ValidateSettings
from clientbook.register.read import open_book
from clientbook.render import print_validation
from clientbook.validate import ValidationReport, check_book
from validate_fixtures import defect_workbook

GOLDEN = Path(__file__).parent / "golden"
TODAY = date(2026, 3, 15)


def report(tmp_path: Path, *, english: bool) -> ValidationReport:
    book = defect_workbook(tmp_path / "book.xlsx", TODAY, english=english)
    result = check_book(open_book(book), ValidateSettings(), TODAY)
    return result.model_copy(update={"file": "book.xlsx"})  # no machine path in the golden


def compare(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("CLIENTBOOK_UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
    assert text == path.read_text(encoding="utf-8")


def test_json_golden(tmp_path: Path) -> None:
    data = report(tmp_path, english=False).as_json("zh")
    compare("validate_defects_zh.json", json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def test_csv_golden(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    print_validation(report(tmp_path, english=True), "csv", "en")
    compare("validate_defects_en.csv", capsys.readouterr().out)
