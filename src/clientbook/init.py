"""`clientbook init`: a new, empty register copied from the shipped templates.

The templates (`templates/register_zh.xlsx`, `templates/register_en.xlsx`) are built by
`templates/make_templates.py` with `build_template()` below and committed; the wheel ships
them as `clientbook/templates/` (pyproject `force-include`). A source checkout or an editable
install reads them from the repository's `templates/` folder instead.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel

from clientbook.errors import InitError, RegisterExists
from clientbook.register.schema import (
    CLIENT_FIELDS,
    CLIENT_SHEET_NAMES,
    CONTACT_FIELDS,
    CONTACT_SHEET_NAMES,
    HOLDING_FIELDS,
    HOLDING_SHEET_NAMES,
    Field,
    FieldType,
)
from clientbook.safe_io import free_previous_name

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

Lang = Literal["zh", "en"]
Kind = Literal["clients", "holdings", "contacts"]

DEFAULT_FILENAMES: dict[str, str] = {"zh": "客户名册.xlsx", "en": "client_register.xlsx"}
TEMPLATE_FILES: dict[str, str] = {"zh": "register_zh.xlsx", "en": "register_en.xlsx"}

# Units written into the header, so the file says what a number means: 资产规模(万元).
_UNITS: dict[str, tuple[str, str]] = {
    "aum": ("万元", "10k CNY"),
    "aum_prev": ("万元", "10k CNY"),
    "income": ("万元", "10k CNY"),
    "assets_elsewhere": ("万元", "10k CNY"),
    "branch_km": ("公里", "km"),
    "amount": ("万元", "10k CNY"),
}

_FIELDS: dict[str, tuple[Field, ...]] = {
    "clients": CLIENT_FIELDS,
    "holdings": HOLDING_FIELDS,
    "contacts": CONTACT_FIELDS,
}
_SHEET_NAMES: dict[str, tuple[str, ...]] = {
    "clients": CLIENT_SHEET_NAMES,
    "holdings": HOLDING_SHEET_NAMES,
    "contacts": CONTACT_SHEET_NAMES,
}

# Template rows that carry dropdowns (the header is row 1).
VALIDATION_LAST_ROW = 5000
# Fixed timestamps so that re-building a template or example gives the same bytes.
REPRODUCIBLE_TIME = datetime(2026, 11, 27, 0, 0, 0)


def field_header(field: Field, lang: str) -> str:
    """The header a clientbook-made workbook writes for a field, with its unit."""
    unit = _UNITS.get(field.key)
    if lang == "en":
        return f"{field.en} ({unit[1]})" if unit else field.en
    return f"{field.zh}({unit[0]})" if unit else field.zh


def sheet_headers(kind: Kind, lang: str) -> list[str]:
    """Headers of one sheet kind, in schema order."""
    return [field_header(f, lang) for f in _FIELDS[kind]]


def sheet_name(kind: Kind, lang: str) -> str:
    """客户 / 持仓 / 联系记录, or Clients / Holdings / Contacts."""
    names = _SHEET_NAMES[kind]
    return names[-1] if lang == "en" else names[0]


def choice_labels(field: Field, lang: str) -> list[str]:
    """The dropdown entries of a choice field, in the register's language."""
    return [c.en if lang == "en" else c.zh for c in field.choices]


# --- building the templates ---------------------------------------------------------

_WIDTHS: dict[str, float] = {
    "client_id": 12,
    "name": 10,
    "gender": 6,
    "birth_date": 12,
    "id_number": 21,
    "mobile": 14,
    "email": 24,
    "address": 30,
    "risk_level": 14,
    "risk_assessed_on": 13,
    "channel": 12,
    "contact_every": 11,
    "contact_window": 14,
    "last_contact": 13,
    "onboarded_on": 12,
    "products": 28,
    "notes": 30,
    "product": 24,
    "product_risk": 12,
    "matures_on": 12,
    "date": 12,
    "content": 40,
}
# Text columns Excel must not turn into numbers (18-digit IDs lose digits as numbers).
_TEXT_COLUMNS = {"client_id", "id_number", "mobile"}
_NUMBER_FORMATS: dict[FieldType, str] = {
    FieldType.DATE: "yyyy-mm-dd",
    FieldType.AMOUNT: "#,##0.00",
    FieldType.NUMBER: "0.0",
}

_HELP: dict[str, tuple[str, str]] = {
    "title": ("填写说明", "Instructions"),
    "intro": (
        "每位客户一行，填在「客户」表；表头不要改名，可以在右侧增加自己的列。"
        "填好后运行 clientbook validate 检查。",
        "One client per row on the 'Clients' sheet; keep the headers as they are, "
        "add your own columns on the right. Then run clientbook validate.",
    ),
    "cols": ("工作表|列名|必填|格式或可选值", "Sheet|Column|Required|Format or choices"),
    "yes": ("是", "yes"),
    FieldType.TEXT: ("文本", "text"),
    FieldType.DATE: ("日期，如 2024-03-05", "date, e.g. 2024-03-05"),
    FieldType.AMOUNT: (
        "金额（万元），也可写 500万、1.2亿",
        "amount in 10k CNY; 500万, 1.2亿 work too",
    ),
    FieldType.NUMBER: ("数字", "number"),
    FieldType.LIST: ("多项用 、 分隔", "several, separated by 、 or ,"),
    "interval": ("或写 N天，如 45天", "or N days, e.g. 45 days"),
}


# Extra advice for columns where the type alone does not say enough: (kind, key) -> (zh, en).
_FIELD_HELP: dict[tuple[str, str], tuple[str, str]] = {
    ("clients", "client_id"): ("每位客户唯一", "unique per client"),
    ("clients", "id_number"): (
        "18 位，末位可为 X；须与出生日期、性别一致",
        "18 characters, may end in X; must agree with birth date and gender",
    ),
    ("clients", "mobile"): ("11 位手机号，可带 +86", "11-digit China mobile, +86 allowed"),
    ("clients", "risk_assessed_on"): (
        "日期；超过 365 天需重新测评",
        "date; older than 365 days needs a new assessment",
    ),
    ("clients", "last_contact"): ("日期，不能晚于今天", "date, not in the future"),
    ("holdings", "client_id"): (
        "必须是「客户」表中的客户号",
        "must be a Client ID of the Clients sheet",
    ),
    ("holdings", "product_risk"): (
        "不高于客户风险等级（C3 客户最多 R3）",
        "not above the client's risk profile (C3: up to R3)",
    ),
}


def _help(key: str | FieldType, lang: str) -> str:
    zh, en = _HELP[key]
    return en if lang == "en" else zh


def _format_hint(kind: str, field: Field, lang: str) -> str:
    advice = _FIELD_HELP.get((kind, field.key))
    if advice is not None and not field.choices:
        return advice[1] if lang == "en" else advice[0]
    if not field.choices:
        return _help(field.type, lang)
    hint = " / ".join(choice_labels(field, lang))
    if field.type is FieldType.INTERVAL:
        hint += ("；" if lang == "zh" else "; ") + _help("interval", lang)
    if advice is not None:
        hint += ("；" if lang == "zh" else "; ") + (advice[1] if lang == "en" else advice[0])
    return hint


def build_template(lang: str) -> Workbook:
    """A blank register: styled headers, dropdowns, formats, frozen header, filters."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    thin = Side(style="thin", color="8EA9C1")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    font = Font(bold=True, color="1F3864")
    fill = PatternFill("solid", fgColor="DDEBF7")
    required_fill = PatternFill("solid", fgColor="FCE4D6")
    align = Alignment(horizontal="center", vertical="center", wrap_text=True)

    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.creator = "clientbook"
    wb.properties.created = REPRODUCIBLE_TIME
    kinds: tuple[Kind, ...] = ("clients", "holdings", "contacts")
    for kind in kinds:
        ws = wb.create_sheet(sheet_name(kind, lang))
        fields = _FIELDS[kind]
        for col, fld in enumerate(fields, start=1):
            letter = get_column_letter(col)
            cell = ws.cell(row=1, column=col, value=field_header(fld, lang))
            cell.font = font
            cell.fill = required_fill if fld.required else fill
            cell.border = border
            cell.alignment = align
            dim = ws.column_dimensions[letter]
            dim.width = _WIDTHS.get(fld.key, 12)
            if fld.key in _TEXT_COLUMNS:
                dim.number_format = "@"
            elif fld.type in _NUMBER_FORMATS:
                dim.number_format = _NUMBER_FORMATS[fld.type]
            if fld.choices:
                _add_dropdown(ws, fld, letter, lang, DataValidation)
        ws.row_dimensions[1].height = 32
        last = get_column_letter(len(fields))
        ws.freeze_panes = "C2" if kind == "clients" else "A2"
        ws.auto_filter.ref = f"A1:{last}1"
    _add_instructions(wb, lang)
    wb.active = 0
    return wb


def _add_dropdown(ws: Worksheet, fld: Field, letter: str, lang: str, dv_class: type) -> None:
    labels = choice_labels(fld, lang)
    if not labels:
        return
    free_text = fld.type is FieldType.INTERVAL  # "45天" is allowed besides the list
    title = fld.en if lang == "en" else fld.zh
    if lang == "en":
        error = f"Choose one of: {', '.join(labels)}"
    else:
        error = f"请从下拉列表选择：{'、'.join(labels)}"
    dv = dv_class(
        type="list",
        formula1='"' + ",".join(labels) + '"',
        allow_blank=True,
        showErrorMessage=not free_text,
        errorStyle="stop",
        errorTitle=title,
        error=error,
    )
    dv.add(f"{letter}2:{letter}{VALIDATION_LAST_ROW}")
    ws.add_data_validation(dv)


def _add_instructions(wb: Workbook, lang: str) -> None:
    from openpyxl.styles import Alignment, Font

    ws = wb.create_sheet(_help("title", lang))
    ws["A1"] = _help("intro", lang)
    ws["A1"].alignment = Alignment(wrap_text=True, vertical="top")
    ws.merge_cells("A1:D1")
    ws.row_dimensions[1].height = 36
    ws.append(_help("cols", lang).split("|"))
    for cell in ws[2]:
        cell.font = Font(bold=True)
    kinds: tuple[Kind, ...] = ("clients", "holdings", "contacts")
    for kind in kinds:
        for fld in _FIELDS[kind]:
            ws.append(
                [
                    sheet_name(kind, lang),
                    field_header(fld, lang),
                    _help("yes", lang) if fld.required else "",
                    _format_hint(kind, fld, lang),
                ]
            )
    for letter, width in zip("ABCD", (12, 26, 8, 70), strict=True):
        ws.column_dimensions[letter].width = width


def save_reproducibly(wb: Workbook, path: Path) -> None:
    """Save a workbook so that the same content always gives the same bytes.

    openpyxl stamps the save time into docProps/core.xml and the zip entries; both are
    replaced by REPRODUCIBLE_TIME.
    """
    wb.properties.created = REPRODUCIBLE_TIME
    buffer = io.BytesIO()
    wb.save(buffer)
    stamp = REPRODUCIBLE_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with (
        zipfile.ZipFile(buffer) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as dst,
    ):
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    b"\\g<1>" + stamp.encode() + b"\\g<2>",
                    data,
                )
            entry = zipfile.ZipInfo(info.filename, date_time=REPRODUCIBLE_TIME.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, data)
    path.write_bytes(out.getvalue())


# --- creating a register -------------------------------------------------------------


class InitResult(BaseModel):
    """What `create_register` wrote."""

    path: Path
    lang: str
    previous: Path | None = None  # where an overwritten file was kept (with --force)


def template_bytes(lang: str) -> bytes:
    """The shipped template of a language, from the package or the source checkout."""
    name = TEMPLATE_FILES[lang]
    shipped = resources.files("clientbook").joinpath("templates", name)
    if shipped.is_file():
        return shipped.read_bytes()
    checkout = Path(__file__).resolve().parents[2] / "templates" / name
    if checkout.is_file():
        return checkout.read_bytes()
    raise InitError("init.template_missing", name=name)


def _restore(previous: Path | None, target: Path) -> None:
    if previous is not None and not target.exists():
        previous.rename(target)


def create_register(path: Path, lang: str, force: bool = False) -> InitResult:
    """Write a new empty register at `path` (a folder gets the default file name).

    An existing file is never overwritten unless `force`; even then it is kept beside the
    new one as NAME.old.xlsx, because a register is not something to lose by a typo.
    """
    if lang not in TEMPLATE_FILES:
        raise InitError("init.bad_lang", lang=lang)
    target = path / DEFAULT_FILENAMES[lang] if path.is_dir() else path
    if target.suffix.lower() != ".xlsx":
        raise InitError("init.bad_suffix", path=target)
    if not target.parent.is_dir():
        raise InitError("init.no_folder", path=target, folder=target.parent)
    data = template_bytes(lang)
    previous: Path | None = None
    if target.exists() or target.is_symlink():
        if not force:
            raise RegisterExists(path=target)
        previous = free_previous_name(target)
        try:
            target.rename(previous)
        except OSError as exc:
            raise InitError("init.write_failed", path=target, reason=exc.strerror or exc) from exc
    try:
        handle = target.open("xb")  # exclusive: never clobbers a file made meanwhile
    except FileExistsError as exc:
        raise RegisterExists(path=target) from exc
    except OSError as exc:
        _restore(previous, target)
        raise InitError("init.write_failed", path=target, reason=exc.strerror or exc) from exc
    try:
        with handle:
            handle.write(data)
    except OSError as exc:  # e.g. a full disk: leave no half-written register behind
        target.unlink(missing_ok=True)
        _restore(previous, target)
        raise InitError("init.write_failed", path=target, reason=exc.strerror or exc) from exc
    return InitResult(path=target, lang=lang, previous=previous)


__all__ = [
    "DEFAULT_FILENAMES",
    "InitResult",
    "build_template",
    "choice_labels",
    "create_register",
    "field_header",
    "save_reproducibly",
    "sheet_headers",
    "sheet_name",
    "template_bytes",
]
