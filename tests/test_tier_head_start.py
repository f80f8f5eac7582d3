"""The writer's first pass made ahead (write.prepare_sheet, used by `clientbook tier` while it
reads): used only when it still fits, and the file written is the same either way."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
from typer.testing import CliRunner

from clientbook.cli import app
from clientbook.register.write import (
    NewColumn,
    find_header_row,
    prepare_sheet,
    write_columns,
)


def _book(path: Path, title: bool, rows: int = 30) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "客户信息"
    if title:
        ws.append(["客户名册"])
    ws.append(["客户编号", "客户姓名", "资产(万元)", "备注"])
    for i in range(rows):
        ws.append([f"C{i:04d}", f"客户{i}", 10 + i, "x" if i % 3 else None])
    wb.save(path)


def _columns(first_row: int, rows: int = 30) -> list[NewColumn]:
    return [
        NewColumn("客户层级", ("Tier",), {first_row + i: "ABC"[i % 3] for i in range(rows)}),
        NewColumn("潜力分", ("Potential",), {first_row + i: float(i) for i in range(rows)}),
    ]


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def _write(path: Path, columns: list[NewColumn], header_row: int, prepared: object) -> bytes:
    out = io.BytesIO()
    write_columns(
        path,
        out,
        sheet_name="客户信息",
        header_row=header_row,
        columns=columns,
        prepared=prepared,  # type: ignore[arg-type]
    )
    return out.getvalue()


def test_header_row_is_found_below_a_title(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    _book(path, title=True)
    found = find_header_row(path, "客户信息", lambda texts: "客户编号" in texts, 20)
    assert found is not None and found[0] == 2
    assert found[1][:2] == ["客户编号", "客户姓名"]
    assert find_header_row(path, "客户信息", lambda texts: False, 20) is None


def test_prepared_pass_gives_the_same_file(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    _book(path, title=True)
    columns = _columns(3)
    names = [(c.header, c.aliases) for c in columns]
    prepared = prepare_sheet(path, sheet_name="客户信息", header_row=2, names=names)
    assert prepared is not None
    assert _members(_write(path, columns, 2, prepared)) == _members(_write(path, columns, 2, None))


def test_stale_prepared_pass_is_not_used(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    _book(path, title=False, rows=5)
    columns = _columns(2)
    names = [(c.header, c.aliases) for c in columns]
    prepared = prepare_sheet(path, sheet_name="客户信息", header_row=1, names=names)
    _book(path, title=False, rows=30)  # the file changed since: more rows
    expected = _members(_write(path, columns, 1, None))
    assert _members(_write(path, columns, 1, prepared)) == expected
    # a prepared pass for another header row is not used either
    wrong = prepare_sheet(path, sheet_name="客户信息", header_row=2, names=names)
    assert _members(_write(path, columns, 1, wrong)) == expected


def test_tier_result_is_the_same_with_a_title_row(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    _book(path, title=True)
    result = CliRunner().invoke(app, ["tier", str(path), "--no-backup", "--lang", "en"])
    assert result.exit_code == 0, result.stderr
    ws = openpyxl.load_workbook(path).active
    assert ws is not None
    assert ws.cell(2, 5).value == "客户层级"
    assert ws.cell(3, 5).value is not None
