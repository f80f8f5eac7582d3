"""Write-back on unusual but valid sheet XML, and the refusals for what is not safe."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import defusedxml.ElementTree as DET
import openpyxl
import pytest

from clientbook.errors import UnusableFile, WriteError
from clientbook.register.write import NewColumn, plan_columns, write_columns
from rich_workbook import rewrite_zip
from write_fixtures import NS, load_quietly, members

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHEET = "xl/worksheets/sheet1.xml"


def _book(tmp_path: Path, sheet_xml: str, *, name: str = "Clients") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = name
    ws["A1"] = "placeholder"
    path = tmp_path / "book.xlsx"
    wb.save(path)
    rewrite_zip(path, {SHEET: lambda _: sheet_xml.encode()})
    return path


def _write(path: Path | bytes, columns: list[NewColumn], header_row: int = 1) -> bytes:
    out = io.BytesIO()
    write_columns(path, out, sheet_name="Clients", header_row=header_row, columns=columns)
    return out.getvalue()


def _t(ref: str, text: str, extra: str = "") -> str:
    """An inline-string cell."""
    return f'<c r="{ref}"{extra} t="inlineStr"><is><t>{text}</t></is></c>'


TIER = NewColumn("Tier", ("客户层级",), {2: "A", 3: "B", 4: "C"}, width=9)


def test_cells_without_r_pretty_printed_and_single_quotes(tmp_path: Path) -> None:
    xml = f"""<?xml version='1.0' encoding='UTF-8'?>
<worksheet xmlns='{MAIN}'>
  <dimension ref='A1:C4'/>
  <sheetData>
    <row r='1' spans='1:3'>
      <c t='inlineStr'><is><t>Client ID</t></is></c>
      <c t='inlineStr'><is><t>Name</t></is></c>
      <c t='inlineStr'><is><t>AUM</t></is></c>
    </row>
    <row spans='1:3'><c><v>1</v></c><c t='inlineStr'><is><t>Ann</t></is></c><c><v>10</v></c></row>
    <row r='3' spans='1:3' hidden='1'/>
    <row r='4' spans='1:3'><c r='A4'><v>3</v></c><c r='C4'><v>30</v></c></row>
  </sheetData>
</worksheet>"""
    path = _book(tmp_path, xml)
    data = _write(path, [TIER])
    wb, warnings = load_quietly(data)
    assert warnings == []
    ws = wb["Clients"]
    assert [ws.cell(row=r, column=4).value for r in range(1, 5)] == ["Tier", "A", "B", "C"]
    assert ws.row_dimensions[3].hidden
    root = DET.fromstring(members(data)[SHEET])
    rows = root.find(f"{NS}sheetData")
    assert [r.get("spans") for r in rows] == ["1:4", "1:4", "1:4", "1:4"]
    assert root.find(f"{NS}dimension").get("ref") == "A1:D4"
    assert _write(data, [TIER]) == data or members(_write(data, [TIER])) == members(data)


def test_columns_beyond_the_header_go_after_the_last_value(tmp_path: Path) -> None:
    xml = f"""<?xml version="1.0" encoding="UTF-8"?>
<worksheet xmlns="{MAIN}"><sheetData>
<row r="1">{_t("A1", "Client ID")}{_t("B1", "Name")}<c r="F1" s="0"/></row>
<row r="2"><c r="A2"><v>1</v></c><c r="E2"><v>99</v></c><c r="G2" s="0"/></row>
<row r="3"><c r="A3"><v>2</v></c></row>
</sheetData></worksheet>"""
    path = _book(tmp_path, xml)
    result = plan_columns(path, sheet_name="Clients", header_row=1, columns=[TIER])
    assert [c.letter for c in result.columns] == ["F"]  # after E, the last value; F1 is empty
    data = _write(path, [TIER])
    ws = load_quietly(data)[0]["Clients"]
    assert ws["F1"].value == "Tier" and ws["F2"].value == "A" and ws["E2"].value == 99
    xml_out = members(data)[SHEET].decode()
    assert '<c r="F1" s="0" t="inlineStr">' in xml_out  # the user's styled cell keeps its style
    assert '<c r="G2" s="0"/>' in xml_out


def test_existing_column_in_the_middle_is_updated_in_order(tmp_path: Path) -> None:
    xml = f"""<?xml version="1.0" encoding="UTF-8"?>
<worksheet xmlns="{MAIN}"><sheetData>
<row r="1">{_t("A1", "ID")}{_t("B1", "客户层级")}{_t("C1", "Notes")}</row>
<row r="2"><c r="A2"><v>1</v></c>{_t("B2", "old", ' s="0"')}{_t("C2", "keep")}</row>
<row r="3"><c r="A3"><v>2</v></c>{_t("B3", "stale")}{_t("C3", "keep too")}</row>
<row r="4"><c r="A4"><v>3</v></c></row>
</sheetData></worksheet>"""
    path = _book(tmp_path, xml)
    column = NewColumn("Tier", ("客户层级",), {2: "A", 3: None, 4: "C"})
    data = _write(path, [column, NewColumn("Rank", (), {2: 1, 3: 2, 4: 3})])
    out = members(data)[SHEET].decode()
    assert '<c r="B2" s="0" t="inlineStr"><is><t>A</t></is></c>' in out  # style kept
    assert "stale" not in out  # blank value clears the old one
    assert '<c r="B4" t="inlineStr"><is><t>C</t></is></c>' in out
    ws = load_quietly(data)[0]["Clients"]
    assert [c.value for c in ws[1]] == ["ID", "客户层级", "Notes", "Rank"]
    assert ws["C3"].value == "keep too" and ws["D4"].value == 3
    for row in DET.fromstring(out.encode()).iter(f"{NS}row"):
        refs = [c.get("r") for c in row]
        assert refs == sorted(refs, key=lambda r: (len(r), r))


def test_self_closing_sheet_data_and_missing_header_row(tmp_path: Path) -> None:
    xml = f'<worksheet xmlns="{MAIN}"><sheetData/></worksheet>'
    path = _book(tmp_path, xml)
    with pytest.raises(WriteError) as info:
        _write(path, [TIER])
    assert info.value.key == "write.header_row_missing"


def test_unknown_sheet(tmp_path: Path) -> None:
    path = _book(tmp_path, f'<worksheet xmlns="{MAIN}"><sheetData/></worksheet>')
    with pytest.raises(WriteError) as info:
        write_columns(path, io.BytesIO(), sheet_name="Nope", header_row=1, columns=[TIER])
    assert info.value.key == "write.sheet_not_found" and "Nope" in info.value.render("zh")


@pytest.mark.parametrize(
    "xml",
    [
        f'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "boom">]><worksheet xmlns="{MAIN}">'
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&e;</t></is></c></row>'
        "</sheetData></worksheet>",
        f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>'
        "<![CDATA[ID]]></t></is></c></row></sheetData></worksheet>",
        f'<worksheet xmlns="{MAIN}"><sheetData><!-- </row> --><row r="1"></row></sheetData>'
        "</worksheet>",
        f'<?xml version="1.0" encoding="UTF-16"?><worksheet xmlns="{MAIN}"><sheetData>'
        "</sheetData></worksheet>",
        f'<worksheet xmlns="{MAIN}"><sheetData><row r="2"></row><row r="1"></row></sheetData>'
        "</worksheet>",
    ],
    ids=["doctype", "cdata", "comment", "utf16", "row-order"],
)
def test_unsafe_sheet_xml_is_refused(tmp_path: Path, xml: str) -> None:
    path = _book(tmp_path, xml)
    with pytest.raises(WriteError) as info:
        _write(path, [TIER])
    assert info.value.key == "write.unsupported_xml"
    assert "Clients" in info.value.render("en")


def test_merged_cells_over_a_clientbook_column_are_refused(tmp_path: Path) -> None:
    xml = f"""<worksheet xmlns="{MAIN}"><sheetData>
<row r="1">{_t("A1", "ID")}{_t("B1", "Tier")}</row>
<row r="2"><c r="A2"><v>1</v></c><c r="B2" t="inlineStr"><is><t>x</t></is></c></row>
</sheetData><mergeCells count="1"><mergeCell ref="B2:C3"/></mergeCells></worksheet>"""
    path = _book(tmp_path, xml)
    with pytest.raises(WriteError) as info:
        _write(path, [TIER])
    assert info.value.key == "write.merged_cells" and "B2:C3" in info.value.render("zh")


def test_merged_range_pushes_new_columns_right(tmp_path: Path) -> None:
    xml = f"""<worksheet xmlns="{MAIN}"><sheetData>
<row r="1">{_t("A1", "ID")}{_t("B1", "Group")}</row>
<row r="2"><c r="A2"><v>1</v></c><c r="B2" t="inlineStr"><is><t>x</t></is></c></row>
</sheetData><mergeCells count="1"><mergeCell ref="B2:D2"/></mergeCells></worksheet>"""
    path = _book(tmp_path, xml)
    result = plan_columns(path, sheet_name="Clients", header_row=1, columns=[TIER])
    assert result.columns[0].letter == "E"


def test_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    path.write_bytes(b"just text")
    with pytest.raises(UnusableFile):
        _write(path, [TIER])


def test_large_rows_across_chunk_boundaries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from clientbook.register import write as write_mod

    monkeypatch.setattr(write_mod, "_CHUNK", 97)  # rows and tags cut at every position
    rows = "".join(
        f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="B{r}" t="inlineStr"><is><t>名字{r}</t>'
        "</is></c></row>"
        for r in range(2, 60)
    )
    xml = (
        f'<worksheet xmlns="{MAIN}"><dimension ref="A1:B59"/><sheetData><row r="1">'
        '<c r="A1" t="inlineStr"><is><t>ID</t></is></c><c r="B1" t="inlineStr"><is><t>Name'
        f'</t></is></c></row>{rows}</sheetData><autoFilter ref="A1:B59"/></worksheet>'
    )
    path = _book(tmp_path, xml)
    column = NewColumn("Tier", (), {r: f"T{r}" for r in range(2, 60)})
    data = _write(path, [column])
    ws = load_quietly(data)[0]["Clients"]
    assert [ws.cell(row=r, column=3).value for r in range(1, 60)] == ["Tier"] + [
        f"T{r}" for r in range(2, 60)
    ]
    assert 'autoFilter ref="A1:C59"' in members(data)[SHEET].decode()


def test_zip_members_are_copied_raw(tmp_path: Path) -> None:
    """Compressed bytes of untouched members are identical, not just their content."""
    path = _book(
        tmp_path,
        f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>ID'
        "</t></is></c></row></sheetData></worksheet>",
    )
    data = _write(path, [TIER])

    def raw(src: Path | bytes, name: str) -> bytes:
        f = open(src, "rb") if isinstance(src, Path) else io.BytesIO(src)  # noqa: SIM115
        with f, zipfile.ZipFile(f) as z:
            info = z.getinfo(name)
            f.seek(info.header_offset + 26)
            n, m = int.from_bytes(f.read(2), "little"), int.from_bytes(f.read(2), "little")
            f.seek(info.header_offset + 30 + n + m)
            return f.read(info.compress_size)

    for name in ("xl/styles.xml", "xl/workbook.xml", "[Content_Types].xml"):
        assert raw(path, name) == raw(data, name)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.testzip() is None


def test_title_rows_above_the_header_do_not_move_the_columns(tmp_path: Path) -> None:
    xml = f"""<worksheet xmlns="{MAIN}"><sheetData>
<row r="1">{_t("A1", "客户名册")}{_t("K1", "制表日期 2024-01-01")}</row>
<row r="2">{_t("A2", "ID")}{_t("B2", "Name")}</row>
<row r="3"><c r="A3"><v>1</v></c>{_t("B3", "Ann")}</row>
</sheetData></worksheet>"""
    path = _book(tmp_path, xml)
    column = NewColumn("Tier", (), {3: "A"})
    result = plan_columns(path, sheet_name="Clients", header_row=2, columns=[column])
    assert result.columns[0].letter == "C"
    data = _write(path, [column], header_row=2)
    ws = load_quietly(data)[0]["Clients"]
    assert ws["C2"].value == "Tier" and ws["C3"].value == "A" and ws["K1"].value.startswith("制表")


def test_symlinked_register_is_updated_through_its_link(tmp_path: Path) -> None:
    import os

    from clientbook.safe_io import update_register

    if os.name != "posix":
        pytest.skip("symlinks")
    real = _book(
        tmp_path,
        f'<worksheet xmlns="{MAIN}"><sheetData><row r="1">{_t("A1", "ID")}</row>'
        '<row r="2"><c r="A2"><v>1</v></c></row></sheetData></worksheet>',
    )
    link = tmp_path / "link.xlsx"
    link.symlink_to(real)
    update_register(link, [TIER], sheet_name="Clients", header_row=1)
    assert link.is_symlink()
    assert load_quietly(real)[0]["Clients"]["B2"].value == "A"


class _Unseekable(io.RawIOBase):
    def __init__(self) -> None:
        self.data = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, b: bytes) -> int:  # type: ignore[override]
        self.data += b
        return len(b)


def test_source_zip_with_data_descriptors_and_zip64_extras(tmp_path: Path) -> None:
    """Members written by streaming tools (data descriptors, Zip64 extra fields) are copied
    raw into an ordinary archive that every reader accepts."""
    path = _book(
        tmp_path,
        f'<worksheet xmlns="{MAIN}"><sheetData><row r="1">{_t("A1", "ID")}</row>'
        '<row r="2"><c r="A2"><v>1</v></c></row></sheetData></worksheet>',
    )
    with zipfile.ZipFile(path) as z:
        items = [(i.filename, z.read(i)) for i in z.infolist()]
    sink = _Unseekable()
    with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED) as z:  # type: ignore[arg-type]
        for name, data in items:
            with z.open(name, "w", force_zip64=name.endswith("styles.xml")) as f:
                f.write(data)
    streamed = bytes(sink.data)
    with zipfile.ZipFile(io.BytesIO(streamed)) as z:
        assert all(i.flag_bits & 0x08 for i in z.infolist())  # data descriptors
    data = _write(streamed, [TIER])
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.testzip() is None
        assert not any(i.flag_bits & 0x08 for i in z.infolist())
    assert {k: v for k, v in members(data).items() if k != SHEET} == {
        k: v for k, v in members(streamed).items() if k != SHEET
    }
    assert load_quietly(data)[0]["Clients"]["B2"].value == "A"


def test_sheet_as_excel_writes_it(tmp_path: Path) -> None:
    """Markup-compatibility namespaces, x14ac row attributes and xr uids, as in Excel's own
    files, go through untouched; the header row is parsed with the root's namespaces."""
    xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
        f'<worksheet xmlns="{MAIN}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/'
        '2006" mc:Ignorable="x14ac xr xr2 xr3" xmlns:x14ac="http://schemas.microsoft.com/office/'
        'spreadsheetml/2009/9/ac" xmlns:xr="http://schemas.microsoft.com/office/spreadsheetml/'
        '2014/revision" xr:uid="{00000000-0001-0000-0000-000000000000}">'
        '<dimension ref="A1:B3"/><sheetViews><sheetView tabSelected="1" workbookViewId="0">'
        '<selection activeCell="B3" sqref="B3"/></sheetView></sheetViews>'
        '<sheetFormatPr defaultRowHeight="14.25" x14ac:dyDescent="0.2"/>'
        '<sheetData><row r="1" spans="1:2" x14ac:dyDescent="0.2">'
        f"{_t('A1', '客户号')}{_t('B1', '客户姓名')}</row>"
        '<row r="2" spans="1:2" ht="15" customHeight="1" x14ac:dyDescent="0.2">'
        f'<c r="A2"><v>10001</v></c>{_t("B2", "甲")}</row>'
        '<row r="3" spans="1:2" x14ac:dyDescent="0.2">'
        f'<c r="A3"><v>10002</v></c>{_t("B3", "乙")}</row></sheetData>'
        '<phoneticPr fontId="1" type="noConversion"/>'
        '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
        "</worksheet>"
    )
    path = _book(tmp_path, xml)
    data = _write(path, [NewColumn("客户层级", ("Tier",), {2: "A", 3: "B"}, width=12)])
    out = members(data)[SHEET].decode()
    assert '<row r="2" spans="1:3" ht="15" customHeight="1" x14ac:dyDescent="0.2">' in out
    assert '<cols><col min="3" max="3" width="12" customWidth="1"/></cols><sheetData>' in out
    assert out.startswith(xml.split("<dimension")[0])  # prolog and root tag byte for byte
    assert out.endswith(xml[xml.index("<phoneticPr") :])
    wb, warnings = load_quietly(data)
    assert warnings == [] and wb["Clients"]["C3"].value == "B"
    assert members(_write(data, [NewColumn("客户层级", (), {2: "A", 3: "B"})])) == members(data)


@pytest.mark.parametrize(
    "row3",
    [
        # a row extension: refused (nothing is written)
        '<row r="3"><c r="A3"><v>2</v></c><extLst><ext uri="{0}"/></extLst></row>',
        # a value right of the header, r= not first: new columns go after it
        '<row r="3"><c s="0" r="A3"><v>2</v></c><c t="n" r="D3"><v>7</v></c></row>',
        # a lower-case reference right of the header
        '<row r="3"><c r="A3"><v>2</v></c><c r="d3"><v>7</v></c></row>',
    ],
)
def test_unusual_rows_are_found_by_the_first_pass(tmp_path: Path, row3: str) -> None:
    """The first pass proves a block usual with one search; anything unusual in it is
    looked at with the careful checks (a block of many usual rows around one odd row)."""
    usual = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(4, 3000))
    xml = f"""<?xml version="1.0" encoding="UTF-8"?>
<worksheet xmlns="{MAIN}"><sheetData>
<row r="1">{_t("A1", "Client ID")}{_t("B1", "Name")}</row>
<row r="2"><c r="A2"><v>1</v></c></row>{row3}{usual}
</sheetData></worksheet>"""
    path = _book(tmp_path, xml)
    if "extLst" in row3:
        with pytest.raises(WriteError, match="row 3"):
            _write(path, [TIER])
        return
    planned = plan_columns(path, sheet_name="Clients", header_row=1, columns=[TIER])
    assert [c.letter for c in planned.columns] == ["E"]  # after the value in D3
    data = _write(path, [TIER])
    assert load_quietly(data)[0]["Clients"]["E3"].value == "B"
