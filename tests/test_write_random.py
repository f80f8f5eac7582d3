"""Randomised sheets: whatever the layout (r= or not, whitespace, empty rows, styled empty
cells, an existing clientbook column, missing rows, tiny read blocks), every cell that is
not clientbook's stays exactly as it was, in order, and clientbook's cells hold the values."""

from __future__ import annotations

import io
import random
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import defusedxml.ElementTree as DET
import openpyxl
import pytest

from clientbook.errors import WriteError
from clientbook.register import write as write_mod
from clientbook.register.write import NewColumn, column_index, column_letter, write_columns
from rich_workbook import rewrite_zip
from write_fixtures import members

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHEET = "xl/worksheets/sheet1.xml"
Q = f"{{{MAIN}}}"


def _sheet(rng: random.Random) -> tuple[str, int, int | None, dict[int, int], list[int]]:
    """A random sheet: its XML, the header row, the column of an existing 'Tier' header
    (or None), per row the last column holding a value, and the rows with a formula in
    the 'Tier' column."""
    p = "x:" if rng.random() < 0.3 else ""
    ws = "\n  " if rng.random() < 0.3 else ""
    header_row = rng.choice([1, 2, 3])
    n_cols = rng.randint(2, 6)
    tier_col = rng.randrange(n_cols + 1) if rng.random() < 0.5 else None
    rows: list[str] = []
    last_data: dict[int, int] = {}
    formula_in_tier: list[int] = []
    for r in range(1, rng.randint(header_row + 1, header_row + 25)):
        if r != header_row and rng.random() < 0.1:
            rows.append(f'<{p}row r="{r}"/>')
            continue
        cells = []
        cols = sorted(rng.sample(range(n_cols + 3), rng.randint(1, n_cols)))
        if r == header_row:
            cols = sorted(set(range(n_cols)) | ({tier_col} if tier_col is not None else set()))
        use_r = rng.random() < 0.85
        prev = -1
        for c in cols:
            if not use_r and c != prev + 1:
                use_r_cell = True
            else:
                use_r_cell = use_r
            ref = f' r="{column_letter(c)}{r}"' if use_r_cell else ""
            prev = c
            if r == header_row:
                text = "Tier" if c == tier_col else f"H{c}"
                cells.append(f'<{p}c{ref} t="inlineStr"><{p}is><{p}t>{text}</{p}t></{p}is></{p}c>')
                last_data[r] = c
            elif rng.random() < 0.15:
                cells.append(f'<{p}c{ref} s="0"/>')  # a styled empty cell
            elif rng.random() < 0.05:
                cells.append(f"<{p}c{ref}><{p}f>1+{c}</{p}f><{p}v>{1 + c}</{p}v></{p}c>")
                last_data[r] = max(last_data.get(r, -1), c)
                if c == tier_col and r > header_row:
                    formula_in_tier.append(r)
            else:
                cells.append(f"<{p}c{ref}><{p}v>{rng.randint(0, 999)}</{p}v></{p}c>")
                last_data[r] = max(last_data.get(r, -1), c)
        attrs = f' r="{r}"' if rng.random() < 0.9 or r == header_row else ""
        spans = ' spans="1:4"' if rng.random() < 0.5 else ""
        rows.append(f"<{p}row{attrs}{spans}>{ws.join(cells)}</{p}row>")
    ns = f'xmlns:x="{MAIN}"' if p else f'xmlns="{MAIN}"'
    xml = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<{p}worksheet {ns}><{p}sheetData>{ws}'
        + ws.join(rows)
        + f"{ws}</{p}sheetData></{p}worksheet>"
    )
    return xml, header_row, tier_col, last_data, formula_in_tier


def _cells(xml: bytes) -> dict[int, list[tuple[int, ET.Element]]]:
    root = DET.fromstring(xml)
    out: dict[int, list[tuple[int, ET.Element]]] = {}
    num = 0
    for row in root.iter(Q + "row"):
        num = int(row.get("r", num + 1))
        col = -1
        cells = []
        for c in row.iter(Q + "c"):
            m = re.match(r"([A-Z]+)", c.get("r", ""))
            col = column_index(m.group(1)) if m else col + 1
            c.tail = None  # whitespace between cells is not content
            c.set("r", f"{column_letter(col)}{num}")  # an implied reference, made explicit
            cells.append((col, c))
        out[num] = cells
    return out


def _canon(c: ET.Element) -> str:
    """The cell as canonical XML (attribute order does not matter)."""
    return ET.canonicalize(ET.tostring(c))


def _value(c: ET.Element) -> object:
    v = c.find(Q + "v")
    if v is not None:
        return float(v.text or "")
    t = c.find(f"{Q}is/{Q}t")
    return None if t is None else t.text


@pytest.mark.parametrize("seed", range(int(__import__("os").environ.get("CB_SEEDS", "60"))))
def test_random_sheets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int) -> None:
    rng = random.Random(seed)
    monkeypatch.setattr(write_mod, "_CHUNK", rng.choice([37, 64, 200, 1 << 20]))
    xml, header_row, tier_col, last_data, formula_in_tier = _sheet(rng)
    wb = openpyxl.Workbook()
    assert wb.active is not None
    wb.active.title = "Clients"
    path = tmp_path / "book.xlsx"
    wb.save(path)
    rewrite_zip(path, {SHEET: lambda _: xml.encode()})
    before = _cells(xml.encode())
    last_row = max(before)
    rows = range(header_row + 1, last_row + 4)  # some rows past the end do not exist
    tier = {r: rng.choice(["A", "B", None, "  x\n"]) for r in rows}
    rank = {r: rng.choice([1, 2.5, None]) for r in rows}
    out = io.BytesIO()
    columns = [NewColumn("Tier", (), tier), NewColumn("Rank", (), rank)]
    if formula_in_tier:
        with pytest.raises(WriteError) as info:
            write_columns(path, out, sheet_name="Clients", header_row=header_row, columns=columns)
        assert info.value.key == "write.formula_in_column"
        assert info.value.params["cell"] in {
            f"{column_letter(tier_col or 0)}{r}" for r in formula_in_tier
        }
        return
    result = write_columns(path, out, sheet_name="Clients", header_row=header_row, columns=columns)
    used = max(c for r, c in last_data.items() if r >= header_row)
    expected_tier = tier_col if tier_col is not None else used + 1
    expected_rank = used + 1 if tier_col is not None else used + 2
    assert [c.index for c in result.columns] == [expected_tier, expected_rank], xml
    after = _cells(members(out.getvalue())[SHEET])
    targets = {expected_tier, expected_rank}
    for r, cells in before.items():
        kept = [_canon(c) for col, c in cells if col not in targets]
        now = [_canon(c) for col, c in after[r] if col not in targets]
        assert now == kept, (r, xml)
    for r, cells in after.items():
        cols = [col for col, _ in cells]
        assert cols == sorted(set(cols)), (r, xml)
        got = {col: _value(c) for col, c in cells if col in targets}
        if r == header_row:
            assert got.get(expected_rank) == "Rank"
            continue
        if r < header_row:  # rows above the header are never touched
            assert [_canon(c) for _, c in cells] == [_canon(c) for _, c in before[r]]
            continue
        for col, values in ((expected_tier, tier), (expected_rank, rank)):
            want = values.get(r)
            value = got.get(col)
            assert value == (float(want) if isinstance(want, (int, float)) else want), (r, col)
    assert list(after) == sorted(after)
    assert {r for r in rows if tier[r] is not None or rank[r] is not None} <= set(after)
    # and the result is a workbook openpyxl reads
    openpyxl.load_workbook(io.BytesIO(out.getvalue()))
    # a second run with the same values changes nothing
    again = io.BytesIO()
    write_columns(
        out.getvalue(),
        again,
        sheet_name="Clients",
        header_row=header_row,
        columns=[NewColumn("Tier", (), tier), NewColumn("Rank", (), rank)],
    )
    assert members(again.getvalue()) == members(out.getvalue())
