"""The plain rows patched a block at a time (_FastCells.block) write exactly the bytes the
row-by-row path writes, on first runs and re-runs, whatever the values and the rows; and
blocks it cannot prove plain are left to the row-by-row path."""

from __future__ import annotations

import io
import random
from pathlib import Path

import openpyxl
import pytest

from clientbook.errors import ClientbookError
from clientbook.register import write as write_mod
from clientbook.register.write import CellValue, NewColumn, write_columns
from rich_workbook import rewrite_zip
from write_fixtures import members

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHEET = "xl/worksheets/sheet1.xml"
ROWS = 60

TEXTS = [
    "A",
    "速赢",
    "a & b < c > d",
    "_x0041_ literal",
    " leading space",
    "trailing space ",
    "two\nlines",
    "cr\rhere",
    "tab\there",
    "100% sure",
    "%d %s %%",
    "😀 emoji",
    "x" * 300,
]
FLOATS = [0.5, 0.0, -0.0, 1e-300, 1e20, 0.1 + 0.2, -5.5, 6.0, 123456.789]
INTS = [0, -1, 7, 10**18, 42]


def _book(tmp_path: Path, rng: random.Random, clean: tuple[str, str, str] | None = None) -> Path:
    """A workbook whose sheet has a header row and ROWS data rows in a random form (with
    `clean`: that prefix, spans and extra attributes on every row, nothing else)."""
    path = tmp_path / "book.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "客户信息"
    ws.append(["客户号", "姓名"])
    wb.save(path)
    p = rng.choice(["", "x:"])
    spans = rng.choice(["", ' spans="1:2"', ' spans="1:2" x14ac:dyDescent="0.25"'])
    extra = rng.choice(["", ' ht="15" customHeight="1"', ' foo="%d%s"'])
    if clean:
        p, spans, extra = clean
    rows = []
    for r in range(2, ROWS + 2):
        kind = 1.0 if clean else rng.random()
        if r > 2 and kind < 0.03:
            rows.append(f'<{p}row r="{r}"{spans}/>')  # empty row, closed in its tag
            continue
        if kind < 0.06:
            tag = f'<{p}row r="{r}"{spans} s="3" customFormat="1">'
        else:
            tag = f'<{p}row r="{r}"{spans}{extra}>'
        rows.append(
            f'{tag}<{p}c r="A{r}" t="inlineStr"><{p}is><{p}t>C{r:05d}</{p}t></{p}is></{p}c>'
            f'<{p}c r="B{r}"><{p}v>{r * 3}</{p}v></{p}c></{p}row>'
        )
    xmlns = f'xmlns:x="{MAIN}"' if p else f'xmlns="{MAIN}"'
    if "x14ac" in spans:
        xmlns += ' xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac"'
    xml = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<{p}worksheet {xmlns}>'
        f'<{p}dimension ref="A1:B{ROWS + 1}"/><{p}sheetData><{p}row r="1"{spans}>'
        f'<{p}c r="A1" t="inlineStr"><{p}is><{p}t>客户号</{p}t></{p}is></{p}c>'
        f'<{p}c r="B1" t="inlineStr"><{p}is><{p}t>姓名</{p}t></{p}is></{p}c></{p}row>'
        + "".join(rows)
        + f"</{p}sheetData></{p}worksheet>"
    )
    rewrite_zip(path, {SHEET: lambda _: xml.encode()})
    return path


def _column(rng: random.Random, kind: str, seed_rows: range) -> dict[int, CellValue]:
    pool: list[CellValue]
    if kind == "str":
        pool = list(TEXTS)
    elif kind == "float":
        pool = list(FLOATS)
    elif kind == "int":
        pool = list(INTS)
    elif kind == "bool":
        pool = [True, False]
    elif kind == "reasons":  # a distinct text per row, now and then one to escape
        odd = [*TEXTS, "\u3000全角空格在前", "在后\u3000", "不换行空格\u00a0", "\x0bvt"]
        return {
            r: rng.choice(odd) if rng.random() < 0.02 else f"AUM 前{r % 97}%；{r}天前联系过"
            for r in seed_rows
        }
    elif kind == "gaps":
        pool = ["A", "B", None, ""]
    else:  # mixed
        pool = ["A", 1.5, 2, True]
    return {r: rng.choice(pool) for r in seed_rows}


def _columns(rng: random.Random, kinds: list[str]) -> list[NewColumn]:
    rows = range(2, ROWS + 2)
    if rng.random() < 0.2:  # some rows get no value at all
        rows = range(2, ROWS - 5)
    return [
        NewColumn(f"新列{i}", (f"New{i}",), _column(rng, kind, rows))
        for i, kind in enumerate(kinds)
    ]


def _write(src: Path | bytes, columns: list[NewColumn]) -> bytes | str:
    out = io.BytesIO()
    try:
        write_columns(src, out, sheet_name="客户信息", header_row=1, columns=columns)
    except (ClientbookError, ValueError) as exc:
        return f"{type(exc).__name__}: {exc}"
    return out.getvalue()


class _Counter:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.taken = 0
        real = write_mod._FastCells.block

        def counted(fast: write_mod._FastCells, block: bytes, rerun: bool = False) -> bytes | None:
            out = real(fast, block, rerun)
            self.taken += out is not None
            return out

        monkeypatch.setattr(write_mod._FastCells, "block", counted)


def _row_by_row(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(write_mod._FastCells, "block", lambda *a, **k: None)


def _same(a: bytes | str, b: bytes | str) -> None:
    if isinstance(a, str) or isinstance(b, str):
        assert a == b
    else:
        assert members(a) == members(b)


@pytest.mark.parametrize("seed", range(40))
def test_block_path_writes_the_row_by_row_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    rng = random.Random(seed)
    monkeypatch.setattr(write_mod, "_CHUNK", rng.choice([1 << 20, 700, 97]))
    book = _book(tmp_path, rng)
    kinds = ["str", "float", "int", "str", "float", "int", "reasons" if seed % 2 else "str"]
    if seed % 4 == 3:
        kinds[rng.randrange(len(kinds))] = rng.choice(["bool", "gaps", "mixed"])
    first = _columns(rng, kinds)
    again = _columns(rng, kinds)
    fast_first = _write(book, first)
    fast_again = _write(fast_first, again) if isinstance(fast_first, bytes) else fast_first
    with monkeypatch.context() as m:
        _row_by_row(m)
        slow_first = _write(book, first)
        slow_again = _write(slow_first, again) if isinstance(slow_first, bytes) else slow_first
    _same(fast_first, slow_first)
    _same(fast_again, slow_again)
    assert isinstance(fast_first, bytes)  # nothing in these sheets is refused


@pytest.mark.parametrize("prefix", ["", "x:"])
@pytest.mark.parametrize("spans", ["", ' spans="1:2"', ' spans="1:2" x14ac:dyDescent="0.25"'])
@pytest.mark.parametrize("extra", ["", ' foo="%d%s"'])
def test_block_path_is_taken_on_a_clean_sheet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, prefix: str, spans: str, extra: str
) -> None:
    book = _book(tmp_path, random.Random(3), clean=(prefix, spans, extra))
    rng = random.Random(5)
    rows = range(2, ROWS + 2)
    columns = [
        NewColumn(f"新列{i}", (f"New{i}",), _column(rng, kind, rows))
        for i, kind in enumerate(["str", "float", "int", "str"])
    ]
    again = [
        NewColumn(c.header, c.aliases, _column(rng, kind, rows))
        for c, kind in zip(columns, ["str", "float", "int", "str"], strict=True)
    ]
    monkeypatch.setattr(write_mod, "_CHUNK", 600)
    counter = _Counter(monkeypatch)
    written = _write(book, columns)
    assert isinstance(written, bytes) and counter.taken > 3  # first run
    taken = counter.taken
    rewritten = _write(written, again)
    assert isinstance(rewritten, bytes) and counter.taken > taken + 3  # re-run
    with monkeypatch.context() as m:
        _row_by_row(m)
        assert members(_write(book, columns)) == members(written)
        assert members(_write(written, again)) == members(rewritten)


@pytest.mark.parametrize(
    ("header", "alias", "usual", "odd"),
    [("说明", "Reason", "ok", "x" * 40000), ("得分", "Score", 1.5, float("nan"))],
    ids=["too-long-text", "nan"],
)
def test_a_value_that_cannot_be_written_is_refused_the_same(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    header: str,
    alias: str,
    usual: CellValue,
    odd: CellValue,
) -> None:
    book = _book(tmp_path, random.Random(0))
    values: dict[int, CellValue] = dict.fromkeys(range(2, ROWS + 2), usual)
    values[30] = odd
    columns = [NewColumn(header, (alias,), values)]
    fast = _write(book, columns)
    with monkeypatch.context() as m:
        _row_by_row(m)
        slow = _write(book, columns)
    assert isinstance(fast, str) and fast == slow


def test_distinct_texts_are_written_as_the_row_by_row_path_writes_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reasons: a new text in nearly every row, made for a block at once (and one by one
    where a text needs an escape or keeps its spaces)."""
    book = _book(tmp_path, random.Random(3), clean=("", ' spans="1:2"', ""))
    rows = range(2, ROWS + 2)
    for seed in range(6):
        rng = random.Random(seed)
        columns = [NewColumn("说明", ("Reason",), _column(rng, "reasons", rows))]
        if seed == 0:  # every text plain
            columns[0].values.update({r: f"第{r}行 plain" for r in rows})
        monkeypatch.setattr(write_mod, "_CHUNK", rng.choice([600, 1 << 20]))
        with monkeypatch.context() as m:
            counter = _Counter(m)
            written = _write(book, columns)
            assert counter.taken > 0
        with monkeypatch.context() as m:
            _row_by_row(m)
            assert members(_write(book, columns)) == members(written)
