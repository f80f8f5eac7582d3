"""A register as WPS Office (金山 WPS 表格) saves it, built without WPS.

openpyxl writes the register, then the package is post-processed the way WPS-saved files
look. What is taken from public WPS-saved files and tools that read them:

- ``docProps/custom.xml`` with ``ICV`` and ``KSOProductBuildVer`` (``2052-…``: 2052 is the
  zh-CN LCID) and ``CalculationRule``; its root relationship and content type are the standard
  custom-properties ones.
- ``docProps/app.xml`` with ``<Application>WPS 表格</Application>``.
- WPS cell images: ``xl/cellimages.xml`` (root ``etc:cellImages``, namespace
  ``http://www.wps.cn/officeDocument/2017/etCustomData``, one ``etc:cellImage`` holding an
  ``xdr:pic`` whose ``cNvPr/@name`` is ``ID_<hex>``), ``xl/_rels/cellimages.xml.rels`` pointing
  at ``media/imageN.png``, a workbook relationship of type
  ``http://www.wps.cn/officeDocument/2020/cellImage`` and the content type
  ``application/vnd.wps-officedocument.cellimage+xml``; the cells hold
  ``<c t="str"><f>_xlfn.DISPIMG(&quot;ID_<hex>&quot;,1)</f><v>=DISPIMG(&quot;ID_<hex>&quot;,1)</v>``
  (the cached value is the formula's text, so other readers show it).
- ``xmlns:etc`` declared on the worksheet and ``etc:filterBottomFollowUsedRange="0"`` on
  ``autoFilter`` (a WPS attribute Office's schema validator rejects).

Guesses (not checked against a real WPS file, kept because they are plausible and harmless):
``<sheetPr filterMode="0">``; ``xml:space="preserve"`` on every shared string; the ``r``,
``xdr``, ``x14`` and ``mc`` declarations on the worksheet root; the exact member order in the zip.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

CLIENT_SHEET = "客户"
HOLDINGS_SHEET = "持仓"
TITLE_ROW = 1
HEADER_ROW = 2
FIRST_DATA_ROW = 3
HEADERS = [
    "客户号", "客户姓名", "性别", "身份证号", "手机号", "资产规模(万元)", "风险等级",
    "最近联系日期", "照片",
]  # fmt: skip
PHOTO_COLUMN = "I"
IMAGE_IDS = ["ID_9F3A1C2B7D4E4F60A1B2C3D4E5F60718", "ID_0A1B2C3D4E5F40718293A4B5C6D7E8F9"]
BUILD_VER = "2052-11.1.0.14309"
# The deliberate defect: client C0004's ID number has a wrong check digit (…1235 for …1234+).
DEFECT_ROW = FIRST_DATA_ROW + 3
DEFECT_CELL = f"D{DEFECT_ROW}"
ETC_NS = "http://www.wps.cn/officeDocument/2017/etCustomData"


def _id_number(area: str, birth: date, seq: int) -> str:
    """A valid GB 11643 ID number (synthetic)."""
    body = f"{area}{birth:%Y%m%d}{seq:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]
    return body + check


def _bad_check_digit(idn: str) -> str:
    good = idn[-1]
    return idn[:-1] + ("0" if good != "0" else "1")


def client_rows(*, defect: bool = True) -> list[list[Any]]:
    """Eight synthetic clients. 客户号, 手机号 and one amount are numbers stored as text,
    the way WPS keeps them after 设置为文本."""
    people = [
        ("C0001", "周一鸣", "男", "110101", date(1975, 3, 14), 11, "13800000001", 1200, "C4"),
        ("C0002", "吴晓燕", "女", "310104", date(1988, 7, 2), 22, "13900000002", 350.5, "C3"),
        ("C0003", "郑国华", "男", "440305", date(1960, 12, 30), 33, "13700000003", "86", "C2"),
        ("C0004", "冯嘉怡", "女", "330106", date(1992, 5, 9), 44, "13600000004", 45, "C1"),
        ("C0005", "陈立军", "男", "510107", date(1969, 1, 21), 55, "13500000005", 2600, "C5"),
        ("C0006", "褚美玲", "女", "420102", date(1983, 9, 17), 66, "13400000006", 500, "C3"),
        ("C0007", "卫建平", "男", "210102", date(1957, 4, 4), 77, "13300000007", 780, "C2"),
        ("C0008", "蒋思远", "男", "320106", date(1999, 11, 11), 88, "13200000008", 30, "C4"),
    ]
    rows: list[list[Any]] = []
    for i, (cid, name, sex, area, birth, seq, mobile, aum, risk) in enumerate(people):
        idn = _id_number(area, birth, seq * 2 + (1 if sex == "男" else 0))
        if defect and FIRST_DATA_ROW + i == DEFECT_ROW:
            idn = _bad_check_digit(idn)
        contact = date(2026, 1 + i, 10 + i)
        photo = f'=_xlfn.DISPIMG("{IMAGE_IDS[i % 2]}",1)' if i < 2 else None
        rows.append([cid, name, sex, idn, mobile, aum, risk, contact, photo])
    return rows


def holding_rows() -> list[list[Any]]:
    return [
        ["C0001", "稳享90天", "R2", "300", date(2027, 2, 1)],
        ["C0002", "成长混合基金", "R4", 50, None],
        ["C0005", "年年红增额终身寿", "R1", 200, None],
    ]


def _png(rgb: tuple[int, int, int]) -> bytes:
    """A 2x2 PNG of one colour (no imaging library needed)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + bytes(rgb) * 2 for _ in range(2))
    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def _openpyxl_book(path: Path, defect: bool) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = CLIENT_SHEET
    ws.cell(TITLE_ROW, 1, "2026年 个人客户名册（城西支行）").font = Font(bold=True, size=14)
    ws.merge_cells(start_row=TITLE_ROW, start_column=1, end_row=TITLE_ROW, end_column=len(HEADERS))
    for col, text in enumerate(HEADERS, start=1):
        cell = ws.cell(HEADER_ROW, col, text)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    for r, values in enumerate(client_rows(defect=defect), start=FIRST_DATA_ROW):
        for col, value in enumerate(values, start=1):
            cell = ws.cell(r, col, value)
            if col in (1, 4, 5):
                cell.number_format = "@"
            if col == 8:
                cell.number_format = "yyyy/m/d"  # a date is a serial number with a date style
    last = FIRST_DATA_ROW + len(client_rows()) - 1
    ws.auto_filter.ref = f"A{HEADER_ROW}:{PHOTO_COLUMN}{last}"
    ws.freeze_panes = f"A{FIRST_DATA_ROW}"
    hs = wb.create_sheet(HOLDINGS_SHEET)
    hs.append(["客户号", "产品名称", "产品风险等级", "金额(万元)", "到期日"])
    for values in holding_rows():
        hs.append(values)
        hs.cell(hs.max_row, 5).number_format = "yyyy/m/d"
    wb.save(path)


_CUSTOM = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"'
    ' xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    '<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="ICV">'
    "<vt:lpwstr>5C2B8E1F0A9D4B7C8E6F1A2B3C4D5E6F_13</vt:lpwstr></property>"
    '<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="3" name="KSOProductBuildVer">'
    f"<vt:lpwstr>{BUILD_VER}</vt:lpwstr></property>"
    '<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="4" name="CalculationRule">'
    "<vt:i4>0</vt:i4></property></Properties>"
)

_APP = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"'
    ' xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    '<Application>WPS 表格</Application><HeadingPairs><vt:vector size="2" baseType="variant">'
    "<vt:variant><vt:lpstr>工作表</vt:lpstr></vt:variant><vt:variant><vt:i4>2</vt:i4></vt:variant>"
    '</vt:vector></HeadingPairs><TitlesOfParts><vt:vector size="2" baseType="lpstr">'
    f"<vt:lpstr>{CLIENT_SHEET}</vt:lpstr><vt:lpstr>{HOLDINGS_SHEET}</vt:lpstr></vt:vector>"
    "</TitlesOfParts></Properties>"
)


def _cell_image(n: int, image_id: str) -> str:
    return (
        "<etc:cellImage><xdr:pic><xdr:nvPicPr>"
        f'<xdr:cNvPr id="{n + 1}" name="{image_id}" descr="客户照片{n}"/>'
        '<xdr:cNvPicPr><a:picLocks noChangeAspect="1"/></xdr:cNvPicPr></xdr:nvPicPr>'
        f'<xdr:blipFill><a:blip r:embed="rId{n}"/><a:stretch><a:fillRect/></a:stretch>'
        '</xdr:blipFill><xdr:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="571500" cy="571500"/>'
        '</a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></xdr:spPr></xdr:pic>'
        "</etc:cellImage>"
    )


_CELLIMAGES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<etc:cellImages xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"'
    ' xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    ' xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"'
    f' xmlns:etc="{ETC_NS}">'
    + "".join(_cell_image(n, image_id) for n, image_id in enumerate(IMAGE_IDS, start=1))
    + "</etc:cellImages>"
)

_CELLIMAGES_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    + "".join(
        f'<Relationship Id="rId{n}" Type="http://schemas.openxmlformats.org/officeDocument/'
        f'2006/relationships/image" Target="media/image{n}.png"/>'
        for n in range(1, len(IMAGE_IDS) + 1)
    )
    + "</Relationships>"
)

MEDIA = {
    "xl/media/image1.png": _png((200, 30, 30)),
    "xl/media/image2.png": _png((30, 30, 200)),
}

# Members a WPS file has that an openpyxl file does not; `tier` must leave them byte-identical.
WPS_MEMBERS = ["docProps/custom.xml", "xl/cellimages.xml", "xl/_rels/cellimages.xml.rels", *MEDIA]


def _sheet_path(members: dict[str, bytes], sheet_name: str) -> str:
    workbook = members["xl/workbook.xml"].decode()
    m = re.search(rf'<sheet [^>]*name="{sheet_name}"[^>]*r:id="(rId\d+)"', workbook)
    assert m, sheet_name
    rels = members["xl/_rels/workbook.xml.rels"].decode()
    t = re.search(rf'<Relationship [^>]*Id="{m.group(1)}"[^>]*/>', rels)
    assert t
    target = re.search(r'Target="([^"]+)"', t.group(0))
    assert target
    return "xl/" + target.group(1).removeprefix("/xl/")


_WORKSHEET_NS = (
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
    'xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing" '
    'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    f'xmlns:etc="{ETC_NS}"'
)
_DISPIMG = re.compile(r'<c r="([A-Z]+\d+)"><f>_xlfn\.DISPIMG\("(ID_[0-9A-F]+)",1\)</f><v ?/></c>')


def _wps_sheet(xml: str) -> str:
    # WPS declares r, xdr, x14, mc and etc on the worksheet root
    xml = xml.replace("<worksheet ", f"<worksheet {_WORKSHEET_NS} ", 1)
    xml = xml.replace("<sheetPr>", '<sheetPr filterMode="0">', 1)  # guess, see module doc
    xml = re.sub(
        r"<autoFilter ([^>]*?)\s*(/?)>",
        r'<autoFilter \1 etc:filterBottomFollowUsedRange="0"\2>',
        xml,
    )
    # A WPS image cell: a string formula whose cached value is the formula's own text.
    xml, n = _DISPIMG.subn(
        r'<c r="\1" t="str"><f>_xlfn.DISPIMG(&quot;\2&quot;,1)</f>'
        r"<v>=DISPIMG(&quot;\2&quot;,1)</v></c>",
        xml,
    )
    assert n == 2, n
    return xml


_INLINE = re.compile(r'<c ([^>]*?)t="inlineStr"([^>]*)><is><t>([^<]*)</t></is></c>')


def _to_shared(xml: str, table: dict[str, int]) -> str:
    """openpyxl writes inline strings; WPS writes every text cell into sharedStrings.xml."""

    def one(m: re.Match[str]) -> str:
        index = table.setdefault(m.group(3), len(table))
        return f'<c {m.group(1)}t="s"{m.group(2)}><v>{index}</v></c>'

    return _INLINE.sub(one, xml)


def _shared_strings_xml(table: dict[str, int], count: int) -> str:
    items = "".join(f'<si><t xml:space="preserve">{text}</t></si>' for text in table)
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
        f' count="{count}" uniqueCount="{len(table)}">{items}</sst>'
    )


def build_wps_register(path: Path, *, defect: bool = True) -> Path:
    """Write the WPS-style register to `path` and return it; `defect=False` leaves out the bad
    ID number (the holdings sheet keeps its one suitability warning)."""
    _openpyxl_book(path, defect)
    with zipfile.ZipFile(path) as z:
        order = z.namelist()
        members = {name: z.read(name) for name in order}
    client = _sheet_path(members, CLIENT_SHEET)
    members[client] = _wps_sheet(members[client].decode()).encode()
    assert "xl/sharedStrings.xml" not in members  # openpyxl wrote inline strings
    table: dict[str, int] = {}
    count = 0
    for name in [n for n in order if n.startswith("xl/worksheets/sheet")]:
        xml = members[name].decode()
        count += len(_INLINE.findall(xml))
        members[name] = _to_shared(xml, table).encode()
    members["xl/sharedStrings.xml"] = _shared_strings_xml(table, count).encode()
    members["docProps/app.xml"] = _APP.encode()
    members["docProps/custom.xml"] = _CUSTOM.encode()
    members["xl/cellimages.xml"] = _CELLIMAGES.encode()
    members["xl/_rels/cellimages.xml.rels"] = _CELLIMAGES_RELS.encode()
    members.update(MEDIA)

    types = members["[Content_Types].xml"].decode()
    if 'Extension="png"' not in types:
        types = types.replace(
            "<Default ", '<Default Extension="png" ContentType="image/png"/><Default ', 1
        )
    types = types.replace(
        "</Types>",
        '<Override PartName="/docProps/custom.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.custom-properties+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        '<Override PartName="/xl/cellimages.xml" '
        'ContentType="application/vnd.wps-officedocument.cellimage+xml"/></Types>',
    )
    members["[Content_Types].xml"] = types.encode()
    root_rels = members["_rels/.rels"].decode()
    members["_rels/.rels"] = root_rels.replace(
        "</Relationships>",
        '<Relationship Id="rIdWps1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/custom-properties" Target="docProps/custom.xml"/></Relationships>',
    ).encode()
    wb_rels = members["xl/_rels/workbook.xml.rels"].decode()
    members["xl/_rels/workbook.xml.rels"] = wb_rels.replace(
        "</Relationships>",
        '<Relationship Id="rIdWps3" Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
        '<Relationship Id="rIdWps2" Type="http://www.wps.cn/officeDocument/2020/cellImage"'
        ' Target="cellimages.xml"/></Relationships>',
    ).encode()

    extra = [n for n in members if n not in order]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name in order + extra:
            z.writestr(name, members[name])
    return path
