"""LibreOffice reads the written register: new columns and untouched columns as written."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from clientbook.register.write import write_columns
from libreoffice import SOFFICE, soffice_csv
from rich_workbook import (
    CLIENT_SHEET,
    FIRST_DATA_ROW,
    HEADER_ROW,
    HEADERS,
    LAST_DATA_ROW,
    Variant,
    build_rich_workbook,
    client_rows,
)
from write_fixtures import TIER_HEADERS, tier_columns

pytestmark = pytest.mark.skipif(
    SOFFICE is None, reason="LibreOffice (soffice) is not installed: interop test skipped"
)


def _to_csv(book: Path, tmp_path: Path) -> list[list[str]]:
    return soffice_csv(book, tmp_path)


@pytest.mark.parametrize("name", ["table", "prefix"])
def test_libreoffice_reads_new_and_old_columns(tmp_path: Path, name: str) -> None:
    variant = Variant(table=True) if name == "table" else Variant(prefix=True)
    src = build_rich_workbook(tmp_path / "src.xlsx", variant)
    out = io.BytesIO()
    columns = tier_columns()
    write_columns(src, out, sheet_name=CLIENT_SHEET, header_row=HEADER_ROW, columns=columns)
    book = tmp_path / "written.xlsx"
    book.write_bytes(out.getvalue())
    rows = _to_csv(book, tmp_path)
    header = rows[HEADER_ROW - 1]
    assert header[: len(HEADERS)] == HEADERS
    assert header[7:14] == [zh for zh, _ in TIER_HEADERS]
    for r, values in zip(range(FIRST_DATA_ROW, LAST_DATA_ROW + 1), client_rows(), strict=True):
        line = rows[r - 1]
        assert line[0] == values[0] and line[1] == values[1]  # untouched text
        assert line[3] == values[3]
        assert float(line[5]) == pytest.approx(2 * float(str(values[2])))  # shared formula
        for i, column in enumerate(columns):
            expected = column.values[r]
            got = line[7 + i]
            if isinstance(expected, (int, float)):
                assert float(got) == pytest.approx(expected)
            else:
                assert got == expected
