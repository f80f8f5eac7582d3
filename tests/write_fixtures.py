"""Helpers for the write-back tests: columns like `tier` writes, and XML comparisons."""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from pathlib import Path
from typing import Any

import defusedxml.ElementTree as DET
import openpyxl

from clientbook.register.write import NewColumn, column_index
from rich_workbook import FIRST_DATA_ROW, LAST_DATA_ROW

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"

TIER_HEADERS = [
    ("客户层级", "Tier"),
    ("潜力分", "Potential"),
    ("易达分", "Ease"),
    ("优先级得分", "Priority score"),
    ("优先级象限", "Quadrant"),
    ("优先排名", "Rank"),
    ("优先级说明", "Reason"),
]


def tier_columns(seed: int = 0, rows: range | None = None) -> list[NewColumn]:
    """Seven columns with deterministic values, like `clientbook tier` writes."""
    rows = rows or range(FIRST_DATA_ROW, LAST_DATA_ROW + 1)
    tiers = "ABCD"
    quads = ["速赢", "培养", "维持", "放弃"]
    values: list[dict[int, Any]] = [{} for _ in TIER_HEADERS]
    for i, r in enumerate(rows):
        k = i + seed
        values[0][r] = tiers[k % 4]
        values[1][r] = round((k * 37) % 100 + 0.5, 1)
        values[2][r] = (k * 53) % 100
        values[3][r] = round(0.6 * values[1][r] + 0.4 * values[2][r], 2)
        values[4][r] = quads[k % 4]
        values[5][r] = i + 1
        values[6][r] = f"AUM top {k % 10 + 1}%; 他行资产 {k * 10}万"
    widths = [10, 8, 8, 10, 10, 8, 30]
    return [
        NewColumn(zh, (en,), values[i], width=widths[i]) for i, (zh, en) in enumerate(TIER_HEADERS)
    ]


def members(data: bytes | Path) -> dict[str, bytes]:
    src = io.BytesIO(data) if isinstance(data, bytes) else data
    with zipfile.ZipFile(src) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


def member_names(data: bytes | Path) -> list[str]:
    src = io.BytesIO(data) if isinstance(data, bytes) else data
    with zipfile.ZipFile(src) as z:
        return z.namelist()


def _col_of(ref: str) -> int:
    m = re.match(r"([A-Z]+)", ref)
    assert m
    return column_index(m.group(1))


def sheet_without(xml: bytes, new_cols: set[int]) -> bytes:
    """The sheet XML with the new columns' cells and <col> entries taken out and the
    attributes a column write legitimately changes (dimension, spans, autoFilter ref)
    blanked, canonicalised for comparison."""
    root = DET.fromstring(xml, forbid_dtd=True)
    for row in root.iter(NS + "row"):
        row.attrib.pop("spans", None)
        for c in list(row):
            if c.tag == NS + "c" and c.get("r") and _col_of(c.get("r", "")) in new_cols:
                row.remove(c)
    for dim in root.iter(NS + "dimension"):
        dim.set("ref", "")
    for af in root.findall(NS + "autoFilter"):
        af.set("ref", "")
    for cols in root.iter(NS + "cols"):
        for col in list(cols):
            lo, hi = int(col.get("min", "0")) - 1, int(col.get("max", "0")) - 1
            if lo == hi and lo in new_cols:
                cols.remove(col)
        if len(cols) == 0:
            root.remove(cols)
    import xml.etree.ElementTree as ET

    return ET.canonicalize(ET.tostring(root))  # type: ignore[return-value]


def load_quietly(data: bytes | Path) -> tuple[openpyxl.Workbook, list[str]]:
    """openpyxl's workbook and the warnings it gave while loading."""
    src = io.BytesIO(data) if isinstance(data, bytes) else data
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        wb = openpyxl.load_workbook(src)
    return wb, sorted(str(w.message) for w in caught)
