"""A register that carries every feature a lossless write-back must keep.

Built with openpyxl, then post-processed inside the zip for what openpyxl cannot write:
an image, an Excel 2010 data bar extension, shared formulas, a VBA project, a namespace
prefix on the sheet XML. All personal data is synthetic.
"""

from __future__ import annotations

import base64
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import openpyxl
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.formatting.rule import (
    CellIsRule,
    ColorScaleRule,
    DataBarRule,
    FormulaRule,
    IconSetRule,
)
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableStyleInfo

CLIENT_SHEET = "客户"
HEADER_ROW = 3
FIRST_DATA_ROW = 4
N_CLIENTS = 20
LAST_DATA_ROW = FIRST_DATA_ROW + N_CLIENTS - 1
HEADERS = ["客户号", "客户姓名", "资产规模(万元)", "风险等级", "开户日期", "资产翻倍", "备注"]
# A 1x1 PNG
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
VBA = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 8  # synthetic, not real VBA

_X14_DATABAR_ID = "{6C3E4AD9-6A5C-4F4E-9E3D-3B2A1F0E9D8C}"


@dataclass(frozen=True)
class Variant:
    table: bool = False  # client data as an Excel table instead of a sheet autofilter
    macro: bool = False  # .xlsm with a vbaProject.bin
    prefix: bool = False  # the client sheet's XML uses an x: prefix
    beyond: bool = False  # values and styled cells right of the header's last column


def client_rows() -> list[list[object]]:
    rows: list[list[object]] = []
    for i in range(N_CLIENTS):
        rows.append(
            [
                f"C{10001 + i}",
                f"测试客户{i:02d}",
                round(50 + i * 73.5, 2),
                ["C1", "C2", "C3", "C4", "C5"][i % 5],
                date(2015 + i % 9, 1 + i % 12, 1 + i % 27),
                None,  # formula, filled below
                "多行\n备注" if i == 3 else ("" if i % 4 else f"note {i}"),
            ]
        )
    return rows


def build_rich_workbook(path: Path, variant: Variant = Variant()) -> Path:
    """Write the fixture register to `path` (.xlsx, or .xlsm when variant.macro)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = CLIENT_SHEET

    ws["A1"] = "客户名册（测试数据）"
    ws["A1"].font = Font(size=16, bold=True)
    ws.merge_cells("A1:G1")
    header_fill = PatternFill("solid", fgColor="1F4E78")
    thin = Side(style="thin", color="999999")
    for col, text in enumerate(HEADERS, start=1):
        cell = ws.cell(row=HEADER_ROW, column=col, value=text)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = header_fill
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
        cell.border = Border(bottom=thin)
    for r, values in enumerate(client_rows(), start=FIRST_DATA_ROW):
        for c, value in enumerate(values, start=1):
            if value is not None and value != "":
                ws.cell(row=r, column=c, value=value)
        ws.cell(row=r, column=3).number_format = "#,##0.00"
        ws.cell(row=r, column=5).number_format = "yyyy-mm-dd"
        ws.cell(row=r, column=6, value=f"=C{r}*2")
    # rich text, hyperlink, comment
    ws.cell(row=FIRST_DATA_ROW, column=7).value = CellRichText(
        ["重要", TextBlock(InlineFont(b=True, color="FF0000"), "客户"), " VIP"]
    )
    ws.cell(row=FIRST_DATA_ROW + 1, column=2).hyperlink = "https://example.com/c/10002"
    ws.cell(row=FIRST_DATA_ROW + 2, column=1).comment = Comment("测试批注", "RM")
    if variant.beyond:
        # a column of the user's far right of the header, without header text
        for r in range(FIRST_DATA_ROW, LAST_DATA_ROW + 1, 3):
            ws.cell(row=r, column=10, value=f"x{r}")
        # styled empty cells right of it
        for r in range(HEADER_ROW, LAST_DATA_ROW + 1, 5):
            ws.cell(row=r, column=12).fill = PatternFill("solid", fgColor="FFFF00")

    # hidden row and column, widths, frozen panes, print titles
    ws.row_dimensions[FIRST_DATA_ROW + 5].hidden = True
    ws.column_dimensions["E"].hidden = True
    ws.column_dimensions["B"].width = 18
    ws.freeze_panes = "C4"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"

    # validation lists on a hidden sheet, through a defined name
    lists = wb.create_sheet("Lists")
    for i, level in enumerate(["C1", "C2", "C3", "C4", "C5"], start=1):
        lists.cell(row=i, column=1, value=level)
    lists.sheet_state = "hidden"
    wb.defined_names["RiskLevels"] = DefinedName("RiskLevels", attr_text="Lists!$A$1:$A$5")
    dv = DataValidation(type="list", formula1="=RiskLevels", allow_blank=True)
    dv.add(f"D{FIRST_DATA_ROW}:D{LAST_DATA_ROW}")
    ws.add_data_validation(dv)
    dv2 = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0")
    dv2.add(f"C{FIRST_DATA_ROW}:C{LAST_DATA_ROW}")
    ws.add_data_validation(dv2)

    # conditional formats of every kind
    data = f"C{FIRST_DATA_ROW}:C{LAST_DATA_ROW}"
    ws.conditional_formatting.add(
        data, CellIsRule(operator="greaterThan", formula=["1000"], font=Font(color="9C0006"))
    )
    ws.conditional_formatting.add(
        f"F{FIRST_DATA_ROW}:F{LAST_DATA_ROW}",
        ColorScaleRule(start_type="min", start_color="F8696B", end_type="max", end_color="63BE7B"),
    )
    ws.conditional_formatting.add(
        data, DataBarRule(start_type="min", end_type="max", color="638EC6")
    )
    ws.conditional_formatting.add(
        f"C{FIRST_DATA_ROW}:C{LAST_DATA_ROW}",
        IconSetRule("3TrafficLights1", "percent", [0, 33, 67]),
    )
    ws.conditional_formatting.add(
        f"A{FIRST_DATA_ROW}:G{LAST_DATA_ROW}",
        FormulaRule(formula=[f'$D{FIRST_DATA_ROW}="C5"'], fill=PatternFill("solid", "FFF2CC")),
    )

    if variant.table:
        table = Table(displayName="ClientTable", ref=f"A{HEADER_ROW}:G{LAST_DATA_ROW}")
        table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
        ws.add_table(table)
    else:
        ws.auto_filter.ref = f"A{HEADER_ROW}:G{LAST_DATA_ROW}"

    # a chart on its own sheet, an image on another
    charts = wb.create_sheet("图表")
    chart = BarChart()
    chart.title = "资产规模"
    chart.add_data(
        Reference(ws, min_col=3, min_row=HEADER_ROW, max_row=LAST_DATA_ROW), titles_from_data=True
    )
    chart.set_categories(Reference(ws, min_col=1, min_row=FIRST_DATA_ROW, max_row=LAST_DATA_ROW))
    charts.add_chart(chart, "B2")
    wb.create_sheet("照片")["A1"] = "照片"
    wb.defined_names["TotalAUM"] = DefinedName(
        "TotalAUM", attr_text=f"'{CLIENT_SHEET}'!$C${FIRST_DATA_ROW}:$C${LAST_DATA_ROW}"
    )

    wb.save(path)
    _post_process(path, variant)
    return path


# --- post-processing inside the zip -------------------------------------------------------


def rewrite_zip(
    path: Path,
    edits: dict[str, Callable[[bytes], bytes]],
    add: dict[str, bytes] | None = None,
) -> None:
    """Rewrite the zip at `path` with some members edited and some added at the end."""
    with zipfile.ZipFile(path) as zin:
        items = [(info, zin.read(info)) for info in zin.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, data in items:
            if info.filename in edits:
                data = edits[info.filename](data)
            zout.writestr(info.filename, data)
        for name, data in (add or {}).items():
            zout.writestr(name, data)


def _sheet_part(path: Path, name: str) -> str:
    with zipfile.ZipFile(path) as z:
        wb = z.read("xl/workbook.xml").decode()
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
    m = re.search(r'<sheet [^>]*name="' + re.escape(name) + r'"[^>]*r:id="(rId\d+)"', wb)
    assert m, name
    t = re.search(r'Id="' + m.group(1) + r'"[^>]*Target="([^"]+)"', rels) or re.search(
        r'Target="([^"]+)"[^>]*Id="' + m.group(1) + '"', rels
    )
    assert t
    target = t.group(1).lstrip("/")
    return target if target.startswith("xl/") else "xl/" + target


def client_sheet_part(path: Path) -> str:
    return _sheet_part(path, CLIENT_SHEET)


def _x14_databar(xml: bytes) -> bytes:
    """Give the first data bar an Excel 2010 extension (negative bars, axis, gradient)."""
    text = xml.decode()
    assert "<extLst>" not in text.split("</sheetData>")[1]
    ext_ref = (
        '<extLst><ext uri="{B025F937-C7B1-47D3-B67F-A62EFF666E3E}" '
        'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
        f"<x14:id>{_X14_DATABAR_ID}</x14:id></ext></extLst>"
    )
    text = text.replace("</dataBar>", "</dataBar>" + ext_ref, 1)
    data = f"C{FIRST_DATA_ROW}:C{LAST_DATA_ROW}"
    ext = (
        '<extLst><ext uri="{78C0D931-6437-407d-A8EE-F0AAD7539E65}" '
        'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
        "<x14:conditionalFormattings>"
        '<x14:conditionalFormatting xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
        f'<x14:cfRule type="dataBar" id="{_X14_DATABAR_ID}"><x14:dataBar minLength="0" '
        'maxLength="100" gradient="0" negativeBarColorSameAsPositive="0" axisPosition="middle">'
        '<x14:cfvo type="autoMin"/><x14:cfvo type="autoMax"/>'
        '<x14:negativeFillColor rgb="FFFF0000"/><x14:axisColor rgb="FF000000"/>'
        f"</x14:dataBar></x14:cfRule><xm:sqref>{data}</xm:sqref>"
        "</x14:conditionalFormatting></x14:conditionalFormattings></ext></extLst>"
    )
    return text.replace("</worksheet>", ext + "</worksheet>").encode()


def _shared_formulas(xml: bytes) -> bytes:
    """Turn column F's formulas into one shared formula, as Excel writes them."""
    text = xml.decode()
    first = f"F{FIRST_DATA_ROW}"
    text = re.sub(
        rf'(<c r="{first}"[^>]*>)<f>([^<]*)</f>',
        lambda m: (
            f'{m.group(1)}<f t="shared" ref="F{FIRST_DATA_ROW}:F{LAST_DATA_ROW}" si="0">'
            f"{m.group(2)}</f>"
        ),
        text,
    )
    text = re.sub(
        r'(<c r="F(\d+)"[^>]*>)<f>[^<]*</f>',
        lambda m: (
            m.group(1) + '<f t="shared" si="0"/>'
            if int(m.group(2)) > FIRST_DATA_ROW
            else m.group(0)
        ),
        text,
    )
    return text.encode()


def _to_shared_strings(xml: bytes) -> tuple[bytes, bytes]:
    """Move the sheet's inline strings into a shared string table, as Excel stores them
    (rich text runs included). Returns the sheet and sharedStrings.xml."""
    strings: list[str] = []
    index: dict[str, int] = {}

    def repl(m: re.Match[str]) -> str:
        body = m.group(2)
        if body not in index:
            index[body] = len(strings)
            strings.append(body)
        return f'{m.group(1)} t="s"><v>{index[body]}</v></c>'

    text = re.sub(r'(<c [^>]*?) t="inlineStr"><is>(.*?)</is></c>', repl, xml.decode())
    sst = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'count="{len(strings)}" uniqueCount="{len(strings)}">'
        + "".join(f"<si>{body}</si>" for body in strings)
        + "</sst>"
    )
    return text.encode(), sst.encode()


def prefix_sheet(xml: bytes) -> bytes:
    """The same sheet with every SpreadsheetML element under an x: prefix."""
    text = xml.decode()
    text = re.sub(r"<(/?)([A-Za-z][\w]*)([\s>/])", r"<\1x:\2\3", text)
    text = text.replace(
        'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"',
        'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"',
        1,
    )
    return text.encode()


def _add_image(path: Path) -> tuple[dict[str, Callable[[bytes], bytes]], dict[str, bytes]]:
    part = _sheet_part(path, "照片")
    folder, name = part.rsplit("/", 1)
    drawing = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing" '
        'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        "<xdr:oneCellAnchor><xdr:from><xdr:col>1</xdr:col><xdr:colOff>0</xdr:colOff>"
        "<xdr:row>1</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from>"
        '<xdr:ext cx="952500" cy="952500"/><xdr:pic><xdr:nvPicPr><xdr:cNvPr id="2" name="照片 1"/>'
        '<xdr:cNvPicPr><a:picLocks noChangeAspect="1"/></xdr:cNvPicPr></xdr:nvPicPr>'
        '<xdr:blipFill><a:blip r:embed="rId1"/><a:stretch><a:fillRect/></a:stretch></xdr:blipFill>'
        '<xdr:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="952500" cy="952500"/></a:xfrm>'
        '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></xdr:spPr></xdr:pic><xdr:clientData/>'
        "</xdr:oneCellAnchor></xdr:wsDr>"
    ).encode()
    drawing_rels = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/image" Target="../media/photo1.png"/></Relationships>'
    )
    sheet_rels = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rIdPhoto" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/drawing" Target="../drawings/photo_drawing.xml"/></Relationships>'
    )

    def sheet(xml: bytes) -> bytes:
        text = xml.decode()
        if "xmlns:r=" not in text.split(">", 2)[1]:
            text = text.replace(
                "<worksheet ",
                '<worksheet xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
                'relationships" ',
                1,
            )
        return text.replace("</worksheet>", '<drawing r:id="rIdPhoto"/></worksheet>').encode()

    def types(xml: bytes) -> bytes:
        text = xml.decode()
        if 'Extension="png"' not in text:
            text = text.replace(
                "<Default ", '<Default Extension="png" ContentType="image/png"/><Default ', 1
            )
        return text.replace(
            "</Types>",
            '<Override PartName="/xl/drawings/photo_drawing.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.drawing+xml"/><Override '
            'PartName="/xl/sharedStrings.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
        ).encode()

    edits = {part: sheet, "[Content_Types].xml": types}
    add = {
        "xl/media/photo1.png": PNG,
        "xl/drawings/photo_drawing.xml": drawing,
        "xl/drawings/_rels/photo_drawing.xml.rels": drawing_rels,
        f"{folder}/_rels/{name}.rels": sheet_rels,
    }
    return edits, add


def _add_vba() -> tuple[dict[str, Callable[[bytes], bytes]], dict[str, bytes]]:
    def rels(xml: bytes) -> bytes:
        return xml.replace(
            b"</Relationships>",
            b'<Relationship Id="rIdVba" Type="http://schemas.microsoft.com/office/2006/'
            b'relationships/vbaProject" Target="vbaProject.bin"/></Relationships>',
        )

    return {"xl/_rels/workbook.xml.rels": rels}, {"xl/vbaProject.bin": VBA}


def _post_process(path: Path, variant: Variant) -> None:
    client = client_sheet_part(path)
    image_edits, add = _add_image(path)
    edits: dict[str, Callable[[bytes], bytes]] = dict(image_edits)
    types_edit = edits.pop("[Content_Types].xml")

    with zipfile.ZipFile(path) as z:
        client_xml, sst = _to_shared_strings(z.read(client))
    add["xl/sharedStrings.xml"] = sst

    def client_edit(xml: bytes) -> bytes:
        xml = _shared_formulas(_x14_databar(client_xml))
        return prefix_sheet(xml) if variant.prefix else xml

    def sst_rel(xml: bytes) -> bytes:
        return xml.replace(
            b"</Relationships>",
            b'<Relationship Id="rIdSst" Type="http://schemas.openxmlformats.org/officeDocument/'
            b'2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
        )

    edits[client] = client_edit
    edits["xl/_rels/workbook.xml.rels"] = sst_rel
    if variant.macro:
        vba_edits, vba_add = _add_vba()
        edits["xl/_rels/workbook.xml.rels"] = lambda xml: vba_edits["xl/_rels/workbook.xml.rels"](
            sst_rel(xml)
        )
        add.update(vba_add)

        def both_types(xml: bytes) -> bytes:
            return _add_vba_types(types_edit(xml))

        edits["[Content_Types].xml"] = both_types
    else:
        edits["[Content_Types].xml"] = types_edit
    rewrite_zip(path, edits, add)


def _add_vba_types(xml: bytes) -> bytes:
    text = xml.decode()
    text = text.replace(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    )
    return text.replace(
        "</Types>",
        '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>',
    ).encode()
