"""Builders for the register tests: real workbooks written with openpyxl or by hand (zip/XML).

All personal data here is synthetic.
"""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

ZH_HEADERS = ["客户号", "客户姓名", "性别", "出生日期", "身份证号", "手机号", "资产规模(万元)"]
EN_HEADERS = ["Client ID", "Name", "Gender", "Birth date", "ID number", "Mobile", "AUM (10k CNY)"]

# Valid synthetic ID numbers (GB 11643 check digits), one female, one male.
ID_F = "11010519491231002X"
ID_M = "110105198001010013"


def client_rows() -> list[list[Any]]:
    return [
        [10023, "张三", "男", date(1980, 1, 1), ID_M, "138 0013 8000", 1200],
        ["C002", "李四", "女", "1949/12/31", ID_F, "+86 139-0000-0001", "1.2亿"],
        ["C003", "王五", None, None, ID_F, 13900000002, "500万"],
    ]


def write_book(
    path: Path,
    sheets: Sequence[tuple[str, Sequence[Sequence[Any]]]],
    *,
    origin: str = "A1",
    hidden: Sequence[str] = (),
    merge: Sequence[tuple[str, str]] = (),
) -> Path:
    """A workbook with one sheet per (name, rows); rows start at `origin` of each sheet."""
    from openpyxl import Workbook
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

    letters, first_row = coordinate_from_string(origin)
    first_col = column_index_from_string(letters)
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets:
        ws = wb.create_sheet(name)
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                if value is not None:
                    ws.cell(row=first_row + i, column=first_col + j, value=value)
        if name in hidden:
            ws.sheet_state = "hidden"
    for sheet_name, cells in merge:
        wb[sheet_name].merge_cells(cells)
    wb.save(path)
    return path


def simple_register(path: Path, headers: Sequence[str] = ZH_HEADERS) -> Path:
    return write_book(path, [("客户信息", [list(headers), *client_rows()])])


def patch_member(path: Path, member: str, new: bytes, out: Path | None = None) -> Path:
    """Rewrite one member of a zip (others copied as they are)."""
    out = out or path
    with zipfile.ZipFile(path) as src:
        items = [(info, src.read(info.filename)) for info in src.infolist()]
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info, data in items:
            dst.writestr(info.filename, new if info.filename == member else data)
    return out


def member_text(path: Path, member: str) -> str:
    with zipfile.ZipFile(path) as src:
        return src.read(member).decode("utf-8")


def encrypt(path: Path, password: str, out: Path) -> Path:
    from msoffcrypto.format.ooxml import OOXMLFile

    buffer = io.BytesIO()
    with open(path, "rb") as handle:
        OOXMLFile(handle).encrypt(password, buffer)
    out.write_bytes(buffer.getvalue())
    return out


# --- a minimal hand-written package, for hostile variants --------------------------------

CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" '
    b'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    b"</Types>"
)
ROOT_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    b'<sheets><sheet name="Clients" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    b'<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)
SHARED_STRINGS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="4" '
    b'uniqueCount="4"><si><t>Client ID</t></si><si><t>Name</t></si><si><t>AUM</t></si>'
    b"<si><t>Zhang San</t></si></sst>"
)
SHEET_DATA = (
    b'<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>'
    b'<c r="C1" t="s"><v>2</v></c></row>'
    b'<row r="2"><c r="A2"><v>10023</v></c><c r="B2" t="s"><v>3</v></c>'
    b'<c r="C2"><v>120</v></c></row>'
)


def sheet_xml(data: bytes = SHEET_DATA, prolog: bytes = b"") -> bytes:
    return (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        + prolog
        + b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + b"<sheetData>"
        + data
        + b"</sheetData></worksheet>"
    )


def mini_package(
    path: Path,
    *,
    shared_strings: bytes = SHARED_STRINGS,
    sheet: bytes | None = None,
    extra: Sequence[tuple[str, bytes]] = (),
    content_types: bytes = CONTENT_TYPES,
) -> Path:
    """A small, valid .xlsx written member by member (Clients: Client ID, Name, AUM)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr("xl/sharedStrings.xml", shared_strings)
        archive.writestr("xl/worksheets/sheet1.xml", sheet if sheet is not None else sheet_xml())
        for name, data in extra:
            archive.writestr(name, data)
    return path


def set_declared_size(path: Path, member: str, size: int) -> None:
    """Overwrite a member's uncompressed size in its local and central headers (a lie)."""
    data = bytearray(path.read_bytes())
    target = member.encode()
    for signature, size_at, name_len_at, name_at in (
        (b"PK\x01\x02", 24, 28, 46),
        (b"PK\x03\x04", 22, 26, 30),
    ):
        at = data.find(signature)
        while at >= 0:
            (name_len,) = struct.unpack_from("<H", data, at + name_len_at)
            if bytes(data[at + name_at : at + name_at + name_len]) == target:
                struct.pack_into("<I", data, at + size_at, size)
            at = data.find(signature, at + 4)
    path.write_bytes(bytes(data))
