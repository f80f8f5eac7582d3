"""open_book(fields=...) (fastcells.py's targeted reader) against the calamine path.

Every workbook the suite builds, and targeted hand-written ones, are read twice: in full
(calamine) and for a field set (the targeted reader, or calamine when it falls back); the
records, issues and the rest of the sheet must be equal field by field, the full read's
records restricted to the field set. Each fallback trigger is shown to fall back.
"""

from __future__ import annotations

import dataclasses
import random
import sys
import zipfile
from collections.abc import Callable, Collection
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from clientbook.cli import app
from clientbook.errors import ClientbookError
from clientbook.register import fastcells, guard
from clientbook.register.model import Book, ClientRecord, Sheet
from clientbook.register.read import open_book
from clientbook.register.schema import CLIENTS, TIER_FIELDS

sys.path.insert(0, str(Path(__file__).parent))

from register_fixtures import (  # noqa: E402  # noqa: E402
    CONTENT_TYPES,
    ROOT_RELS,
    WORKBOOK_RELS,
    ZH_HEADERS,
    client_rows,
    encrypt,
    mini_package,
    simple_register,
    write_book,
)
from rich_workbook import Variant, build_rich_workbook  # noqa: E402
from tier_fixtures import write_register  # noqa: E402
from validate_fixtures import defect_workbook  # noqa: E402
from wps_fixtures import build_wps_register  # noqa: E402

ALL_FIELDS = frozenset(f.key for f in CLIENTS.fields)
FIELD_SETS = {"tier": TIER_FIELDS, "all": ALL_FIELDS, "aum": frozenset({"aum"})}
_DEFAULTS = {f.name: f.default for f in dataclasses.fields(ClientRecord)}
TODAY = date(2026, 11, 27)


def restricted(sheet: Sheet[ClientRecord], fields: Collection[str]) -> Sheet[ClientRecord]:
    """The full read's sheet as a read of `fields` (their closure) gives it."""
    keep = fastcells.closure(fields) | {"row"}
    if keep & {"birth_date", "gender"}:
        keep |= {"birth_from_id", "gender_from_id"}
    records = [
        dataclasses.replace(
            r, **{k: v for k, v in _DEFAULTS.items() if k not in keep and k != "row"}
        )
        for r in sheet.records
    ]
    issues = [i for i in sheet.issues if i.field in keep]
    return dataclasses.replace(sheet, records=records, issues=issues)


def assert_same(path: Path, fields: Collection[str], **kwargs: Any) -> Book:
    full = open_book(path, **kwargs)
    part = open_book(path, fields=fields, **kwargs)
    want = restricted(full.clients, fields)
    got = part.clients
    assert got.header_row == want.header_row
    assert got.columns == want.columns
    assert got.missing_required == want.missing_required
    assert got.duplicates == want.duplicates
    assert got.skipped == want.skipped
    assert [r.row for r in got.records] == [r.row for r in want.records]
    for a, b in zip(got.records, want.records, strict=True):
        assert a == b, (a, b)
    assert got.issues == want.issues
    assert part.lang == full.lang
    assert part.sheet_names == full.sheet_names
    assert part.contacts == full.contacts
    return part


def same_book_or_refusal(path: Path, fields: Collection[str]) -> Book | None:
    """assert_same's Book; or None when the calamine path refuses the file, after checking
    that the targeted reading refuses it the same way."""
    try:
        open_book(path)
    except ClientbookError as exc:
        with pytest.raises(type(exc)):
            open_book(path, fields=fields)
        return None
    return assert_same(path, fields)


def took_fast(path: Path, fields: Collection[str], password: str | None = None) -> bool:
    """Whether the targeted reader read the client sheet (True) or fell back (False)."""
    name = open_book(path, password=password).clients.name
    if password is not None:
        pytest.skip("encrypted: the decrypted bytes are not at hand here")
    with open(path, "rb") as fp:
        info = guard.check_package(fp, str(path), defer_sheets=True)
        got = fastcells.read_clients(fp, info, name, str(path), fastcells.closure(fields))
    return got is not None


# --- the suite's workbooks -------------------------------------------------------------


def _bench_register(path: Path) -> Path:
    sys.path.insert(0, str(Path(__file__).parents[1] / "benchmarks"))
    from bench_read import generate

    generate(path, 300)
    return path


BUILDERS: dict[str, Callable[[Path], Path]] = {
    "simple": lambda p: simple_register(p / "simple.xlsx"),
    "mini_shared": lambda p: mini_package(p / "mini.xlsx"),
    "defect": lambda p: defect_workbook(p / "defect.xlsx", TODAY),
    "defect_en": lambda p: defect_workbook(p / "defect_en.xlsx", TODAY, english=True),
    "tier_zh": lambda p: write_register(p / "tier.xlsx", "zh", contacts=True),
    "tier_en": lambda p: write_register(p / "tier_en.xlsx", "en"),
    "wps": lambda p: build_wps_register(p / "wps.xlsx"),
    "rich": lambda p: build_rich_workbook(p / "rich.xlsx"),
    "rich_table": lambda p: build_rich_workbook(p / "rich_t.xlsx", Variant(table=True)),
    "rich_beyond": lambda p: build_rich_workbook(p / "rich_b.xlsx", Variant(beyond=True)),
    "rich_macro": lambda p: build_rich_workbook(p / "rich.xlsm", Variant(macro=True)),
    "bench": lambda p: _bench_register(p / "bench.xlsx"),
    "offset": lambda p: write_book(
        p / "offset.xlsx",
        [("客户信息", [["客户名册"], [], ZH_HEADERS, *client_rows()])],
        origin="C2",
        merge=[("客户信息", "C2:F2")],
    ),
}


@pytest.mark.parametrize("which", sorted(BUILDERS))
@pytest.mark.parametrize("field_set", sorted(FIELD_SETS))
def test_suite_workbooks(tmp_path: Path, which: str, field_set: str) -> None:
    path = BUILDERS[which](tmp_path)
    assert_same(path, FIELD_SETS[field_set])


@pytest.mark.parametrize("which", ["simple", "mini_shared", "defect", "tier_zh", "wps", "bench"])
def test_suite_workbooks_take_the_fast_path(tmp_path: Path, which: str) -> None:
    assert took_fast(BUILDERS[which](tmp_path), TIER_FIELDS)


# --- hand-written sheets -------------------------------------------------------------

NS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
STYLES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><styleSheet ' + NS + b">"
    b'<numFmts count="4"><numFmt numFmtId="164" formatCode="yyyy/m/d"/>'
    b'<numFmt numFmtId="165" formatCode="[$-804]yyyy&quot;\xe5\xb9\xb4&quot;m&quot;\xe6\x9c\x88'
    b'&quot;d&quot;\xe6\x97\xa5&quot;"/>'
    b'<numFmt numFmtId="166" formatCode="0.00&quot;d&quot;"/>'
    b'<numFmt numFmtId="167" formatCode="#,##0.00_);[Red](#,##0.00)"/></numFmts>'
    b'<cellXfs count="8"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/>'
    b'<xf numFmtId="165"/><xf numFmtId="166"/><xf numFmtId="167"/><xf numFmtId="22"/>'
    b'<xf numFmtId="4"/></cellXfs></styleSheet>'
)
# Shared strings: plain, rich text runs, phonetic runs, preserved spaces, entities, escapes.
SST_ITEMS = [
    b"<si><t>\xe5\xae\xa2\xe6\x88\xb7\xe5\x8f\xb7</t></si>",  # 0 客户号
    b"<si><t>\xe5\xae\xa2\xe6\x88\xb7\xe5\xa7\x93\xe5\x90\x8d</t></si>",  # 1 客户姓名
    b"<si><t>\xe8\xb5\x84\xe4\xba\xa7\xe8\xa7\x84\xe6\xa8\xa1(\xe4\xb8\x87\xe5\x85\x83)</t></si>",
    b'<si><r><rPr><b/></rPr><t>C</t></r><r><t xml:space="preserve">0 01 </t></r>'
    b'<rPh sb="0" eb="1"><t>PHON</t></rPh></si>',  # 3
    b'<si><t>  \xe5\xbc\xa0\xe4\xb8\x89 </t><phoneticPr fontId="1"/></si>',  # 4
    b"<si><t>A&amp;B &lt;x&gt; _x000D_ _x4E2D_</t></si>",  # 5
    b'<si><t xml:space="preserve"> kept  </t></si>',  # 6
    b"<si/>",  # 7
    b"<si><t>\xe5\x90\x88\xe8\xae\xa1</t></si>",  # 8 合计
    b"<si><t>line1\r\nline2</t></si>",  # 9
]
HEADER = (
    "客户号 客户姓名 性别 出生日期 身份证号 资产规模(万元) 最近联系日期 保密要求 持有产品 "
    "备注 地址 风险等级 开户日期 年收入(万元)"
).split()


def _sst(items: list[bytes]) -> bytes:
    return (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst '
        + NS
        + b' count="%d" uniqueCount="%d">' % (len(items), len(items))
        + b"".join(items)
        + b"</sst>"
    )


def _inline(ref: str, text: str, preserve: bool = False) -> str:
    space = ' xml:space="preserve"' if preserve else ""
    return f'<c r="{ref}" t="inlineStr"><is><t{space}>{text}</t></is></c>'


def _header_row(row: int) -> str:
    return (
        f'<row r="{row}">'
        + "".join(_inline(f"{guard.column_letter(j)}{row}", h) for j, h in enumerate(HEADER))
        + "</row>"
    )


ID_F = "11010519491231002X"


def _rows() -> str:
    """Rows 4.. with the cell kinds a register meets (columns as HEADER)."""
    return "".join(
        [
            # shared strings with rich text / phonetics, date styles, formula with cached value
            '<row r="4" spans="1:14"><c r="A4" t="s"><v>3</v></c><c r="B4" t="s"><v>4</v></c>'
            '<c r="C4" t="inlineStr"><is><t>女</t></is></c><c r="D4" s="2"><v>29221</v></c>'
            f'<c r="E4" t="str"><f>"{ID_F}"</f><v>{ID_F}</v></c>'
            '<c r="F4" s="5"><f>100*2</f><v>200</v></c><c r="G4" s="1"><v>46000</v></c>'
            '<c r="H4" t="b"><v>1</v></c><c r="I4" t="s"><v>5</v></c>'
            '<c r="J4" t="s"><v>6</v></c><c r="M4" s="3"><v>40000</v></c>'
            '<c r="N4" s="4"><v>12.5</v></c></row>',
            # errors, a formula without a cached value, datetime, entities, preserved spaces
            '<row r="5"><c r="A5"><v>10024</v></c>'
            + _inline("B5", "  李 &amp; 四 ")
            + '<c r="D5" s="6"><v>29221.75</v></c><c r="E5" t="e"><v>#N/A</v></c>'
            '<c r="F5" t="e"><v>#DIV/0!</v></c><c r="G5" s="3"><v>45000.5</v></c>'
            '<c r="H5" t="b"><v>0</v></c>'
            + _inline("I5", " 基金、_x000D_国债 ", preserve=True)
            + '<c r="N5"><f>SUM(A1:A2)</f></c></row>',
            # a sparse row; styled empty cells; shared string with entities and CR LF
            '<row r="6"><c r="A6" t="s"><v>6</v></c><c r="C6" s="1"/><c r="F6" s="7"><v>1e3</v></c>'
            '<c r="I6" t="s"><v>9</v></c><c r="K6" s="2"/></row>',
            # values only in columns tier does not read
            '<row r="7"><c r="C7" s="1"/>' + _inline("J7", "备注而已") + "</row>",
            '<row r="8"><c r="L8" t="inlineStr"><is><t>C3</t></is></c></row>',
            # only styled empty cells and blanks: not a record
            '<row r="9"><c r="A9" s="1"/><c r="B9" t="inlineStr"><is><t>   </t></is></c>'
            '<c r="K9" t="s"><v>7</v></c></row>',
            '<row r="10" customHeight="1" ht="20"/>',
            # 1900 dates before March 1900, a custom text format, the 1904 system elsewhere
            '<row r="12"><c r="A12" t="inlineStr"><is><t>C9</t></is></c>'
            '<c r="D12" s="2"><v>59</v></c><c r="G12" s="1"><v>61</v></c>'
            '<c r="F12" t="inlineStr"><is><t>1.2亿</t></is></c><c r="N12"><v>-3.5E-2</v></c>'
            '<c r="M12" t="n" s="3"><v>2958466</v></c></row>',
            # a totals row below the data, and a note
            '<row r="14"><c r="A14" t="s"><v>8</v></c><c r="F14"><v>1200.5</v></c></row>',
            '<row r="15">' + _inline("A15", "注：仅供内部使用") + "</row>",
        ]
    )


def _package(
    path: Path,
    rows: str,
    *,
    head: str = "",
    workbook_pr: str = "",
    prolog: bytes = b"",
    styles: bytes = STYLES,
    sst: list[bytes] | None = None,
    extra_sheet: bool = False,
) -> Path:
    sheet = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        + prolog
        + b"<worksheet "
        + NS
        + b' xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        + b'<sheetViews><sheetView workbookViewId="0"/></sheetViews><sheetData>'
        + (head + rows).encode()
        + b'</sheetData><mergeCells count="1"><mergeCell ref="A1:D1"/></mergeCells>'
        + b"</worksheet>"
    )
    workbook = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook '
        + NS
        + b' xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        + workbook_pr.encode()
        + b'<sheets><sheet name="\xe5\xae\xa2\xe6\x88\xb7\xe4\xbf\xa1\xe6\x81\xaf" sheetId="1" '
        b'r:id="rId1"/></sheets></workbook>'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", workbook)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr("xl/sharedStrings.xml", _sst(SST_ITEMS if sst is None else sst))
        archive.writestr("xl/styles.xml", styles)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    return path


TITLE = '<row r="1">' + _inline("A1", "客户名册（合成）") + "</row>"


def _targeted(path: Path, **kwargs: Any) -> Path:
    return _package(path, _header_row(3) + _rows(), head=TITLE, **kwargs)


@pytest.mark.parametrize("field_set", sorted(FIELD_SETS))
@pytest.mark.parametrize("system", ["1900", "1904"])
def test_targeted_cells(tmp_path: Path, field_set: str, system: str) -> None:
    pr = '<workbookPr date1904="1"/>' if system == "1904" else ""
    path = _targeted(tmp_path / "t.xlsx", workbook_pr=pr)
    assert took_fast(path, FIELD_SETS[field_set])
    book = assert_same(path, FIELD_SETS[field_set])
    rows = [r.row for r in book.clients.records]
    assert rows == [4, 5, 6, 7, 8, 12]  # 7 and 8: values only in other columns
    assert book.clients.skipped == [(14, "合计"), (15, "注：仅供内部使用")]
    first = book.clients.records[0]
    assert first.client_id == "C0 01"  # rich text runs, phonetic run left out
    assert first.name == "张三"


def test_targeted_values_are_calamines(tmp_path: Path) -> None:
    """The raw values the targeted reader hands to the parsers, next to calamine's."""
    from python_calamine import CalamineWorkbook

    path = _targeted(tmp_path / "t.xlsx")
    with open(path, "rb") as fp:
        book = fastcells._workbook(fp, str(path))
    grid = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("客户信息").to_python()
    xml = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")
    for match in fastcells._ANY_CELL.finditer(xml):
        col = guard.column_index(match.group(1).decode()) - 1
        row = int(match.group(2)) - 1
        value = fastcells._cell(book, *match.groups(b"")[2:])
        expected = grid[row][col] if row < len(grid) and col < len(grid[row]) else ""
        assert value == expected and type(value) is type(expected), (match.group(0), value)


# --- fallbacks -------------------------------------------------------------------------

FALLBACKS: dict[str, Callable[[Path], Path]] = {
    "prefixed": lambda p: build_rich_workbook(p / "prefix.xlsx", Variant(prefix=True)),
    "cell_without_r": lambda p: _package(
        p / "nor.xlsx",
        _header_row(3) + _rows().replace('<c r="B4" t="s">', '<c t="s">'),
    ),
    "lowercase_ref": lambda p: _package(
        p / "lower.xlsx", _header_row(3) + _rows().replace('<c r="A5">', '<c r="a5">')
    ),
    "rows_out_of_order": lambda p: _package(
        p / "order.xlsx",
        _header_row(3) + _rows().replace('<row r="12">', '<row r="2">'),
    ),
    "iso_date_cell": lambda p: _package(
        p / "d.xlsx",
        _header_row(3)
        + _rows().replace(
            '<c r="G4" s="1"><v>46000</v></c>', '<c r="G4" t="d"><v>2025-01-02</v></c>'
        ),
    ),
    "time_in_date_column": lambda p: _package(
        p / "time.xlsx",
        _header_row(3) + _rows().replace("<v>46000</v>", "<v>0.5</v>"),
    ),
    "duration_format": lambda p: _package(
        p / "dur.xlsx",
        _header_row(3) + _rows(),
        styles=STYLES.replace(b'formatCode="yyyy/m/d"', b'formatCode="[h]:mm"'),
    ),
    "no_header_in_first_rows": lambda p: _package(
        p / "late.xlsx", _header_row(25) + _rows().replace('r="4"', 'r="26"')
    ),
    "odd_number": lambda p: _package(
        p / "num.xlsx", _header_row(3) + _rows().replace("<v>1200.5</v>", "<v>1200.</v>")
    ),
}


@pytest.mark.parametrize("which", sorted(FALLBACKS))
def test_fallbacks(tmp_path: Path, which: str) -> None:
    path = FALLBACKS[which](tmp_path)
    try:
        full = open_book(path)
    except ClientbookError as exc:  # calamine refuses it: so must the targeted read
        with pytest.raises(type(exc)):
            open_book(path, fields=TIER_FIELDS)
        return
    assert not took_fast(path, TIER_FIELDS)
    assert full.clients.records
    assert_same(path, TIER_FIELDS)


def test_dtd_is_refused_either_way(tmp_path: Path) -> None:
    path = _targeted(tmp_path / "dtd.xlsx", prolog=b"<!DOCTYPE worksheet [<!ENTITY a 'b'>]>")
    with pytest.raises(ClientbookError) as full:
        open_book(path)
    with pytest.raises(ClientbookError) as part:
        open_book(path, fields=TIER_FIELDS)
    assert full.value.key == part.value.key == "register.xml_dtd"  # type: ignore[attr-defined]


def test_encrypted_register(tmp_path: Path) -> None:
    plain = write_register(tmp_path / "t.xlsx", "zh", contacts=True)
    locked = encrypt(plain, "secret", tmp_path / "locked.xlsx")
    assert_same(locked, TIER_FIELDS, password="secret")


def sparse_register(
    path: Path, *, comment_near_the_end: bool = False, near_the_end: str = ""
) -> Path:
    """Several blocks: sparse rows (cells left out), shared strings, rows with values only
    in unread columns, blank rows, all over more than 1 MiB of XML. `near_the_end`: XML put
    at the end of a row in the last block."""
    rng = random.Random(5)
    strings = [f"<si><t>名{i}</t></si>".encode() for i in range(300)]
    rows = []
    for r in range(4, 9000):
        cells = []
        for j in range(len(HEADER)):
            ref = f"{guard.column_letter(j)}{r}"
            roll = rng.random()
            if roll < 0.25:
                continue  # left out
            if j in (0, 1, 9, 10, 8):
                cells.append(f'<c r="{ref}" t="s"><v>{rng.randrange(300)}</v></c>')
            elif j in (3, 6, 12):
                style, serial = rng.choice([1, 2, 3]), rng.randint(20000, 46000)
                cells.append(f'<c r="{ref}" s="{style}"><v>{serial}</v></c>')
            elif roll < 0.3:
                cells.append(f'<c r="{ref}" s="1"/>')
            else:
                cells.append(f'<c r="{ref}"><v>{rng.uniform(-5, 900):.3f}</v></c>')
        rows.append(f'<row r="{r}">' + "".join(cells) + "</row>")
    if comment_near_the_end:
        near_the_end = "<!-- a note -->"
    rows[-10] = rows[-10].replace("</row>", near_the_end + "</row>")
    return _package(path, _header_row(3) + "".join(rows), head=TITLE, sst=SST_ITEMS[:3] + strings)


def test_many_rows_sparse_and_shared(tmp_path: Path) -> None:
    path = sparse_register(tmp_path / "big.xlsx")
    assert took_fast(path, TIER_FIELDS)
    for fields in FIELD_SETS.values():
        assert_same(path, fields)


# --- the real command ------------------------------------------------------------------


def test_tier_cli_uses_the_targeted_reader(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_register(tmp_path / "book.xlsx", "zh", contacts=True)
    calls: list[bool] = []
    real = fastcells.read_clients

    def spy(*args: Any, **kwargs: Any) -> Any:
        got = real(*args, **kwargs)
        calls.append(got is not None)
        return got

    monkeypatch.setattr(fastcells, "read_clients", spy)
    result = CliRunner().invoke(app, ["tier", str(path), "--dry-run"])
    assert result.exit_code == 0, result.stderr
    assert calls == [True]
    monkeypatch.setattr(fastcells, "read_clients", lambda *a, **k: None)
    again = CliRunner().invoke(app, ["tier", str(path), "--dry-run"])
    assert again.exit_code == 0
    assert again.stdout == result.stdout  # the calamine path scores the same


def _regular_rows(first: int, last: int, *, shared: bool) -> str:
    """Rows with the same cells in the same order (the split path), strings shared or not."""
    out = []
    for r in range(first, last):
        cells = []
        for j in range(len(HEADER)):
            ref = f"{guard.column_letter(j)}{r}"
            if j in (3, 6, 12):
                cells.append(f'<c r="{ref}" s="{1 + r % 3}"><v>{30000 + r}</v></c>')
            elif j in (5, 13):
                cells.append(f'<c r="{ref}" t="n"><v>{r * 1.25}</v></c>')
            elif shared:
                cells.append(f'<c r="{ref}" t="s"><v>{r % 7}</v></c>')
            else:
                cells.append(_inline(ref, f"值{r % 11}"))
        out.append(f'<row r="{r}" spans="1:14">' + "".join(cells) + "</row>")
    return "".join(out)


@pytest.mark.parametrize("shared", [False, True])
@pytest.mark.parametrize(
    "spoil",
    ["none", "row_digits", "duplicate", "extra_cell", "empty_inline", "styled_string"],
)
def test_regular_blocks(tmp_path: Path, shared: bool, spoil: str) -> None:
    """Many regular rows (split at each cell, a column matched at once), and the same with
    one row spoilt in a way that block reading must notice (read cell by cell then)."""
    rows = _regular_rows(4, 3000, shared=shared)
    if spoil == "row_digits":
        rows = rows.replace('<c r="B1500"', '<c r="B1501"', 1)
    elif spoil == "duplicate":
        rows = rows.replace('<c r="K2000"', '<c r="A2000"', 1)
    elif spoil == "extra_cell":
        rows = rows.replace("</row>", '<c r="Z2200"><v>1</v></c></row>', 1)
    elif spoil == "empty_inline":
        rows = rows.replace('<c r="B2500"', '<c r="Q2500" t="inlineStr" /><c r="B2500"', 1)
    elif spoil == "styled_string":
        rows = rows.replace('<c r="A2900" t="', '<c r="A2900" s="2" t="', 1)
    path = _package(tmp_path / "regular.xlsx", _header_row(3) + rows, head=TITLE)
    for fields in (TIER_FIELDS, ALL_FIELDS):
        book = same_book_or_refusal(path, fields)
        if book is None:
            return
        assert book.clients.records


def test_shared_strings_benchmark_copy(tmp_path: Path) -> None:
    sys.path.insert(0, str(Path(__file__).parents[1] / "benchmarks"))
    from bench_fastread import shared_copy

    shared = shared_copy(_bench_register(tmp_path / "bench.xlsx"))
    assert took_fast(shared, TIER_FIELDS)
    for fields in FIELD_SETS.values():
        assert_same(shared, fields)


def test_comment_and_cdata_fall_back(tmp_path: Path) -> None:
    rows = _rows().replace(
        '<row r="6">', '<!-- <c r="A6" t="inlineStr"><is><t>X</t></is></c> --><row r="6">'
    )
    path = _package(tmp_path / "comment.xlsx", _header_row(3) + rows, head=TITLE)
    assert not took_fast(path, TIER_FIELDS)
    assert_same(path, TIER_FIELDS)
    cdata = _rows().replace("<v>1200.5</v>", "<v><![CDATA[1200.5]]></v>")
    path = _package(tmp_path / "cdata.xlsx", _header_row(3) + cdata, head=TITLE)
    assert not took_fast(path, TIER_FIELDS)
    assert_same(path, TIER_FIELDS)


@pytest.mark.parametrize(
    ("late", "fast"),
    [
        ('<c r="AD8990" t="inlineStr"><is><t>好!</t></is></c>', True),  # "!" but no markup
        ('<c r="AD8990" t="inlineStr"><is><t>10:30</t></is></c>', True),  # ":" but no prefix
        ('<c r="AD8990"><v><![CDATA[12]]></v></c>', False),
        ('<x:c xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
         ' r="B8990" t="inlineStr"><x:is><x:t>改名</x:t></x:is></x:c>', False),
    ],
)  # fmt: skip
def test_markup_in_a_later_block(tmp_path: Path, late: str, fast: bool) -> None:
    """The quick checks of a later block ("!" and ":" first) find a CDATA section and a
    prefixed cell there, and let plain texts with "!" and ":" through."""
    path = sparse_register(tmp_path / "late.xlsx", near_the_end=late)
    assert took_fast(path, TIER_FIELDS) is fast
    assert_same(path, TIER_FIELDS)


@pytest.mark.parametrize("system", ["1900", "1904"])
def test_random_numbers_and_dates_are_calamines(tmp_path: Path, system: str) -> None:
    """Random serials (fractions of a day, around the 1900 leap-day bug, far in the future,
    exponents) in date, datetime, custom and number styles: each cell as calamine gives it."""
    from python_calamine import CalamineWorkbook

    rng = random.Random(3)
    rows = []
    for r in range(4, 1500):
        value = rng.choice(
            [
                repr(rng.uniform(1, 80000)),
                str(rng.randint(1, 80000)),
                repr(rng.uniform(55, 65)),
                repr(round(rng.uniform(1, 80000), 6)),
                repr(rng.uniform(1, 3e6)),
                f"{rng.randint(1, 9)}e{rng.randint(0, 7)}",
                # whole days: around the leap-day bug, the calendar's end, leading zeros
                str(rng.choice([1, 2, 59, 60, 61, 1462, 2958465, 2958466, 3000000])),
                "00" + str(rng.randint(1, 80000)),
            ]
        )
        style = rng.choice([0, 1, 2, 3, 4, 5, 6])
        rows.append(f'<row r="{r}"><c r="A{r}" s="{style}"><v>{value}</v></c></row>')
    pr = '<workbookPr date1904="1"/>' if system == "1904" else ""
    path = _package(
        tmp_path / "dates.xlsx", _header_row(3) + "".join(rows), workbook_pr=pr, head=TITLE
    )
    with open(path, "rb") as fp:
        book = fastcells._workbook(fp, str(path))
    grid = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("客户信息").to_python()
    xml = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")
    taken = 0
    for match in fastcells._ANY_CELL.finditer(xml):
        row = int(match.group(2)) - 1
        if row < 3:
            continue
        try:
            value = fastcells._cell(book, *match.groups(b"")[2:])
        except fastcells.Fallback:
            continue  # the sheet would be read by calamine
        taken += 1
        expected = grid[row][0]
        assert value == expected and type(value) is type(expected), (match.group(0), value)
    assert taken > 1000


def test_cells_out_of_column_order(tmp_path: Path) -> None:
    """Cells of a row written out of column order are placed by their r, as calamine does."""
    rows = _rows().replace(
        '<c r="A5"><v>10024</v></c>' + _inline("B5", "  李 &amp; 四 "),
        _inline("B5", "  李 &amp; 四 ") + '<c r="A5"><v>10024</v></c>',
    )
    assert rows != _rows()
    path = _package(tmp_path / "order.xlsx", _header_row(3) + rows, head=TITLE)
    assert took_fast(path, TIER_FIELDS)
    for fields in FIELD_SETS.values():
        assert_same(path, fields)


@pytest.mark.parametrize("odd", ["none", "escaped_text", "styled_number", "bad_index"])
def test_amounts_mixed_with_text_are_calamines(tmp_path: Path, odd: str) -> None:
    """An amount column of plain numbers where some cells are text ("待补", shared or
    inline, or empty): read for the whole block at once, each cell as calamine gives it;
    with a cell of another shape the block is read cell by cell."""
    import re

    rows = _regular_rows(4, 3000, shared=True)

    def text_cell(match: re.Match[str]) -> str:
        ref, r = match.group(1), int(match.group(2))
        if r % 7 == 0:
            return _inline(ref, "待补")
        if r % 11 == 0:
            return f'<c r="{ref}" t="s"><v>{r % 5}</v></c>'
        if r % 13 == 0:
            return f'<c r="{ref}" t="inlineStr"><is><t></t></is></c>'
        return match.group(0)

    # F: 资产规模(万元), N: 年收入(万元), both t="n" numbers in _regular_rows
    rows = re.sub(r'<c r="([FN](\d+))" t="n"><v>[^<]*</v></c>', text_cell, rows)
    if odd == "escaped_text":
        rows = rows.replace("<t>待补</t>", "<t>待补 &amp; 核实</t>", 1)
    elif odd == "styled_number":
        rows = rows.replace('<c r="F1000" t="n">', '<c r="F1000" s="4" t="n">', 1)
    elif odd == "bad_index":
        rows = rows.replace('<c r="N1100" t="s"><v>0</v>', '<c r="N1100" t="s"><v>999</v>', 1)
    path = _package(tmp_path / "mixed.xlsx", _header_row(3) + rows, head=TITLE)
    for fields in FIELD_SETS.values():
        if odd == "bad_index" and "income" not in fields:
            continue  # the bad index is in 年收入: a reading without that column never sees it
        book = same_book_or_refusal(path, fields)  # a bad string index: calamine refuses
        if book is None:
            continue
        if "aum" in fields:
            texts = {r.aum for r in book.clients.records if isinstance(r.aum, str)}
            assert not texts  # text in an amount column is an issue, not a value
            assert any(i.field == "aum" for i in book.clients.issues)
