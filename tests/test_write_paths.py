"""The fast paths (plain rows on a first run and on a re-run, block scans of the first
pass) write exactly what the general row-by-row path writes."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from clientbook.register import write as write_mod
from clientbook.register.write import NewColumn, plan_columns, write_columns
from rich_workbook import (
    CLIENT_SHEET,
    FIRST_DATA_ROW,
    HEADER_ROW,
    Variant,
    build_rich_workbook,
    client_sheet_part,
    rewrite_zip,
)
from write_fixtures import load_quietly, members, tier_columns


def _write(src: Path | bytes, columns: list[NewColumn]) -> bytes:
    out = io.BytesIO()
    write_columns(src, out, sheet_name=CLIENT_SHEET, header_row=HEADER_ROW, columns=columns)
    return out.getvalue()


def _general(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the first pass report the rows as not plain: every row takes the general path."""
    real = write_mod._scan_rows

    def not_plain(*args: object) -> tuple[int, int, bool]:
        last_used, last_num, _ = real(*args)  # type: ignore[arg-type]
        return last_used, last_num, False

    monkeypatch.setattr(write_mod, "_scan_rows", not_plain)


def _rerun_columns() -> list[NewColumn]:
    columns = tier_columns(seed=3)
    for column in columns:
        column.values[FIRST_DATA_ROW + 1] = None  # type: ignore[index]
    return columns


@pytest.mark.parametrize("chunk", [1 << 20, 61])
@pytest.mark.parametrize("variant", [Variant(), Variant(prefix=True)], ids=["plain", "prefix"])
def test_fast_and_general_paths_write_the_same_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int, variant: Variant
) -> None:
    monkeypatch.setattr(write_mod, "_CHUNK", chunk)
    path = build_rich_workbook(tmp_path / "book.xlsx", variant)
    first_fast = _write(path, tier_columns())
    again_fast = _write(first_fast, _rerun_columns())
    with monkeypatch.context() as m:
        _general(m)
        first_general = _write(path, tier_columns())
        again_general = _write(first_general, _rerun_columns())
    assert members(first_fast) == members(first_general)
    assert members(again_fast) == members(again_general)


def test_the_fast_paths_are_taken(tmp_path: Path) -> None:
    path = build_rich_workbook(tmp_path / "book.xlsx")
    with write_mod._open_package(path, None) as (pkg, _):
        assert write_mod._plan(pkg, CLIENT_SHEET, HEADER_ROW, tier_columns()).plain_rows
    data = _write(path, tier_columns())
    with write_mod._open_package(data, None) as (pkg, _):
        assert write_mod._plan(pkg, CLIENT_SHEET, HEADER_ROW, tier_columns()).plain_rerun


def test_rerun_keeps_a_style_the_user_gave_a_clientbook_cell(tmp_path: Path) -> None:
    path = build_rich_workbook(tmp_path / "book.xlsx")
    data = _write(path, tier_columns())
    styled = tmp_path / "styled.xlsx"
    styled.write_bytes(data)
    sheet = client_sheet_part(path)
    ref = f"I{FIRST_DATA_ROW + 2}"
    rewrite_zip(
        styled,
        {
            sheet: lambda xml: xml.replace(
                f'<c r="{ref}">'.encode(), f'<c r="{ref}" s="3">'.encode()
            )
        },
    )
    again = _write(styled, _rerun_columns())
    xml = members(again)[sheet].decode()
    assert re.search(rf'<c r="{ref}" s="3"><v>[^<]+</v></c>', xml)
    ws = load_quietly(again)[0][CLIENT_SHEET]
    assert ws[ref].value == _rerun_columns()[1].values[FIRST_DATA_ROW + 2]
    assert ws[ref].number_format == ws[f"C{FIRST_DATA_ROW}"].number_format  # style 3: #,##0.00


def test_value_right_of_the_header_in_a_row_without_r(tmp_path: Path) -> None:
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    xml = (
        f'<worksheet xmlns="{main}"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>ID</t></is></c></row>'
        '<row r="2"><c r="A2"><v>1</v></c></row>'
        "<row><c><v>2</v></c><c/><c/><c><v>9</v></c></row>"  # row 3: a value in D
        '<row r="4"><c r="A4"><v>3</v></c></row>'
        "</sheetData></worksheet>"
    )
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = CLIENT_SHEET
    path = tmp_path / "book.xlsx"
    wb.save(path)
    rewrite_zip(path, {"xl/worksheets/sheet1.xml": lambda _: xml.encode()})
    result = plan_columns(
        path,
        sheet_name=CLIENT_SHEET,
        header_row=1,
        columns=[NewColumn("Tier", (), {2: "A", 3: "B", 4: "C"})],
    )
    assert result.columns[0].letter == "E"


def test_styled_and_empty_rows_write_the_same_on_both_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = build_rich_workbook(tmp_path / "book.xlsx")
    sheet = client_sheet_part(path)
    styled_rows = (FIRST_DATA_ROW + 2, FIRST_DATA_ROW + 5)

    hollow = FIRST_DATA_ROW + 8  # a row left with no cells: <row r="12"/>

    def style_rows(xml: bytes) -> bytes:
        for r in styled_rows:
            xml = xml.replace(b'<row r="%d"' % r, b'<row r="%d" s="3" customFormat="1"' % r)
        return re.sub(rb'<row r="%d"[^>]*>.*?</row>' % hollow, b'<row r="%d"/>' % hollow, xml)

    rewrite_zip(path, {sheet: style_rows})
    fast = _write(path, tier_columns())
    with monkeypatch.context() as m:
        _general(m)
        general = _write(path, tier_columns())
    assert members(fast) == members(general)
    xml = members(fast)[sheet].decode()
    assert f'<c r="I{styled_rows[0]}" s="3">' in xml
    assert f'<c r="I{FIRST_DATA_ROW}">' in xml
    assert f'<row r="{hollow}"><c r="H{hollow}"' in xml
    again_fast = _write(fast, _rerun_columns())
    with monkeypatch.context() as m:
        _general(m)
        again_general = _write(fast, _rerun_columns())
    assert members(again_fast) == members(again_general)
